// OTLP/protobuf → model, hand-written over the field numbers of opentelemetry-proto v1.x
// (common, resource, trace, metrics, logs and the collector Export*ServiceRequest messages).
//
// Each message decoder takes the shared reader and the end offset of its payload, switches on
// the whole tag (field << 3 | wire type) and skips what it does not know. A known field with an
// unexpected wire type falls to the default branch and is skipped like an unknown one, except the
// repeated scalars, which accept both packed and unpacked encodings as proto3 requires.
// Errors carry a path in OTLP/JSON names (resourceSpans[0].scopeSpans[1].spans[3].traceId);
// list loops add their segment only when something throws.
import { DecodeError, nestingTooDeep, rethrowWithin } from './decode-error.js';
import type { DecodeReport } from './decode-report.js';
import { MAX_VALUE_NESTING } from './model.js';
import { hasValidIds, INVALID_SPAN_ID, INVALID_TRACE_ID } from './span-ids.js';
import type {
  AnyValue,
  Exemplar,
  ExponentialHistogramBuckets,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  LogsData,
  Metric,
  MetricData,
  MetricsData,
  NumberDataPoint,
  Resource,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  ScopeLogs,
  ScopeMetrics,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
  SummaryDataPoint,
  Temporality,
  TracesData,
} from './model.js';
import { ProtoReader } from './protobuf-reader.js';

export { DecodeError } from './decode-error.js';

const EMPTY_ATTRS: readonly KeyValue[] = Object.freeze([]);
const EMPTY_VALUE: AnyValue = Object.freeze({ kind: 'empty' });
// model values are read-only, so the two booleans can be shared rather than allocated per attribute
const TRUE_VALUE: AnyValue = Object.freeze({ kind: 'bool', value: true });
const FALSE_VALUE: AnyValue = Object.freeze({ kind: 'bool', value: false });
const EMPTY_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: EMPTY_ATTRS });
const EMPTY_RESOURCE: Resource = Object.freeze({ attributes: EMPTY_ATTRS, droppedAttributesCount: 0 });
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);
const NO_EXEMPLARS: readonly Exemplar[] = Object.freeze([]);
const NO_STATUS = Object.freeze({ code: 0 as StatusCode, message: '' });

// ---------------------------------------------------------------- requests

/** The three export requests are one repeated field 1 of resource groups. */
function decodeRequest<T>(
  bytes: Uint8Array,
  field: string,
  decode: (r: ProtoReader, end: number) => T,
  report: DecodeReport | undefined,
): T[] {
  const r = new ProtoReader(bytes);
  const end = r.len;
  const list: T[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) pushEmbedded(r, list, field, decode);
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
  if (report) {
    report.invalidUtf8Strings += r.invalidUtf8;
    report.drop(INVALID_TRACE_ID, r.zeroTraceIdSpans);
    report.drop(INVALID_SPAN_ID, r.zeroSpanIdSpans);
  }
  return list;
}

/**
 * ExportTraceServiceRequest (also TracesData: same layout). Spans of invalid identity are left
 * out, and counted in `report` with the strings whose invalid UTF-8 was replaced.
 */
export function decodeTracesRequest(bytes: Uint8Array, report?: DecodeReport): TracesData {
  return { resourceSpans: decodeRequest(bytes, 'resourceSpans', decodeResourceSpans, report) };
}

/** ExportMetricsServiceRequest (also MetricsData). */
export function decodeMetricsRequest(bytes: Uint8Array, report?: DecodeReport): MetricsData {
  return { resourceMetrics: decodeRequest(bytes, 'resourceMetrics', decodeResourceMetrics, report) };
}

/** ExportLogsServiceRequest (also LogsData). */
export function decodeLogsRequest(bytes: Uint8Array, report?: DecodeReport): LogsData {
  return { resourceLogs: decodeRequest(bytes, 'resourceLogs', decodeResourceLogs, report) };
}

