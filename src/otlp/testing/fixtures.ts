// Test fixtures built with the real OpenTelemetry JS SDK types, so the OTLP bytes under test are
// what the exporters really send: spans with every attribute type, events, links and status;
// metrics of every type the SDK produces; log records with structured bodies.
import { SpanKind, SpanStatusCode, ValueType, type HrTime } from '@opentelemetry/api';
import type { AnyValueMap } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The exact nanosecond count of an HrTime, rounded once to a double as the decoder does. */
export function hrToNanos(t: HrTime): number {
  return Number(BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]));
}

export const RESOURCE = resourceFromAttributes({
  'service.name': 'checkoutservice',
  'service.namespace': 'opentelemetry-demo',
  'service.instance.id': 'checkoutservice-1',
  'process.pid': 4242,
  'telemetry.sdk.language': 'nodejs',
});

const SCOPE = { name: 'orrery-tests', version: '1.2.3' };

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const ROOT_ID = 'eee19b7ec3c1b174';
export const CHILD_ID = 'eee19b7ec3c1b173';
export const LINKED_TRACE = '0af7651916cd43dd8448eb211c80319c';
export const LINKED_SPAN = 'b7ad6b7169203331';

/**
 * Two spans, parent and child. The attributes go beyond what the SDK's setAttribute allows
 * (bytes, nested maps, heterogeneous arrays) because the exporter's serializer encodes them and
 * other SDKs send them.
 */
export function richSpans(): ReadableSpan[] {
  const start: HrTime = [1_764_000_000, 123_456_789];
  const end: HrTime = [1_764_000_001, 987_654_321];
  const root: ReadableSpan = {
    name: 'POST /api/checkout',
    kind: SpanKind.SERVER,
    spanContext: () => ({ traceId: TRACE_ID, spanId: ROOT_ID, traceFlags: 1, traceState: undefined }),
    parentSpanContext: undefined,
    startTime: start,
    endTime: end,
    duration: [1, 864_197_532],
    ended: true,
    status: { code: SpanStatusCode.ERROR, message: 'card declined' },
    attributes: {
      'http.method': 'POST',
      'http.status_code': 502,
      'app.negative': -42,
      'app.big': 9_007_199_254_740_991,
      'app.ratio': 0.25,
      'app.flag': true,
      'app.off': false,
      'app.tags': ['a', 'b', 'ünï©ødé'],
      'app.numbers': [1, 2, 3],
      'app.empty': '',
      'app.unicode': 'Grüße, 世界 🌍',
    },
    links: [
      {
        context: { traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceFlags: 1 },
        attributes: { 'link.reason': 'retry', 'link.n': 2 },
        droppedAttributesCount: 1,
      },
    ],
    events: [
      {
        name: 'exception',
        time: [1_764_000_001, 5],
        attributes: { 'exception.type': 'Declined', 'exception.escaped': false },
      },
      { name: 'retry', time: [1_764_000_001, 500_000_000] },
    ],
    resource: RESOURCE,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 3,
    droppedEventsCount: 4,
    droppedLinksCount: 5,
  };
  const childAttrs: Record<string, unknown> = {
    'rpc.system': 'grpc',
    'app.bytes': new Uint8Array([0, 1, 2, 250, 255]),
    'app.map': { nested: 'yes', depth: 2, inner: { ok: true } },
  };
  const child: ReadableSpan = {
    ...root,
    name: 'grpc.hipstershop.PaymentService/Charge',
    kind: SpanKind.CLIENT,
    spanContext: () => ({ traceId: TRACE_ID, spanId: CHILD_ID, traceFlags: 1, traceState: undefined }),
    parentSpanContext: { traceId: TRACE_ID, spanId: ROOT_ID, traceFlags: 1 },
    status: { code: SpanStatusCode.OK },
    attributes: childAttrs as ReadableSpan['attributes'],
    links: [],
    events: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
  return [root, child];
}

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Counter, up-down counter, gauge, explicit and exponential histograms, through the real SDK. */
export async function sdkMetrics(temporality: 'cumulative' | 'delta' = 'cumulative'): Promise<ResourceMetrics> {
  const reader = new CollectingReader({
    aggregationTemporalitySelector: () =>
      temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
  });
  const provider = new MeterProvider({
    resource: RESOURCE,
    readers: [reader],
    views: [
      { instrumentName: 'app.latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
      {
        instrumentName: 'app.latency',
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [1, 10, 100] } },
      },
    ],
  });
  const meter = provider.getMeter('orrery-tests', '1.2.3');
  meter
    .createCounter('app.requests', { description: 'requests', unit: '{request}', valueType: ValueType.INT })
    .add(5, { route: '/a' });
  meter.createCounter('app.bytes', { unit: 'By', valueType: ValueType.DOUBLE }).add(2.5);
  meter.createUpDownCounter('app.inflight', { valueType: ValueType.INT }).add(-3, { pool: 'x' });
  meter.createGauge('app.temperature', { unit: 'Cel' }).record(21.5, { room: 'lab' });
  const h = meter.createHistogram('app.latency', { unit: 'ms' });
  for (const v of [0.5, 5, 50, 500, 7]) h.record(v, { route: '/b' });
  const e = meter.createHistogram('app.latency.exp', { unit: 's' });
  for (const v of [0.001, 0.01, 0.1, 1, 10]) e.record(v);
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length) throw new Error(`metric collection failed: ${String(errors[0])}`);
  await provider.shutdown();
  return resourceMetrics;
}

export function richLogs(): ReadableLogRecord[] {
  const body: AnyValueMap = { message: 'order placed', items: [1, 'two', false], detail: { id: 'abc', n: 3 } };
  return [
    {
      hrTime: [1_764_000_002, 1],
      hrTimeObserved: [1_764_000_002, 2],
      spanContext: { traceId: TRACE_ID, spanId: ROOT_ID, traceFlags: 1 },
      severityText: 'INFO',
      severityNumber: 9,
      body,
      resource: RESOURCE,
      instrumentationScope: SCOPE,
      attributes: { 'log.kind': 'audit', 'log.bytes': new Uint8Array([9, 8, 7]) },
      droppedAttributesCount: 0,
    },
    {
      hrTime: [1_764_000_003, 0],
      hrTimeObserved: [1_764_000_003, 0],
      severityText: 'ERROR',
      severityNumber: 17,
      body: 'plain text body',
      resource: RESOURCE,
      instrumentationScope: SCOPE,
      attributes: {},
      droppedAttributesCount: 0,
    },
  ];
}
