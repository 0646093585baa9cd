import { describe, expect, it } from 'vitest';
import type { KeyValue, MetricsData, Span, TracesData, HistogramDataPoint, NumberDataPoint } from '../../otlp/model.js';
import { SpanKind, StatusCode, anyValueToString } from '../../otlp/model.js';
import { SpanMetricsConnector } from './connector.js';
import { OtlpToPrometheus } from '../../exporters/prometheus/translate.js';
import { CollectingAppender, renderExposition } from '../../exporters/prometheus/exposition.js';

const s = (key: string, value: string): KeyValue => ({ key, value: { kind: 'string', value } });
const NS = 1_700_000_000_000 * 1e6;

function span(
  name: string,
  ms: number,
  kind: SpanKind = SpanKind.SERVER,
  status: StatusCode = StatusCode.UNSET,
  id = 1,
): Span {
  return {
    traceId: id.toString(16).padStart(32, '0'),
    spanId: id.toString(16).padStart(16, '0'),
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name,
    kind,
    startTimeUnixNano: NS,
    endTimeUnixNano: NS + ms * 1e6,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: status, message: '' },
  };
}

function traces(service: string, spans: Span[], extraResource: KeyValue[] = []): TracesData {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            s('service.name', service),
            s('service.namespace', 'opentelemetry-demo'),
            s('service.instance.id', `${service}-1`),
            ...extraResource,
          ],
          droppedAttributesCount: 0,
        },
        scopeSpans: [{ scope: { name: 'test', version: '', attributes: [] }, spans, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

function attrs(a: readonly KeyValue[]): Record<string, string> {
  return Object.fromEntries(a.map((kv) => [kv.key, anyValueToString(kv.value)]));
}

describe('SpanMetricsConnector', () => {
  it('counts calls and durations per resource and dimensions, with le-inclusive buckets and exemplars', () => {
    const emitted: MetricsData[] = [];
    const c = new SpanMetricsConnector({ consumeMetrics: (b) => emitted.push(b) }, { now: () => 1_700_000_010_000 });
    c.consumeTraces(
      traces(
        'recommendationservice',
        [
          span('ListRecommendations', 2, SpanKind.SERVER, StatusCode.UNSET, 1), // exactly on a bound: le=2
          span('ListRecommendations', 2.5, SpanKind.SERVER, StatusCode.UNSET, 2),
          span('ListRecommendations', 20000, SpanKind.SERVER, StatusCode.UNSET, 3), // +Inf
          span('ListRecommendations', 7, SpanKind.SERVER, StatusCode.ERROR, 4),
          span('get_product_list', 0.5, SpanKind.INTERNAL, StatusCode.OK, 5),
        ],
        [s('host.name', 'not-a-key')],
      ),
    );
    c.flush();
    expect(emitted).toHaveLength(1);
    const rm = emitted[0]!.resourceMetrics;
    expect(rm).toHaveLength(1);
    expect(attrs(rm[0]!.resource.attributes)).toEqual({
      'service.name': 'recommendationservice',
      'service.namespace': 'opentelemetry-demo',
      'service.instance.id': 'recommendationservice-1',
    });
    const [calls, duration] = rm[0]!.scopeMetrics[0]!.metrics;
    expect(calls!.name).toBe('traces.span.metrics.calls');
    expect(duration!.name).toBe('traces.span.metrics.duration');
    expect(duration!.unit).toBe('ms');
    if (calls!.data.type !== 'sum' || duration!.data.type !== 'histogram') throw new Error('types');
    expect(calls!.data.isMonotonic).toBe(true);
    const byKey = (pts: readonly (NumberDataPoint | HistogramDataPoint)[]) =>
      new Map(
        pts.map((p) => [
          `${attrs(p.attributes)['span.name']}|${attrs(p.attributes)['span.kind']}|${attrs(p.attributes)['status.code']}`,
          p,
        ]),
      );
    const callPts = byKey(calls!.data.dataPoints) as Map<string, NumberDataPoint>;
    expect(callPts.get('ListRecommendations|SPAN_KIND_SERVER|STATUS_CODE_UNSET')!.value).toBe(3);
    expect(callPts.get('ListRecommendations|SPAN_KIND_SERVER|STATUS_CODE_ERROR')!.value).toBe(1);
    expect(callPts.get('get_product_list|SPAN_KIND_INTERNAL|STATUS_CODE_OK')!.value).toBe(1);
    const h = (byKey(duration!.data.dataPoints) as Map<string, HistogramDataPoint>).get(
      'ListRecommendations|SPAN_KIND_SERVER|STATUS_CODE_UNSET',
    )!;
    expect(h.explicitBounds).toEqual([2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000]);
    expect(h.bucketCounts).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(h.sum).toBeCloseTo(20004.5);
    expect(h.count).toBe(3);
    expect(h.exemplars.map((e) => [e.value, e.spanId])).toEqual([
      [2, '0000000000000001'],
      [2.5, '0000000000000002'],
      [20000, '0000000000000003'],
    ]);
    // Exemplars are drained on flush; counts stay cumulative.
    c.consumeTraces(
      traces('recommendationservice', [span('ListRecommendations', 3, SpanKind.SERVER, StatusCode.UNSET, 9)]),
    );
    c.flush();
    const h2 = (
      emitted[1]!.resourceMetrics[0]!.scopeMetrics[0]!.metrics[1]!.data as unknown as {
        dataPoints: HistogramDataPoint[];
      }
    ).dataPoints.find(
      (p) =>
        attrs(p.attributes)['status.code'] === 'STATUS_CODE_UNSET' &&
        attrs(p.attributes)['span.name'] === 'ListRecommendations',
    )!;
    expect(h2.count).toBe(4);
    expect(h2.bucketCounts.slice(0, 2)).toEqual([1, 2]);
    expect(h2.exemplars.map((e) => e.spanId)).toEqual(['0000000000000009']);
  });

  it('translates to the contract names and labels on /metrics', () => {
    const c = new SpanMetricsConnector({ consumeMetrics: () => {} });
    c.consumeTraces(
      traces('frontend', [
        span('GET /api/recommendations', 12, SpanKind.SERVER),
        span('GET /api/recommendations', 60, SpanKind.SERVER),
      ]),
    );
    const out = new CollectingAppender();
    new OtlpToPrometheus().translate(c.snapshot(), out);
    const text = renderExposition(out.families());
    const lbl =
      'instance="frontend-1",job="opentelemetry-demo/frontend",service_name="frontend",span_kind="SPAN_KIND_SERVER",span_name="GET /api/recommendations",status_code="STATUS_CODE_UNSET"';
    expect(text).toContain(
      `# TYPE traces_span_metrics_calls_total counter\ntraces_span_metrics_calls_total{${lbl}} 2\n`,
    );
    expect(text).toContain('# TYPE traces_span_metrics_duration_milliseconds histogram\n');
    expect(text).toMatch(
      /traces_span_metrics_duration_milliseconds_bucket\{instance="frontend-1",job="opentelemetry-demo\/frontend",le="50",[^}]*\} 1\n/,
    );
    expect(text).toMatch(
      /traces_span_metrics_duration_milliseconds_bucket\{instance="frontend-1",job="opentelemetry-demo\/frontend",le="100",[^}]*\} 2\n/,
    );
    expect(text).toMatch(/traces_span_metrics_duration_milliseconds_sum\{[^}]*\} 72\n/);
    expect(text).toMatch(/traces_span_metrics_duration_milliseconds_count\{[^}]*\} 2\n/);
  });

  it('folds spans beyond the cardinality limit into an overflow series', () => {
    const c = new SpanMetricsConnector({ consumeMetrics: () => {} }, { maxSeries: 2 });
    c.consumeTraces(traces('svc', [span('a', 1), span('b', 1), span('c', 1), span('d', 1)]));
    const pts = (
      c.snapshot().resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.data as unknown as { dataPoints: NumberDataPoint[] }
    ).dataPoints;
    expect(pts.map((p) => [attrs(p.attributes)['span.name'] ?? 'overflow', p.value])).toEqual([
      ['a', 1],
      ['b', 1],
      ['overflow', 2],
    ]);
    expect(c.stats().overflowSpans).toBe(2);
  });
});