// ---------------------------------------------------------------- common

function decodeAnyValue(r: ProtoReader, end: number): AnyValue {
  // proto3 oneof: the last value on the wire wins
  let v: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10: // 1 string_value
        v = { kind: 'string', value: r.string() };
        break;
      case 16: // 2 bool_value
        v = r.bool() ? TRUE_VALUE : FALSE_VALUE;
        break;
      case 24: // 3 int_value
        v = { kind: 'int', value: r.int64() };
        break;
      case 33: // 4 double_value
        v = { kind: 'double', value: r.double() };
        break;
      case 42: // 5 array_value
        v = { kind: 'array', value: nested(r, 'arrayValue', decodeArrayValue) };
        break;
      case 50: // 6 kvlist_value
        v = { kind: 'kvlist', value: nested(r, 'kvlistValue', decodeKeyValueList) };
        break;
      case 58: // 7 bytes_value
        v = { kind: 'bytes', value: r.bytes() };
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return v;
}

/** An array or kvlist value's list, one nesting level deeper; refused beyond MAX_VALUE_NESTING. */
function nested<T>(r: ProtoReader, field: string, decode: (r: ProtoReader, end: number) => T): T {
  if (++r.depth > MAX_VALUE_NESTING) throw nestingTooDeep(MAX_VALUE_NESTING).within(field);
  const value = embedded(r, field, decode);
  r.depth--;
  return value;
}

function decodeArrayValue(r: ProtoReader, end: number): AnyValue[] {
  const values: AnyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) {
      try {
        values.push(decodeAnyValue(r, r.lenEnd()));
      } catch (err) {
        rethrowWithin(err, `values[${values.length}]`);
      }
    } else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return values;
}

function decodeKeyValueList(r: ProtoReader, end: number): KeyValue[] {
  const values: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) {
      try {
        values.push(decodeKeyValue(r, r.lenEnd()));
      } catch (err) {
        rethrowWithin(err, `values[${values.length}]`);
      }
    } else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return values;
}

function decodeKeyValue(r: ProtoReader, end: number): KeyValue {
  let key = '';
  let value: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) key = r.string();
    else if (tag === 18) {
      try {
        value = decodeAnyValue(r, r.lenEnd());
      } catch (err) {
        rethrowWithin(err, 'value');
      }
    } else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return { key, value };
}

/** Appends one embedded message (payload at r.pos..its length) to `list`, naming `field[i]` on error. */
function pushEmbedded<T>(r: ProtoReader, list: T[], field: string, decode: (r: ProtoReader, end: number) => T): void {
  try {
    list.push(decode(r, r.lenEnd()));
  } catch (err) {
    rethrowWithin(err, `${field}[${list.length}]`);
  }
}

function decodeScope(r: ProtoReader, end: number): InstrumentationScope {
  let name = '';
  let version = '';
  let attributes: KeyValue[] | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        name = r.string();
        break;
      case 18:
        version = r.string();
        break;
      case 26:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { name, version, attributes: attributes ?? EMPTY_ATTRS };
}

function decodeResource(r: ProtoReader, end: number): Resource {
  let attributes: KeyValue[] | undefined;
  let dropped = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
    else if (tag === 16) dropped = r.varint();
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return { attributes: attributes ?? EMPTY_ATTRS, droppedAttributesCount: dropped };
}

/** Decodes the embedded message at the reader (a LEN field whose tag was just read), naming `field` on error. */
function embedded<T>(r: ProtoReader, field: string, decode: (r: ProtoReader, end: number) => T): T {
  try {
    return decode(r, r.lenEnd());
  } catch (err) {
    rethrowWithin(err, field);
  }
}

function checkEnum(value: number, max: number, field: string): number {
  if (value > max) throw new DecodeError(field, `unknown enum value ${value}`);
  return value;
}

// ---------------------------------------------------------------- traces

