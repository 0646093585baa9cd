// The decoded OTLP data model shared by both receivers (HTTP and gRPC), the pipeline and the
// stores. It mirrors opentelemetry-proto v1 (common, resource, trace, metrics, logs) with three
// deliberate simplifications for speed:
//  - trace and span IDs are lower-case hex strings ('' when absent);
//  - times are nanoseconds since the epoch as JS numbers: doubles keep ~256 ns of precision at
//    today's epoch, far finer than the microseconds Jaeger and the milliseconds PromQL use;
//  - int64 attribute values are JS numbers when they are safe integers and bigints otherwise, so
//    every int64 stays exact without making the common case pay for bigint arithmetic.
import { toJsonText } from './json-text.js';

export type AnyValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** a number when |value| <= 2^53 - 1 and a bigint beyond (never a bigint for a safe value) */
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'array'; readonly value: readonly AnyValue[] }
  | { readonly kind: 'kvlist'; readonly value: readonly KeyValue[] }
  | { readonly kind: 'empty' };

/**
 * Deepest nesting of array and kvlist values the decoders accept (a value inside a value inside
 * …). Real attributes nest a few levels; bounding it keeps every recursive walk (decoding,
 * storing, printing) far from the stack limit.
 */
export const MAX_VALUE_NESTING = 64;

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

export interface Resource {
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly KeyValue[];
}

// ---- traces ----

/** opentelemetry.proto.trace.v1.Span.SpanKind */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** opentelemetry.proto.trace.v1.Status.StatusCode */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface SpanEvent {
  readonly timeUnixNano: number;
  readonly name: string;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
}

export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  /** '' for a root span */
  readonly parentSpanId: string;
  readonly flags: number;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTimeUnixNano: number;
  readonly endTimeUnixNano: number;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: { readonly code: StatusCode; readonly message: string };
}

export interface ScopeSpans {
  readonly scope: InstrumentationScope;
  readonly spans: readonly Span[];
  readonly schemaUrl: string;
}

export interface ResourceSpans {
  readonly resource: Resource;
  readonly scopeSpans: readonly ScopeSpans[];
  readonly schemaUrl: string;
}

/** ExportTraceServiceRequest */
export interface TracesData {
  readonly resourceSpans: readonly ResourceSpans[];
}

// ---- metrics ----

export interface Exemplar {
  readonly filteredAttributes: readonly KeyValue[];
  readonly timeUnixNano: number;
  readonly value: number;
  readonly spanId: string;
  readonly traceId: string;
}

export interface NumberDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: number;
  readonly timeUnixNano: number;
  /** as_double or as_int, whichever was set */
  readonly value: number;
  readonly exemplars: readonly Exemplar[];
  /** DataPointFlags: bit 0 = FLAG_NO_RECORDED_VALUE */
  readonly flags: number;
}

export interface HistogramDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: number;
  readonly timeUnixNano: number;
  readonly count: number;
  readonly sum: number | undefined;
  /** counts per bucket, length = explicitBounds.length + 1 (not cumulative, as on the wire) */
  readonly bucketCounts: readonly number[];
  readonly explicitBounds: readonly number[];
  readonly exemplars: readonly Exemplar[];
  readonly flags: number;
  readonly min: number | undefined;
  readonly max: number | undefined;
}

export interface ExponentialHistogramBuckets {
  readonly offset: number;
  readonly bucketCounts: readonly number[];
}

export interface ExponentialHistogramDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: number;
  readonly timeUnixNano: number;
  readonly count: number;
  readonly sum: number | undefined;
  readonly scale: number;
  readonly zeroCount: number;
  readonly positive: ExponentialHistogramBuckets;
  readonly negative: ExponentialHistogramBuckets;
  readonly flags: number;
  readonly exemplars: readonly Exemplar[];
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly zeroThreshold: number;
}

export interface SummaryDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: number;
  readonly timeUnixNano: number;
  readonly count: number;
  readonly sum: number;
  readonly quantileValues: readonly { readonly quantile: number; readonly value: number }[];
  readonly flags: number;
}

/** AggregationTemporality */
export const Temporality = { UNSPECIFIED: 0, DELTA: 1, CUMULATIVE: 2 } as const;
export type Temporality = (typeof Temporality)[keyof typeof Temporality];

export type MetricData =
  | { readonly type: 'gauge'; readonly dataPoints: readonly NumberDataPoint[] }
  | {
      readonly type: 'sum';
      readonly dataPoints: readonly NumberDataPoint[];
      readonly aggregationTemporality: Temporality;
      readonly isMonotonic: boolean;
    }
  | {
      readonly type: 'histogram';
      readonly dataPoints: readonly HistogramDataPoint[];
      readonly aggregationTemporality: Temporality;
    }
  | {
      readonly type: 'exponentialHistogram';
      readonly dataPoints: readonly ExponentialHistogramDataPoint[];
      readonly aggregationTemporality: Temporality;
    }
  | { readonly type: 'summary'; readonly dataPoints: readonly SummaryDataPoint[] }
  | { readonly type: 'empty' };

export interface Metric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly data: MetricData;
}

export interface ScopeMetrics {
  readonly scope: InstrumentationScope;
  readonly metrics: readonly Metric[];
  readonly schemaUrl: string;
}

export interface ResourceMetrics {
  readonly resource: Resource;
  readonly scopeMetrics: readonly ScopeMetrics[];
  readonly schemaUrl: string;
}

/** ExportMetricsServiceRequest */
export interface MetricsData {
  readonly resourceMetrics: readonly ResourceMetrics[];
}

// ---- logs (accepted and counted for now) ----

export interface LogRecord {
  readonly timeUnixNano: number;
  readonly observedTimeUnixNano: number;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AnyValue;
  readonly attributes: readonly KeyValue[];
  readonly traceId: string;
  readonly spanId: string;
}

export interface ScopeLogs {
  readonly scope: InstrumentationScope;
  readonly logRecords: readonly LogRecord[];
  readonly schemaUrl: string;
}

export interface ResourceLogs {
  readonly resource: Resource;
  readonly scopeLogs: readonly ScopeLogs[];
  readonly schemaUrl: string;
}

/** ExportLogsServiceRequest */
export interface LogsData {
  readonly resourceLogs: readonly ResourceLogs[];
}

/** Text form of an attribute value, as Jaeger tag search and Prometheus labels print it. */
export function anyValueToString(v: AnyValue): string {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
    case 'double':
      return String(v.value);
    case 'bytes':
      return Buffer.from(v.value).toString('base64');
    case 'array':
    case 'kvlist':
      return toJsonText(anyValueToJson(v));
    case 'empty':
      return '';
  }
}

/** Plain JSON form of an attribute value (arrays and maps nested; int64 beyond 2^53 as bigint). */
export function anyValueToJson(v: AnyValue): unknown {
  switch (v.kind) {
    case 'array':
      return v.value.map(anyValueToJson);
    case 'kvlist': {
      const out: Record<string, unknown> = {};
      for (const kv of v.value) out[kv.key] = anyValueToJson(kv.value);
      return out;
    }
    case 'bytes':
      return Buffer.from(v.value).toString('base64');
    case 'empty':
      return null;
    default:
      return v.value;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 in the model's form (number when safe, else bigint); undefined outside int64. */
export function int64Value(v: bigint): number | bigint | undefined {
  if (v < INT64_MIN || v > INT64_MAX) return undefined;
  return v >= -Number.MAX_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v;
}

export function findAttribute(attrs: readonly KeyValue[], key: string): AnyValue | undefined {
  for (const kv of attrs) if (kv.key === key) return kv.value;
  return undefined;
}
