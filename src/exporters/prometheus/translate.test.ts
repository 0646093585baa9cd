import { describe, expect, it } from 'vitest';
import type { KeyValue, Metric, MetricsData, NumberDataPoint, HistogramDataPoint } from '../../otlp/model.js';
import { Temporality } from '../../otlp/model.js';
import { Head } from '../../tsdb/head.js';
import { labelsToRecord, type Labels } from '../../labels/labels.js';
import { newMatcher } from '../../labels/matcher.js';
import type { Appender, AppendStatus, Exemplar, MetricMetadata } from '../../storage/storage.js';
import { formatFloatF, prometheusLabelName, prometheusMetricName } from './naming.js';
import { OtlpToPrometheus, exponentialToExplicit } from './translate.js';
import { CollectingAppender, renderExposition } from './exposition.js';

class RecordingAppender implements Appender {
  samples: { labels: Record<string, string>; t: number; v: number; stale: boolean }[] = [];
  exemplars: { series: Record<string, string>; exemplar: Exemplar }[] = [];
  meta = new Map<string, MetricMetadata>();
  append(labels: Labels, t: number, v: number): AppendStatus {
    this.samples.push({ labels: labelsToRecord(labels), t, v, stale: false });
    return 'ok';
  }
  appendStale(labels: Labels, t: number): AppendStatus {
    this.samples.push({ labels: labelsToRecord(labels), t, v: NaN, stale: true });
    return 'ok';
  }
  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    this.exemplars.push({ series: labelsToRecord(seriesLabels), exemplar });
  }
  setMetadata(name: string, m: MetricMetadata): void {
    this.meta.set(name, m);
  }
  find(
    name: string,
    extra: Record<string, string> = {},
  ): { labels: Record<string, string>; t: number; v: number; stale: boolean }[] {
    return this.samples.filter(
      (s) => s.labels['__name__'] === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v),
    );
  }
}

const s = (key: string, value: string): KeyValue => ({ key, value: { kind: 'string', value } });
const T = 1_700_000_000_000; // ms
const NS = T * 1e6;

