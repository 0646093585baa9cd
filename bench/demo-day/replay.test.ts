import { describe, expect, it } from 'vitest';
import type { MetricsData } from '../../src/otlp/model.js';
import { logsBatch } from '../../src/logs/testdata.js';
import { freshLogs, freshTokens, shiftMetrics } from './replay.js';

const HOUR_NS = 3600e9;
const T = 1_764_000_000e9;

const metrics: MetricsData = {
  resourceMetrics: [
    {
      resource: { attributes: [], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeMetrics: [
        {
          scope: { name: 's', version: '', attributes: [] },
          schemaUrl: '',
          metrics: [
            {
              name: 'requests',
              description: '',
              unit: '',
              data: {
                type: 'sum',
                aggregationTemporality: 2,
                isMonotonic: true,
                dataPoints: [
                  {
                    attributes: [],
                    startTimeUnixNano: T - 60e9,
                    timeUnixNano: T,
                    value: 42,
                    flags: 0,
                    exemplars: [
                      {
                        filteredAttributes: [],
                        timeUnixNano: T - 1e9,
                        value: 1,
                        traceId: 'ab'.repeat(16),
                        spanId: 'cd'.repeat(8),
                      },
                    ],
                  },
                ],
              },
            },
            {
              name: 'heap',
              description: '',
              unit: 'By',
              data: {
                type: 'gauge',
                dataPoints: [
                  { attributes: [], startTimeUnixNano: 0, timeUnixNano: T, value: 7, flags: 0, exemplars: [] },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
};

describe('shiftMetrics', () => {
  it('moves every point and exemplar by the offset and keeps the values', () => {
    const shifted = shiftMetrics(metrics, -HOUR_NS).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    const sum = shifted[0]!.data;
    if (sum.type !== 'sum') throw new Error('not a sum');
    const p = sum.dataPoints[0]!;
    expect([p.startTimeUnixNano, p.timeUnixNano, p.value]).toEqual([T - 60e9 - HOUR_NS, T - HOUR_NS, 42]);
    expect(p.exemplars[0]!.timeUnixNano).toBe(T - 1e9 - HOUR_NS);
    expect(p.exemplars[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(p.exemplars[0]!.traceId).not.toBe('ab'.repeat(16));
    const gauge = shifted[1]!.data;
    if (gauge.type !== 'gauge') throw new Error('not a gauge');
    // an absent start time (0) stays absent
    expect([gauge.dataPoints[0]!.startTimeUnixNano, gauge.dataPoints[0]!.timeUnixNano]).toEqual([0, T - HOUR_NS]);
  });

  it('leaves the request it was given as it was', () => {
    shiftMetrics(metrics, HOUR_NS);
    const sum = metrics.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.data;
    expect(sum.type === 'sum' && sum.dataPoints[0]!.timeUnixNano).toBe(T);
  });
});

describe('freshLogs', () => {
  it('moves the records and gives them new IDs, absent ones staying absent', () => {
    const batch = logsBatch([
      {
        resource: { 'service.name': 'checkoutservice' },
        records: [
          { timeNs: T, body: 'order placed', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
          { timeNs: T + 1e6, body: 'no trace' },
        ],
      },
    ]);
    const [a, b] = freshLogs(batch, HOUR_NS).resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(a!.timeUnixNano).toBe(T + HOUR_NS);
    expect(a!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a!.traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(a!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect([b!.traceId, b!.spanId, b!.observedTimeUnixNano]).toEqual(['', '', 0]);
  });

  it('renews ID-like tokens in bodies and string attributes and keeps the words', () => {
    const batch = logsBatch([
      {
        resource: { 'service.name': 'checkoutservice' },
        records: [
          {
            timeNs: T,
            body: 'order 3f2a9c1e-1b2c-4d5e-8f90-a1b2c3d4e5f6 placed',
            attributes: { 'app.user.id': 'deadbeef42', 'app.count': 3 },
          },
        ],
      },
    ]);
    const r = freshLogs(batch, 0).resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    const body = r.body.kind === 'string' ? r.body.value : '';
    expect(body).toMatch(/^order [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} placed$/);
    expect(body).not.toContain('3f2a9c1e');
    const user = r.attributes.find((kv) => kv.key === 'app.user.id')!.value;
    expect(user.kind === 'string' && user.value).toMatch(/^[0-9a-f]{10}$/);
    expect(r.attributes.find((kv) => kv.key === 'app.count')!.value).toEqual({ kind: 'int', value: 3 });
  });

  it('leaves words that only look a little like hex', () => {
    expect(freshTokens('cafe added to cart')).toBe('cafe added to cart');
  });
});
