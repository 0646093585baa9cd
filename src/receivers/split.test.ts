import { describe, expect, it } from 'vitest';
import type { MetricsData } from '../otlp/model.js';
import { batch, sid, span, tid } from '../traces/testdata.js';
import { countMetricPoints, countSpans } from './observer.js';
import { splitMetrics, splitTraces } from './split.js';

describe('splitting an export into pieces', () => {
  it('keeps every span once, in order, at most maxItems a piece, each with its resource and scope', () => {
    const spans = (service: string, n: number, from: number) =>
      Array.from({ length: n }, (_, i) => span({ traceId: tid(from + i), spanId: sid(from + i), startMs: 1 }));
    const data = batch(
      { service: 'a', spans: spans('a', 7, 0) },
      { service: 'b', spans: spans('b', 1, 100) },
      { service: 'c', spans: spans('c', 5, 200) },
    );
    const pieces = splitTraces(data, 4);
    expect(pieces.map((p) => p.items)).toEqual([4, 4, 4, 1]);
    for (const p of pieces) expect(countSpans(p.batch)).toBe(p.items);
    const seen = pieces.flatMap((p) =>
      p.batch.resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => [rs.resource.attributes[0]!.value, ss.scope.name, s.spanId])),
      ),
    );
    const all = data.resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => [rs.resource.attributes[0]!.value, ss.scope.name, s.spanId])),
    );
    expect(seen).toEqual(all);
  });

  it('splits a metric with many points across pieces, keeping its name and type', () => {
    const point = (v: number) => ({
      attributes: [],
      startTimeUnixNano: 0,
      timeUnixNano: v,
      value: v,
      exemplars: [],
      flags: 0,
    });
    const data = {
      resourceMetrics: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          scopeMetrics: [
            {
              scope: { name: 's', version: '', attributes: [] },
              metrics: [
                {
                  name: 'g',
                  description: '',
                  unit: '',
                  data: { type: 'gauge', dataPoints: [1, 2, 3, 4, 5].map(point) },
                },
                { name: 'e', description: '', unit: '', data: { type: 'empty' } },
              ],
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    } as unknown as MetricsData;
    const pieces = splitMetrics(data, 2);
    expect(pieces.map((p) => p.items)).toEqual([2, 2, 1]);
    for (const p of pieces) {
      expect(countMetricPoints(p.batch)).toBe(p.items);
      const m = p.batch.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
      expect(m.name).toBe('g');
      expect(m.data.type).toBe('gauge');
    }
  });
});