/**
 * ResourceSpans/Metrics/Logs and ScopeSpans/Metrics/Logs share one layout: field 1 is the header
 * (resource or scope), field 2 the repeated items, field 3 the schema URL.
 */
function decodeGroup<H, T>(
  r: ProtoReader,
  end: number,
  header: { name: string; decode: (r: ProtoReader, end: number) => H; empty: H },
  items: { name: string; decode: (r: ProtoReader, end: number) => T },
): { header: H; items: T[]; schemaUrl: string } {
  let head = header.empty;
  const list: T[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        head = embedded(r, header.name, header.decode);
        break;
      case 18:
        pushEmbedded(r, list, items.name, items.decode);
        break;
      case 26:
        schemaUrl = r.string();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { header: head, items: list, schemaUrl };
}

const RESOURCE_HEADER = { name: 'resource', decode: decodeResource, empty: EMPTY_RESOURCE };
const SCOPE_HEADER = { name: 'scope', decode: decodeScope, empty: EMPTY_SCOPE };

function decodeResourceSpans(r: ProtoReader, end: number): ResourceSpans {
  const g = decodeGroup(r, end, RESOURCE_HEADER, { name: 'scopeSpans', decode: decodeScopeSpans });
  return { resource: g.header, scopeSpans: g.items, schemaUrl: g.schemaUrl };
}

function decodeScopeSpans(r: ProtoReader, end: number): ScopeSpans {
  const invalidBefore = r.zeroTraceIdSpans + r.zeroSpanIdSpans;
  const g = decodeGroup(r, end, SCOPE_HEADER, { name: 'spans', decode: decodeSpan });
  // decodeSpan counted the spans of invalid identity; leave them out (rare, so filtered afterwards)
  const spans = r.zeroTraceIdSpans + r.zeroSpanIdSpans === invalidBefore ? g.items : g.items.filter(hasValidIds);
  return { scope: g.header, spans, schemaUrl: g.schemaUrl };
}

function decodeSpan(r: ProtoReader, end: number): Span {
  let traceId = '';
  let spanId = '';
  let zeroTraceId = false;
  let zeroSpanId = false;
  let traceState = '';
  let parentSpanId = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let start = 0;
  let endTime = 0;
  let attributes: KeyValue[] | undefined;
  let droppedAttributes = 0;
  let events: SpanEvent[] | undefined;
  let droppedEvents = 0;
  let links: SpanLink[] | undefined;
  let droppedLinks = 0;
  let status: Span['status'] = NO_STATUS;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10: // 1 trace_id
        traceId = r.id(16, 'traceId', false);
        zeroTraceId = r.idWasZero;
        break;
      case 18: // 2 span_id
        spanId = r.id(8, 'spanId', false);
        zeroSpanId = r.idWasZero;
        break;
      case 26: // 3 trace_state
        traceState = r.string();
        break;
      case 34: // 4 parent_span_id
        parentSpanId = r.id(8, 'parentSpanId', true);
        // all zeros: no parent (OTLP)
        if (parentSpanId !== '' && r.idWasZero) parentSpanId = '';
        break;
      case 42: // 5 name
        name = r.string();
        break;
      case 48: // 6 kind
        kind = checkEnum(r.varint(), 5, 'kind');
        break;
      case 57: // 7 start_time_unix_nano
        start = r.fixed64();
        break;
      case 65: // 8 end_time_unix_nano
        endTime = r.fixed64();
        break;
      case 74: // 9 attributes
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 80: // 10 dropped_attributes_count
        droppedAttributes = r.varint();
        break;
      case 90: // 11 events
        pushEmbedded(r, (events ??= []), 'events', decodeEvent);
        break;
      case 96: // 12 dropped_events_count
        droppedEvents = r.varint();
        break;
      case 106: // 13 links
        pushEmbedded(r, (links ??= []), 'links', decodeLink);
        break;
      case 112: // 14 dropped_links_count
        droppedLinks = r.varint();
        break;
      case 122: // 15 status
        status = embedded(r, 'status', decodeStatus);
        break;
      case 133: // 16 flags (fixed32)
        flags = r.fixed32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  if (traceId === '') throw new DecodeError('traceId', 'expected 16 bytes, got 0');
  if (spanId === '') throw new DecodeError('spanId', 'expected 8 bytes, got 0');
  // kept for decodeScopeSpans to leave out, so that one invalid span does not fail the request
  if (zeroTraceId) r.zeroTraceIdSpans++;
  else if (zeroSpanId) r.zeroSpanIdSpans++;
  return {
    traceId,
    spanId,
    traceState,
    parentSpanId,
    flags,
    name,
    kind: kind as SpanKind,
    startTimeUnixNano: start,
    endTimeUnixNano: endTime,
    attributes: attributes ?? EMPTY_ATTRS,
    droppedAttributesCount: droppedAttributes,
    events: events ?? NO_EVENTS,
    droppedEventsCount: droppedEvents,
    links: links ?? NO_LINKS,
    droppedLinksCount: droppedLinks,
    status,
  };
}

function decodeEvent(r: ProtoReader, end: number): SpanEvent {
  let time = 0;
  let name = '';
  let attributes: KeyValue[] | undefined;
  let dropped = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 9:
        time = r.fixed64();
        break;
      case 18:
        name = r.string();
        break;
      case 26:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 32:
        dropped = r.varint();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { timeUnixNano: time, name, attributes: attributes ?? EMPTY_ATTRS, droppedAttributesCount: dropped };
}

function decodeLink(r: ProtoReader, end: number): SpanLink {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let attributes: KeyValue[] | undefined;
  let dropped = 0;
  let flags = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        traceId = r.id(16, 'traceId', false);
        break;
      case 18:
        spanId = r.id(8, 'spanId', false);
        break;
      case 26:
        traceState = r.string();
        break;
      case 34:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 40:
        dropped = r.varint();
        break;
      case 53:
        flags = r.fixed32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  if (traceId === '') throw new DecodeError('traceId', 'expected 16 bytes, got 0');
  if (spanId === '') throw new DecodeError('spanId', 'expected 8 bytes, got 0');
  return { traceId, spanId, traceState, attributes: attributes ?? EMPTY_ATTRS, droppedAttributesCount: dropped, flags };
}

function decodeStatus(r: ProtoReader, end: number): Span['status'] {
  let code = 0;
  let message = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 18) message = r.string();
    else if (tag === 24) code = checkEnum(r.varint(), 2, 'code');
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return { code: code as StatusCode, message };
}

