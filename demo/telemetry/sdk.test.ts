import { describe, expect, it } from 'vitest';
import { buildResource, logsEnabled, parseResourceAttributes } from './sdk.js';

describe('resource', () => {
  it('parses OTEL_RESOURCE_ATTRIBUTES with percent-encoding and junk', () => {
    expect(
      parseResourceAttributes('service.namespace=opentelemetry-demo, service.instance.id=x-1,a=b%2Cc,=nokey,novalue'),
    ).toEqual({
      'service.namespace': 'opentelemetry-demo',
      'service.instance.id': 'x-1',
      a: 'b,c',
    });
    expect(parseResourceAttributes(undefined)).toEqual({});
    expect(parseResourceAttributes('bad=%E0%A4%A')).toEqual({ bad: '%E0%A4%A' });
  });

  it('takes service.name from OTEL_SERVICE_NAME over the attributes, with telemetry.sdk.*', () => {
    const r = buildResource({
      OTEL_SERVICE_NAME: 'recommendationservice',
      OTEL_RESOURCE_ATTRIBUTES:
        'service.name=wrong,service.namespace=opentelemetry-demo,service.instance.id=recommendationservice-1,service.version=0.1.0',
    });
    expect(r.attributes['service.name']).toBe('recommendationservice');
    expect(r.attributes['service.namespace']).toBe('opentelemetry-demo');
    expect(r.attributes['service.instance.id']).toBe('recommendationservice-1');
    expect(r.attributes['service.version']).toBe('0.1.0');
    expect(r.attributes['telemetry.sdk.language']).toBe('nodejs');
    expect(r.attributes['telemetry.sdk.name']).toBe('opentelemetry');
    expect(typeof r.attributes['telemetry.sdk.version']).toBe('string');
  });
});

describe('logsEnabled', () => {
  it('is on by default and for any exporter name but none', () => {
    expect(logsEnabled({})).toBe(true);
    expect(logsEnabled({ OTEL_LOGS_EXPORTER: 'otlp' })).toBe(true);
    expect(logsEnabled({ OTEL_LOGS_EXPORTER: ' None ' })).toBe(false);
  });
});
