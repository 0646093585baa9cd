// End to end: OTLP/HTTP receiver → trace store → Jaeger API, over real sockets, for what only the
// whole path shows (exact int64 digits in the JSON a client reads; what a bad request leaves).
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VALUE_NESTING } from '../../otlp/model.js';
import { deepJsonRequest, deepProtobufRequest } from '../../otlp/testing/deep-values.js';
import { otlpRoot, TYPES } from '../../otlp/testing/protobufjs-schema.js';
import type { LogsConsumer, MetricsConsumer } from '../../consumer/consumer.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver } from '../../receivers/otlp-http.js';
import { TraceStore } from '../../traces/store.js';
import { HttpApp } from '../router.js';
import { registerJaegerApi } from './index.js';

const T0_NS = '1735732800000000000';
const TraceRequest = otlpRoot().lookupType(TYPES.traceRequest);
const ignore: MetricsConsumer & LogsConsumer = { consumeMetrics: () => {}, consumeLogs: () => {} };

let receiver: OtlpHttpReceiver;
let server: Server;
let otlp: string;
let api: string;

beforeAll(async () => {
  const store = new TraceStore({ now: () => 1735732860000 });
  receiver = createOtlpHttpReceiver({ port: 0, traces: store, metrics: ignore, logs: ignore });
  await receiver.start();
  otlp = `http://127.0.0.1:${receiver.port}/v1/traces`;
  const app = new HttpApp();
  registerJaegerApi(app, store, { now: () => 1735732860000 });
  const l = await app.listen('127.0.0.1', 0);
  server = l.server;
  api = `http://127.0.0.1:${l.port}`;
});

afterAll(async () => {
  await receiver.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function post(body: string | Uint8Array, contentType: string): Promise<{ status: number; text: string }> {
  const res = await fetch(otlp, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, text: await res.text() };
}

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(api + path);
  return { status: res.status, text: await res.text() };
}

describe('OTLP/HTTP → store → Jaeger API', () => {
  it('int64 attributes beyond 2^53 arrive exact, in JSON and protobuf, and are found by exact tag', async () => {
    const jsonTraceId = '11111111111111111111111111111111';
    const json = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"ledger"}}]},
      "scopeSpans":[{"spans":[{"traceId":"${jsonTraceId}","spanId":"1111111111111111","name":"post",
      "startTimeUnixNano":"${T0_NS}","endTimeUnixNano":"${T0_NS}","attributes":[
      {"key":"app.number","value":{"intValue":9007199254740993}},
      {"key":"app.string","value":{"intValue":"9223372036854775807"}}]}]}]}]}`;
    expect(await post(json, 'application/json')).toEqual({ status: 200, text: '{}' });

    const protoTraceId = '22222222222222222222222222222222';
    const proto = TraceRequest.encode(
      TraceRequest.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'ledger' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.from(protoTraceId, 'hex'),
                    spanId: Buffer.from('2222222222222222', 'hex'),
                    name: 'post',
                    startTimeUnixNano: T0_NS,
                    endTimeUnixNano: T0_NS,
                    attributes: [
                      { key: 'app.number', value: { intValue: '-9007199254740993' } },
                      { key: 'app.string', value: { intValue: '-9223372036854775808' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    expect((await post(proto, 'application/x-protobuf')).status).toBe(200);

    const fromJson = await get(`/api/traces/${jsonTraceId}`);
    expect(fromJson.status).toBe(200);
    expect(fromJson.text).toContain('{"key":"app.number","type":"int64","value":9007199254740993}');
    expect(fromJson.text).toContain('{"key":"app.string","type":"int64","value":9223372036854775807}');
    const fromProto = await get(`/api/traces/${protoTraceId}`);
    expect(fromProto.text).toContain('{"key":"app.number","type":"int64","value":-9007199254740993}');
    expect(fromProto.text).toContain('{"key":"app.string","type":"int64","value":-9223372036854775808}');

    const search = (tag: string) =>
      get(`/api/traces?service=ledger&start=0&tag=${encodeURIComponent(tag)}`).then((r) =>
        (JSON.parse(r.text) as { data: { traceID: string }[] }).data.map((t) => t.traceID),
      );
    expect(await search('app.number:9007199254740993')).toEqual([jsonTraceId]);
    expect(await search('app.number:9007199254740992')).toEqual([]);
    expect(await search('app.string:-9223372036854775808')).toEqual([protoTraceId]);
  });

  it('a value nested thousands deep is a 400 in JSON and protobuf, leaving no trace or service behind', async () => {
    const traceId = '33333333333333333333333333333333';
    for (const levels of [MAX_VALUE_NESTING + 1, 3000]) {
      const fromJson = await post(deepJsonRequest(levels, traceId, '3333333333333333'), 'application/json');
      expect(fromJson.status).toBe(400);
      expect((JSON.parse(fromJson.text) as { message: string }).message).toContain(
        `array and kvlist values nested deeper than ${MAX_VALUE_NESTING} levels`,
      );
      const fromProto = await post(deepProtobufRequest(levels, traceId, '3333333333333333'), 'application/x-protobuf');
      expect(fromProto.status).toBe(400);
    }
    expect(JSON.parse((await get('/api/services')).text)).toMatchObject({ data: ['ledger'] });
    expect((await get(`/api/traces/${traceId}`)).status).toBe(404);

    // at the limit: accepted, stored and shown
    expect(
      (await post(deepJsonRequest(MAX_VALUE_NESTING, traceId, '3333333333333333'), 'application/json')).status,
    ).toBe(200);
    const shown = await get(`/api/traces/${traceId}`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('"key":"deep","type":"string"');
  });
});