function batch(metrics: Metric[], resource: KeyValue[] = DEFAULT_RESOURCE): MetricsData {
  return {
    resourceMetrics: [
      {
        resource: { attributes: resource, droppedAttributesCount: 0 },
        scopeMetrics: [{ scope: { name: 'x', version: '', attributes: [] }, metrics, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

const DEFAULT_RESOURCE = [
  s('service.name', 'recommendationservice'),
  s('service.namespace', 'opentelemetry-demo'),
  s('service.instance.id', 'recommendationservice-1'),
  s('telemetry.sdk.language', 'nodejs'),
];

function num(value: number, attrs: KeyValue[] = [], t = NS, extra: Partial<NumberDataPoint> = {}): NumberDataPoint {
  return { attributes: attrs, startTimeUnixNano: NS - 1e9, timeUnixNano: t, value, exemplars: [], flags: 0, ...extra };
}

function hist(
  counts: number[],
  bounds: number[],
  sum: number,
  attrs: KeyValue[] = [],
  t = NS,
  extra: Partial<HistogramDataPoint> = {},
): HistogramDataPoint {
  return {
    attributes: attrs,
    startTimeUnixNano: NS - 1e9,
    timeUnixNano: t,
    count: counts.reduce((a, b) => a + b, 0),
    sum,
    bucketCounts: counts,
    explicitBounds: bounds,
    exemplars: [],
    flags: 0,
    min: undefined,
    max: undefined,
    ...extra,
  };
}

describe('metric names (Prometheus OTLP translation with suffixes)', () => {
  it('matches what the pinned instrumentation packages emit (contracts.md table)', () => {
    // host-metrics 0.6.0: process.cpu.time is an observable counter, unit s
    expect(prometheusMetricName('process.cpu.time', 's', 'sum', true)).toBe('process_cpu_time_seconds_total');
    // process.memory.usage is an observable gauge with no unit
    expect(prometheusMetricName('process.memory.usage', '', 'gauge', false)).toBe('process_memory_usage');
    // runtime-node 0.36.1
    expect(prometheusMetricName('v8js.memory.heap.used', 'By', 'gauge', false)).toBe('v8js_memory_heap_used_bytes');
    expect(prometheusMetricName('nodejs.eventloop.delay.p99', 's', 'gauge', false)).toBe(
      'nodejs_eventloop_delay_p99_seconds',
    );
    expect(prometheusMetricName('v8js.gc.duration', 's', 'histogram', false)).toBe('v8js_gc_duration_seconds');
    expect(prometheusMetricName('nodejs.eventloop.utilization', '1', 'gauge', false)).toBe(
      'nodejs_eventloop_utilization_ratio',
    );
    expect(prometheusMetricName('v8js.memory.heap.space.size', 'By', 'sum', false)).toBe(
      'v8js_memory_heap_space_size_bytes',
    );
    expect(prometheusMetricName('v8js.resource.active', '{resource}', 'gauge', false)).toBe('v8js_resource_active');
    expect(prometheusMetricName('app_recommendations_counter', '', 'sum', true)).toBe(
      'app_recommendations_counter_total',
    );
  });

  it('spanmetrics names', () => {
    expect(prometheusMetricName('traces.span.metrics.calls', '', 'sum', true)).toBe('traces_span_metrics_calls_total');
    expect(prometheusMetricName('traces.span.metrics.duration', 'ms', 'histogram', false)).toBe(
      'traces_span_metrics_duration_milliseconds',
    );
  });

  it('unit and suffix rules', () => {
    expect(prometheusMetricName('http.server.requests', '{request}', 'sum', true)).toBe('http_server_requests_total');
    expect(prometheusMetricName('cache.hit', '1', 'sum', true)).toBe('cache_hit_total'); // _ratio only for gauges
    expect(prometheusMetricName('net.io', 'By/s', 'gauge', false)).toBe('net_io_bytes_per_second');
    expect(prometheusMetricName('total.requests.total', '', 'sum', true)).toBe('requests_total');
    expect(prometheusMetricName('latency_seconds', 's', 'gauge', false)).toBe('latency_seconds');
    expect(prometheusMetricName('2xx.count', '', 'gauge', false)).toBe('_2xx_count');
    expect(prometheusMetricName('queue.size', 'widgets', 'gauge', false)).toBe('queue_size_widgets');
    expect(prometheusMetricName('foo--bar', 'Cel', 'gauge', false)).toBe('foo_bar_celsius');
  });

  it('label names', () => {
    expect(prometheusLabelName('http.route')).toBe('http_route');
    expect(prometheusLabelName('2fa')).toBe('key_2fa');
    expect(prometheusLabelName('_private')).toBe('key_private');
    expect(prometheusLabelName('__reserved__')).toBe('__reserved__');
    expect(prometheusLabelName('grüße')).toBe('gr__e');
  });

  it('formats le like Go FormatFloat f -1', () => {
    expect(formatFloatF(0.005)).toBe('0.005');
    expect(formatFloatF(1e-7)).toBe('0.0000001');
    expect(formatFloatF(1e21)).toBe('1000000000000000000000');
    expect(formatFloatF(2.5e-10)).toBe('0.00000000025');
    expect(formatFloatF(10000)).toBe('10000');
    expect(formatFloatF(Infinity)).toBe('+Inf');
  });
});

describe('OtlpToPrometheus', () => {
  it('counter: labels, job/instance, promoted service_name, metadata, target_info', () => {
    const rec = new RecordingAppender();
    new OtlpToPrometheus().translate(
      batch([
        {
          name: 'app_recommendations_counter',
          description: 'Counts recommendations',
          unit: '',
          data: {
            type: 'sum',
            isMonotonic: true,
            aggregationTemporality: Temporality.CUMULATIVE,
            dataPoints: [num(7, [s('recommendation.type', 'catalog')])],
          },
        },
      ]),
      rec,
    );
    const [c] = rec.find('app_recommendations_counter_total');
    expect(c).toEqual({
      labels: {
        __name__: 'app_recommendations_counter_total',
        recommendation_type: 'catalog',
        job: 'opentelemetry-demo/recommendationservice',
        instance: 'recommendationservice-1',
        service_name: 'recommendationservice',
      },
      t: T,
      v: 7,
      stale: false,
    });
    expect(rec.meta.get('app_recommendations_counter_total')).toEqual({
      type: 'counter',
      help: 'Counts recommendations',
      unit: '',
    });
    const [ti] = rec.find('target_info');
    expect(ti!.labels).toEqual({
      __name__: 'target_info',
      job: 'opentelemetry-demo/recommendationservice',
      instance: 'recommendationservice-1',
      telemetry_sdk_language: 'nodejs',
    });
    expect(ti!.v).toBe(1);
  });

  it('job is service.name alone without a namespace; colliding keys join with ";"; point attrs beat promoted', () => {
    const rec = new RecordingAppender();
    new OtlpToPrometheus().translate(
      batch(
        [
          {
            name: 'g',
            description: '',
            unit: '',
            data: {
              type: 'gauge',
              dataPoints: [num(1, [s('a.b', 'x'), s('a_b', 'y'), s('service.name', 'override')])],
            },
          },
        ],
        [s('service.name', 'svc')],
      ),
      rec,
    );
    expect(rec.find('g')[0]!.labels).toEqual({ __name__: 'g', a_b: 'x;y', job: 'svc', service_name: 'override' });
    expect(rec.find('target_info')).toHaveLength(0); // no non-identifying resource attributes
  });

  it('histogram: cumulative buckets, +Inf = count, _sum, _count, exemplars in the right bucket', () => {
    const rec = new RecordingAppender();
    const ex = (value: number, traceId: string) => ({
      filteredAttributes: [],
      timeUnixNano: NS - 5e6,
      value,
      traceId,
      spanId: 'aaaaaaaaaaaaaaaa',
    });
    new OtlpToPrometheus().translate(
      batch([
        {
          name: 'traces.span.metrics.duration',
          description: '',
          unit: 'ms',
          data: {
            type: 'histogram',
            aggregationTemporality: Temporality.CUMULATIVE,
            dataPoints: [
              hist([1, 2, 3], [10, 100], 555, [s('span.name', 'GET')], NS, {
                exemplars: [ex(5, 't1'), ex(100, 't2'), ex(1e6, 't3')],
              }),
            ],
          },
        },
      ]),
      rec,
    );
    const base = 'traces_span_metrics_duration_milliseconds';
    const b = (le: string) => rec.find(base + '_bucket', { le })[0]!.v;
    expect([b('10'), b('100'), b('+Inf')]).toEqual([1, 3, 6]);
    expect(rec.find(base + '_sum')[0]!.v).toBe(555);
    expect(rec.find(base + '_count')[0]!.v).toBe(6);
    expect(rec.meta.get(base)).toEqual({ type: 'histogram', help: '', unit: 'milliseconds' });
    expect(
      rec.exemplars.map((e) => [e.series['le'], e.exemplar.value, labelsToRecord(e.exemplar.labels)['trace_id']]),
    ).toEqual([
      ['10', 5, 't1'],
      ['100', 100, 't2'],
      ['+Inf', 1e6, 't3'],
    ]);
    expect(rec.exemplars[0]!.exemplar.t).toBe(T - 5);
    expect(labelsToRecord(rec.exemplars[0]!.exemplar.labels)).toEqual({ trace_id: 't1', span_id: 'aaaaaaaaaaaaaaaa' });
  });

  it('accumulates delta sums and delta histograms into cumulative series', () => {
    const rec = new RecordingAppender();
    const tr = new OtlpToPrometheus();
    for (let i = 1; i <= 3; i++) {
      tr.translate(
        batch([
          {
            name: 'req',
            description: '',
            unit: '',
            data: {
              type: 'sum',
              isMonotonic: true,
              aggregationTemporality: Temporality.DELTA,
              dataPoints: [num(2, [], NS + i * 1e9)],
            },
          },
          {
            name: 'lat',
            description: '',
            unit: 's',
            data: {
              type: 'histogram',
              aggregationTemporality: Temporality.DELTA,
              dataPoints: [hist([1, 1], [1], 1.5, [], NS + i * 1e9)],
            },
          },
        ]),
        rec,
      );
    }
    expect(rec.find('req_total').map((x) => x.v)).toEqual([2, 4, 6]);
    expect(rec.find('lat_seconds_bucket', { le: '1' }).map((x) => x.v)).toEqual([1, 2, 3]);
    expect(rec.find('lat_seconds_bucket', { le: '+Inf' }).map((x) => x.v)).toEqual([2, 4, 6]);
    expect(rec.find('lat_seconds_sum').map((x) => x.v)).toEqual([1.5, 3, 4.5]);
    expect(rec.find('req_total').map((x) => x.t)).toEqual([T + 1000, T + 2000, T + 3000]);
  });

  it('non-monotonic sums are gauges without _total; no-recorded-value flag → staleness marker', () => {
    const rec = new RecordingAppender();
    new OtlpToPrometheus().translate(
      batch([
        {
          name: 'queue.depth',
          description: '',
          unit: '{item}',
          data: {
            type: 'sum',
            isMonotonic: false,
            aggregationTemporality: Temporality.CUMULATIVE,
            dataPoints: [num(-3)],
          },
        },
        {
          name: 'gone',
          description: '',
          unit: '',
          data: { type: 'gauge', dataPoints: [num(0, [], NS, { flags: 1 })] },
        },
      ]),
      rec,
    );
    expect(rec.find('queue_depth')[0]!.v).toBe(-3);
    expect(rec.meta.get('queue_depth')!.type).toBe('gauge');
    expect(rec.find('gone')[0]!.stale).toBe(true);
  });

  it('summary: quantile series, _sum, _count', () => {
    const rec = new RecordingAppender();
    new OtlpToPrometheus().translate(
      batch([
        {
          name: 'rpc.duration',
          description: '',
          unit: 'ms',
          data: {
            type: 'summary',
            dataPoints: [
              {
                attributes: [],
                startTimeUnixNano: 0,
                timeUnixNano: NS,
                count: 10,
                sum: 50,
                quantileValues: [
                  { quantile: 0.5, value: 4 },
                  { quantile: 0.99, value: 9 },
                ],
                flags: 0,
              },
            ],
          },
        },
      ]),
      rec,
    );
    expect(rec.find('rpc_duration_milliseconds', { quantile: '0.99' })[0]!.v).toBe(9);
    expect(rec.find('rpc_duration_milliseconds_count')[0]!.v).toBe(10);
  });

  it('converts exponential histograms to explicit buckets', () => {
    const h = exponentialToExplicit({
      attributes: [],
      startTimeUnixNano: 0,
      timeUnixNano: NS,
      count: 6,
      sum: 20,
      scale: 0,
      zeroCount: 1,
      positive: { offset: 1, bucketCounts: [2, 3] }, // (2,4], (4,8]
      negative: { offset: 0, bucketCounts: [] },
      flags: 0,
      exemplars: [],
      min: undefined,
      max: undefined,
      zeroThreshold: 0,
    });
    expect(h!.explicitBounds).toEqual([0, 4, 8]);
    expect(h!.bucketCounts).toEqual([1, 2, 3, 0]);
  });

  it('gives negative exponential buckets their own negative le bounds', () => {
    const h = exponentialToExplicit({
      attributes: [],
      startTimeUnixNano: 0,
      timeUnixNano: NS,
      count: 6,
      sum: -20,
      scale: 0,
      zeroCount: 1,
      positive: { offset: 0, bucketCounts: [1] }, // (1,2]
      negative: { offset: 1, bucketCounts: [3, 1] }, // [-4,-2), [-8,-4)
      flags: 0,
      exemplars: [],
      min: undefined,
      max: undefined,
      zeroThreshold: 0,
    });
    expect(h!.explicitBounds).toEqual([-4, -2, 0, 2]);
    expect(h!.bucketCounts).toEqual([1, 3, 1, 1, 0]);
  });

  it('appends into the real Head, queryable by matchers, with exemplars and metadata', () => {
    const head = new Head();
    new OtlpToPrometheus().translate(
      batch([
        {
          name: 'traces.span.metrics.calls',
          description: '',
          unit: '',
          data: {
            type: 'sum',
            isMonotonic: true,
            aggregationTemporality: Temporality.CUMULATIVE,
            dataPoints: [
              num(3, [s('span.name', 'GET /')], NS, {
                exemplars: [
                  {
                    filteredAttributes: [],
                    timeUnixNano: NS,
                    value: 1,
                    traceId: 'ab'.repeat(16),
                    spanId: 'cd'.repeat(8),
                  },
                ],
              }),
            ],
          },
        },
      ]),
      head,
    );
    const got = head.select(
      [
        newMatcher('=', '__name__', 'traces_span_metrics_calls_total'),
        newMatcher('=', 'service_name', 'recommendationservice'),
      ],
      0,
      Infinity,
    );
    expect(got).toHaveLength(1);
    expect(Array.from(got[0]!.v)).toEqual([3]);
    expect(labelsToRecord(got[0]!.labels)['span_name']).toBe('GET /');
    const ex = head.selectExemplars([[newMatcher('=', '__name__', 'traces_span_metrics_calls_total')]], 0, Infinity);
    expect(labelsToRecord(ex[0]!.exemplars[0]!.labels)['trace_id']).toBe('ab'.repeat(16));
    expect(head.metadata('traces_span_metrics_calls_total').get('traces_span_metrics_calls_total')!.type).toBe(
      'counter',
    );
  });
});

describe('points the store refuses', () => {
  const gauge = (t: number, value: number, attrs: KeyValue[] = []): Metric => ({
    name: 'temp',
    description: '',
    unit: '',
    data: { type: 'gauge', dataPoints: [num(value, attrs, t * 1e6)] },
  });
  const deltaSum = (t: number, value: number): Metric => ({
    name: 'req',
    description: '',
    unit: '',
    data: {
      type: 'sum',
      isMonotonic: true,
      aggregationTemporality: Temporality.DELTA,
      dataPoints: [num(value, [], t * 1e6)],
    },
  });

  it('counts a future-dated point by reason and stores the rest of the batch', () => {
    const head = new Head({ now: () => T });
    const stats = new OtlpToPrometheus().translate(
      batch([gauge(T + 365 * 86_400_000, 1, [s('k', 'future')]), gauge(T, 2, [s('k', 'now')])]),
      head,
    );
    expect([...stats.refusedPoints]).toEqual([['too-far-in-future', 1]]);
    expect(head.series([newMatcher('=', '__name__', 'temp')], -Infinity, Infinity)).toHaveLength(1);
    // target_info is stamped with the newest point stored, not the refused one.
    const info = head.select([newMatcher('=', '__name__', 'target_info')], -Infinity, Infinity);
    expect([...info[0]!.t]).toEqual([T]);
  });

  it('keeps a refused delta out of the running total, and a retried delta export is not counted twice', () => {
    const head = new Head({ now: () => T + 60_000 });
    const tr = new OtlpToPrometheus();
    tr.translate(batch([deltaSum(T, 5)]), head);
    const future = tr.translate(batch([deltaSum(T + 3_600_000, 100)]), head);
    expect(future.refusedPoints.get('too-far-in-future')).toBe(1);
    tr.translate(batch([deltaSum(T + 10_000, 1)]), head);
    const retry = tr.translate(batch([deltaSum(T + 10_000, 1)]), head);
    expect(retry.refusedPoints.get('duplicate')).toBe(1);
    const old = tr.translate(batch([deltaSum(T + 5_000, 1)]), head);
    expect(old.refusedPoints.get('out-of-order')).toBe(1);
    tr.translate(batch([deltaSum(T + 20_000, 2)]), head);
    const [req] = head.select([newMatcher('=', '__name__', 'req_total')], -Infinity, Infinity);
    expect([...req!.v]).toEqual([5, 6, 8]);
  });
});

describe('text exposition', () => {
  it('renders families with HELP/TYPE, escaping and +Inf', () => {
    const c = new CollectingAppender();
    new OtlpToPrometheus({ targetInfo: false }).translate(
      batch(
        [
          {
            name: 'h',
            description: 'line1\nback\\slash',
            unit: '',
            data: {
              type: 'histogram',
              aggregationTemporality: Temporality.CUMULATIVE,
              dataPoints: [hist([1, 1], [0.5], 2, [s('q', 'a"b\\c\nd')])],
            },
          },
        ],
        [s('service.name', 'svc')],
      ),
      c,
    );
    const text = renderExposition(c.families());
    expect(text).toBe(
      [
        '# HELP h line1\\nback\\\\slash',
        '# TYPE h histogram',
        'h_sum{job="svc",q="a\\"b\\\\c\\nd",service_name="svc"} 2',
        'h_count{job="svc",q="a\\"b\\\\c\\nd",service_name="svc"} 2',
        'h_bucket{job="svc",le="0.5",q="a\\"b\\\\c\\nd",service_name="svc"} 1',
        'h_bucket{job="svc",le="+Inf",q="a\\"b\\\\c\\nd",service_name="svc"} 2',
        '',
      ].join('\n'),
    );
  });
});