// ---------------------------------------------------------------- metrics

function decodeResourceMetrics(r: ProtoReader, end: number): ResourceMetrics {
  const g = decodeGroup(r, end, RESOURCE_HEADER, { name: 'scopeMetrics', decode: decodeScopeMetrics });
  return { resource: g.header, scopeMetrics: g.items, schemaUrl: g.schemaUrl };
}

function decodeScopeMetrics(r: ProtoReader, end: number): ScopeMetrics {
  const g = decodeGroup(r, end, SCOPE_HEADER, { name: 'metrics', decode: decodeMetric });
  return { scope: g.header, metrics: g.items, schemaUrl: g.schemaUrl };
}

const EMPTY_DATA: MetricData = Object.freeze({ type: 'empty' });

function decodeMetric(r: ProtoReader, end: number): Metric {
  let name = '';
  let description = '';
  let unit = '';
  let data: MetricData = EMPTY_DATA;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        name = r.string();
        break;
      case 18:
        description = r.string();
        break;
      case 26:
        unit = r.string();
        break;
      case 42: // 5 gauge
        data = embedded(r, 'gauge', decodeGauge);
        break;
      case 58: // 7 sum
        data = embedded(r, 'sum', decodeSum);
        break;
      case 74: // 9 histogram
        data = embedded(r, 'histogram', decodeHistogram);
        break;
      case 82: // 10 exponential_histogram
        data = embedded(r, 'exponentialHistogram', decodeExponentialHistogram);
        break;
      case 90: // 11 summary
        data = embedded(r, 'summary', decodeSummary);
        break;
      default: // 12 metadata and anything newer
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { name, description, unit, data };
}

