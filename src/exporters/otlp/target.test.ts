import { describe, expect, it } from 'vitest';
import { parseRetryAfter, readRetryInfoMs, readPartialSuccess, readPartialSuccessJson } from './responses.js';
import { httpExportUrl, parseHeaders, parseOtlpTarget } from './target.js';
import { encodeStatusWithRetryInfo } from '../../receivers/grpc-status.js';
import { encodeExportResponseJson, encodeExportResponseProtobuf } from '../../otlp/encode-response.js';

describe('--forward-otlp targets', () => {
  it('the scheme chooses the protocol: http(s) is OTLP/HTTP to <url>/v1/<signal>, grpc(s) is OTLP/gRPC', () => {
    const http = parseOtlpTarget('http://collector:4318/');
    expect(http).toMatchObject({ protocol: 'http', tls: false });
    expect(httpExportUrl(http, 'traces')).toBe('http://collector:4318/v1/traces');
    expect(httpExportUrl(parseOtlpTarget('https://otlp.example.com/tenant/a'), 'logs')).toBe(
      'https://otlp.example.com/tenant/a/v1/logs',
    );
    expect(parseOtlpTarget('grpc://collector')).toMatchObject({
      protocol: 'grpc',
      tls: false,
      endpoint: 'collector:4317',
    });
    expect(parseOtlpTarget('grpcs://collector:8443')).toMatchObject({
      protocol: 'grpc',
      tls: true,
      endpoint: 'collector:8443',
    });
    expect(parseOtlpTarget('https://collector:4317', 'grpc')).toMatchObject({ protocol: 'grpc', tls: true });
  });

  it('a wrong URL, scheme or combination is an error that says what is expected', () => {
    expect(() => parseOtlpTarget('collector:4318')).toThrow(/unsupported scheme collector:/);
    expect(() => parseOtlpTarget('not a url')).toThrow(/is not a URL \(examples: http:\/\/collector:4318/);
    expect(() => parseOtlpTarget('ftp://collector')).toThrow(/unsupported scheme ftp:\/\/ \(use http:\/\/, https:\/\//);
    expect(() => parseOtlpTarget('grpc://collector:4317', 'http')).toThrow(/is gRPC, but --forward-protocol says http/);
    expect(() => parseOtlpTarget('grpc://collector:4317/v1/traces')).toThrow(/host:port only/);
    expect(() => parseOtlpTarget('http://user:pw@collector:4318')).toThrow(/--forward-header/);
  });

  it('headers are Name=value; a malformed one is an error', () => {
    expect(parseHeaders(['Authorization=Bearer a=b', 'X-Scope-OrgID = tenant1'])).toEqual({
      authorization: 'Bearer a=b',
      'x-scope-orgid': 'tenant1',
    });
    expect(() => parseHeaders(['no-equals-sign'])).toThrow(/expected Name=value/);
    expect(() => parseHeaders(['bad name=x'])).toThrow(/not a header/);
  });
});

describe('reading upstream answers', () => {
  it('partial_success in protobuf and JSON; an empty body is full success', () => {
    expect(readPartialSuccess(encodeExportResponseProtobuf({ rejected: 3, errorMessage: 'too old' }))).toEqual({
      rejected: 3,
      message: 'too old',
    });
    expect(readPartialSuccess(new Uint8Array(0))).toBeUndefined();
    expect(readPartialSuccess(Uint8Array.from([0x0a, 0x7f]))).toBeUndefined(); // truncated: still a success
    expect(readPartialSuccessJson(encodeExportResponseJson('metrics', { rejected: 2, errorMessage: 'x' }))).toEqual({
      rejected: 2,
      message: 'x',
    });
    expect(readPartialSuccessJson('{}')).toBeUndefined();
    expect(readPartialSuccessJson('<html>')).toBeUndefined();
  });

  it('RetryInfo in a gRPC status, and Retry-After as seconds or a date', () => {
    expect(readRetryInfoMs(encodeStatusWithRetryInfo(8, 'slow down', 2.5))).toBe(2500);
    expect(readRetryInfoMs(Uint8Array.from([0x08, 0x0e]))).toBeUndefined();
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
