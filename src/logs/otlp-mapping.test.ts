import { describe, expect, it } from 'vitest';
import {
  attributeText,
  bodyLine,
  levelFromSeverity,
  mapResource,
  normalizeLabelName,
  pushAttribute,
  pushAttributes,
} from './otlp-mapping.js';
import type { Label } from '../labels/labels.js';
import { kvs } from './testdata.js';

describe("Loki's OTLP mapping", () => {
  it('makes the default index attributes stream labels, dots as underscores, the rest metadata', () => {
    const m = mapResource(
      kvs({
        'service.name': 'recommendationservice',
        'service.namespace': 'opentelemetry-demo',
        'deployment.environment': 'lab',
        'k8s.pod.name': 'rec-1',
        'host.name': 'lab-1',
        'process.runtime.name': 'nodejs',
      }),
    );
    expect(m.labels).toEqual([
      { name: 'deployment_environment', value: 'lab' },
      { name: 'k8s_pod_name', value: 'rec-1' },
      { name: 'service_name', value: 'recommendationservice' },
      { name: 'service_namespace', value: 'opentelemetry-demo' },
    ]);
    expect(m.resourceMetadata).toEqual([
      { name: 'host_name', value: 'lab-1' },
      { name: 'process_runtime_name', value: 'nodejs' },
    ]);
  });

  it('gives a resource without service.name service_name="unknown_service"', () => {
    expect(mapResource(kvs({ 'host.name': 'x' })).labels).toEqual([{ name: 'service_name', value: 'unknown_service' }]);
  });

  it('flattens map attributes and writes other values as text', () => {
    const out: Label[] = [];
    pushAttributes(out, kvs({ 'http.request': { method: 'GET', 'header.count': 3 }, ok: true, ratio: 0.25 }));
    pushAttribute(out, 'big', { kind: 'double', value: 1e21 });
    expect(out).toEqual([
      { name: 'http_request_method', value: 'GET' },
      { name: 'http_request_header_count', value: '3' },
      { name: 'ok', value: 'true' },
      { name: 'ratio', value: '0.25' },
      { name: 'big', value: '1000000000000000000000' },
    ]);
    expect(
      attributeText({
        kind: 'array',
        value: [
          { kind: 'int', value: 1 },
          { kind: 'string', value: 'a' },
        ],
      }),
    ).toBe('[1,"a"]');
  });

  it('normalizes names as Prometheus labels', () => {
    expect(normalizeLabelName('app.products.count')).toBe('app_products_count');
    expect(normalizeLabelName('2xx')).toBe('key_2xx');
    expect(normalizeLabelName('')).toBe('_');
  });

  it('reads the level from the severity number, else the text', () => {
    expect([0, 1, 5, 9, 13, 17, 21, 30].map((n) => levelFromSeverity(n, ''))).toEqual([
      'unknown',
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'unknown',
    ]);
    expect(['WARNING', 'Err', 'information', 'critical', 'verbose'].map((t) => levelFromSeverity(0, t))).toEqual([
      'warn',
      'error',
      'info',
      'fatal',
      'unknown',
    ]);
  });

  it('makes a non-string body its JSON text', () => {
    expect(bodyLine({ kind: 'kvlist', value: kvs({ msg: 'hi', n: 2 }) })).toBe('{"msg":"hi","n":2}');
    expect(bodyLine({ kind: 'empty' })).toBe('');
  });
});