/** The data_points list (field 1) shared by every metric type, plus the aggregation fields. */
function decodePoints<P>(
  r: ProtoReader,
  end: number,
  decodePoint: (r: ProtoReader, end: number) => P,
): { points: P[]; temporality: number; monotonic: boolean } {
  const points: P[] = [];
  let temporality = 0;
  let monotonic = false;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        pushEmbedded(r, points, 'dataPoints', decodePoint);
        break;
      case 16:
        temporality = checkEnum(r.varint(), 2, 'aggregationTemporality');
        break;
      case 24:
        monotonic = r.bool();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { points, temporality, monotonic };
}

function decodeGauge(r: ProtoReader, end: number): MetricData {
  return { type: 'gauge', dataPoints: decodePoints(r, end, decodeNumberPoint).points };
}

function decodeSum(r: ProtoReader, end: number): MetricData {
  const p = decodePoints(r, end, decodeNumberPoint);
  return {
    type: 'sum',
    dataPoints: p.points,
    aggregationTemporality: p.temporality as Temporality,
    isMonotonic: p.monotonic,
  };
}

function decodeHistogram(r: ProtoReader, end: number): MetricData {
  const p = decodePoints(r, end, decodeHistogramPoint);
  return { type: 'histogram', dataPoints: p.points, aggregationTemporality: p.temporality as Temporality };
}

function decodeExponentialHistogram(r: ProtoReader, end: number): MetricData {
  const p = decodePoints(r, end, decodeExponentialPoint);
  return { type: 'exponentialHistogram', dataPoints: p.points, aggregationTemporality: p.temporality as Temporality };
}

function decodeSummary(r: ProtoReader, end: number): MetricData {
  return { type: 'summary', dataPoints: decodePoints(r, end, decodeSummaryPoint).points };
}

function decodeNumberPoint(r: ProtoReader, end: number): NumberDataPoint {
  let attributes: KeyValue[] | undefined;
  let start = 0;
  let time = 0;
  let value = 0;
  let exemplars: Exemplar[] | undefined;
  let flags = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 17:
        start = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33: // 4 as_double
        value = r.double();
        break;
      case 42:
        pushEmbedded(r, (exemplars ??= []), 'exemplars', decodeExemplar);
        break;
      case 49: // 6 as_int (sfixed64)
        value = r.sfixed64();
        break;
      case 58:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 64:
        flags = r.varint();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return {
    attributes: attributes ?? EMPTY_ATTRS,
    startTimeUnixNano: start,
    timeUnixNano: time,
    value,
    exemplars: exemplars ?? NO_EXEMPLARS,
    flags,
  };
}

/** Repeated fixed64 / double: packed (one LEN field) or one field per element. */
function readPacked64(r: ProtoReader, out: number[], asDouble: boolean): void {
  const end = r.lenEnd();
  if ((end - r.pos) % 8 !== 0) throw new DecodeError('', 'packed 64-bit field length is not a multiple of 8');
  if (asDouble) while (r.pos < end) out.push(r.double());
  else while (r.pos < end) out.push(r.fixed64());
}

function decodeHistogramPoint(r: ProtoReader, end: number): HistogramDataPoint {
  let attributes: KeyValue[] | undefined;
  let start = 0;
  let time = 0;
  let count = 0;
  let sum: number | undefined;
  const bucketCounts: number[] = [];
  const explicitBounds: number[] = [];
  let exemplars: Exemplar[] | undefined;
  let flags = 0;
  let min: number | undefined;
  let max: number | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 17:
        start = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33:
        count = r.fixed64();
        break;
      case 41:
        sum = r.double();
        break;
      case 50: // 6 bucket_counts, packed
        try {
          readPacked64(r, bucketCounts, false);
        } catch (err) {
          rethrowWithin(err, 'bucketCounts');
        }
        break;
      case 49: // 6 bucket_counts, unpacked
        bucketCounts.push(r.fixed64());
        break;
      case 58: // 7 explicit_bounds, packed
        try {
          readPacked64(r, explicitBounds, true);
        } catch (err) {
          rethrowWithin(err, 'explicitBounds');
        }
        break;
      case 57: // 7 explicit_bounds, unpacked
        explicitBounds.push(r.double());
        break;
      case 66:
        pushEmbedded(r, (exemplars ??= []), 'exemplars', decodeExemplar);
        break;
      case 74:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 80:
        flags = r.varint();
        break;
      case 89:
        min = r.double();
        break;
      case 97:
        max = r.double();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  // Downstream code indexes buckets by bound; a mismatched pair would be read out of range.
  if (bucketCounts.length !== 0 && bucketCounts.length !== explicitBounds.length + 1) {
    throw new DecodeError(
      'bucketCounts',
      `expected ${explicitBounds.length + 1} counts for ${explicitBounds.length} explicit bounds, got ${bucketCounts.length}`,
    );
  }
  return {
    attributes: attributes ?? EMPTY_ATTRS,
    startTimeUnixNano: start,
    timeUnixNano: time,
    count,
    sum,
    bucketCounts,
    explicitBounds,
    exemplars: exemplars ?? NO_EXEMPLARS,
    flags,
    min,
    max,
  };
}

const EMPTY_BUCKETS: ExponentialHistogramBuckets = Object.freeze({ offset: 0, bucketCounts: Object.freeze([]) });

function decodeBuckets(r: ProtoReader, end: number): ExponentialHistogramBuckets {
  let offset = 0;
  const bucketCounts: number[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 8: // 1 offset (sint32)
        offset = r.sint();
        break;
      case 18: {
        // 2 bucket_counts, packed uint64
        const e = r.lenEnd();
        while (r.pos < e) bucketCounts.push(r.varint());
        if (r.pos !== e) throw new DecodeError('bucketCounts', 'packed varint overruns its field');
        break;
      }
      case 16: // 2 bucket_counts, unpacked
        bucketCounts.push(r.varint());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { offset, bucketCounts };
}

function decodeExponentialPoint(r: ProtoReader, end: number): ExponentialHistogramDataPoint {
  let attributes: KeyValue[] | undefined;
  let start = 0;
  let time = 0;
  let count = 0;
  let sum: number | undefined;
  let scale = 0;
  let zeroCount = 0;
  let positive = EMPTY_BUCKETS;
  let negative = EMPTY_BUCKETS;
  let flags = 0;
  let exemplars: Exemplar[] | undefined;
  let min: number | undefined;
  let max: number | undefined;
  let zeroThreshold = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 17:
        start = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33:
        count = r.fixed64();
        break;
      case 41:
        sum = r.double();
        break;
      case 48: // 6 scale (sint32)
        scale = r.sint();
        break;
      case 57:
        zeroCount = r.fixed64();
        break;
      case 66:
        positive = embedded(r, 'positive', decodeBuckets);
        break;
      case 74:
        negative = embedded(r, 'negative', decodeBuckets);
        break;
      case 80:
        flags = r.varint();
        break;
      case 90:
        pushEmbedded(r, (exemplars ??= []), 'exemplars', decodeExemplar);
        break;
      case 97:
        min = r.double();
        break;
      case 105:
        max = r.double();
        break;
      case 113:
        zeroThreshold = r.double();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return {
    attributes: attributes ?? EMPTY_ATTRS,
    startTimeUnixNano: start,
    timeUnixNano: time,
    count,
    sum,
    scale,
    zeroCount,
    positive,
    negative,
    flags,
    exemplars: exemplars ?? NO_EXEMPLARS,
    min,
    max,
    zeroThreshold,
  };
}

function decodeQuantile(r: ProtoReader, end: number): { quantile: number; value: number } {
  let quantile = 0;
  let value = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 9) quantile = r.double();
    else if (tag === 17) value = r.double();
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return { quantile, value };
}

function decodeSummaryPoint(r: ProtoReader, end: number): SummaryDataPoint {
  let attributes: KeyValue[] | undefined;
  let start = 0;
  let time = 0;
  let count = 0;
  let sum = 0;
  const quantileValues: { quantile: number; value: number }[] = [];
  let flags = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 17:
        start = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33:
        count = r.fixed64();
        break;
      case 41:
        sum = r.double();
        break;
      case 50:
        quantileValues.push(embedded(r, `quantileValues[${quantileValues.length}]`, decodeQuantile));
        break;
      case 58:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 64:
        flags = r.varint();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return {
    attributes: attributes ?? EMPTY_ATTRS,
    startTimeUnixNano: start,
    timeUnixNano: time,
    count,
    sum,
    quantileValues,
    flags,
  };
}

function decodeExemplar(r: ProtoReader, end: number): Exemplar {
  let filteredAttributes: KeyValue[] | undefined;
  let time = 0;
  let value = 0;
  let spanId = '';
  let traceId = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 17:
        time = r.fixed64();
        break;
      case 25: // 3 as_double
        value = r.double();
        break;
      case 34:
        spanId = r.id(8, 'spanId', true);
        break;
      case 42:
        traceId = r.id(16, 'traceId', true);
        break;
      case 49: // 6 as_int
        value = r.sfixed64();
        break;
      case 58:
        pushEmbedded(r, (filteredAttributes ??= []), 'filteredAttributes', decodeKeyValue);
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { filteredAttributes: filteredAttributes ?? EMPTY_ATTRS, timeUnixNano: time, value, spanId, traceId };
}

// ---------------------------------------------------------------- logs

function decodeResourceLogs(r: ProtoReader, end: number): ResourceLogs {
  const g = decodeGroup(r, end, RESOURCE_HEADER, { name: 'scopeLogs', decode: decodeScopeLogs });
  return { resource: g.header, scopeLogs: g.items, schemaUrl: g.schemaUrl };
}

function decodeScopeLogs(r: ProtoReader, end: number): ScopeLogs {
  const g = decodeGroup(r, end, SCOPE_HEADER, { name: 'logRecords', decode: decodeLogRecord });
  return { scope: g.header, logRecords: g.items, schemaUrl: g.schemaUrl };
}

function decodeLogRecord(r: ProtoReader, end: number): LogRecord {
  let time = 0;
  let observed = 0;
  let severityNumber = 0;
  let severityText = '';
  let body: AnyValue = EMPTY_VALUE;
  let attributes: KeyValue[] | undefined;
  let traceId = '';
  let spanId = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 9:
        time = r.fixed64();
        break;
      case 16:
        severityNumber = checkEnum(r.varint(), 24, 'severityNumber');
        break;
      case 26:
        severityText = r.string();
        break;
      case 42:
        body = embedded(r, 'body', decodeAnyValue);
        break;
      case 50:
        pushEmbedded(r, (attributes ??= []), 'attributes', decodeKeyValue);
        break;
      case 74:
        traceId = r.id(16, 'traceId', true);
        break;
      case 82:
        spanId = r.id(8, 'spanId', true);
        break;
      case 89:
        observed = r.fixed64();
        break;
      default: // dropped_attributes_count, flags, event_name: not in the model
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return {
    timeUnixNano: time,
    observedTimeUnixNano: observed,
    severityNumber,
    severityText,
    body,
    attributes: attributes ?? EMPTY_ATTRS,
    traceId,
    spanId,
  };
}
