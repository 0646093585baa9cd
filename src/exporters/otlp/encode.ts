// The decoded model back to OTLP protobuf (Export{Trace,Metrics,Logs}ServiceRequest), for
// forwarding what the receivers accepted. Field numbers are opentelemetry-proto v1's. Two things
// the model does not keep cannot be sent back: a number point's as_int/as_double choice (values
// go out as as_double, which every consumer reads the same) and sub-256 ns digits of timestamps.
import type {
  AnyValue,
  Exemplar,
  ExponentialHistogramBuckets,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  LogsData,
  Metric,
  MetricsData,
  Resource,
  Span,
  TracesData,
} from '../../otlp/model.js';
import { ProtoWriter } from '../../otlp/protobuf-writer.js';

function anyValue(w: ProtoWriter, field: number, v: AnyValue): void {
  const m = w.fork(field);
  switch (v.kind) {
    case 'string':
      // an empty string is still a string value (not an empty AnyValue): always written
      w.string(1, v.value, true);
      break;
    case 'bool':
      w.tag(2, 0);
      w.varint(v.value ? 1 : 0);
      break;
    case 'int':
      w.int64(3, v.value);
      break;
    case 'double':
      w.double(4, v.value);
      break;
    case 'array': {
      const a = w.fork(5);
      for (const x of v.value) anyValue(w, 1, x);
      w.end(a);
      break;
    }
    case 'kvlist': {
      const l = w.fork(6);
      attributes(w, 1, v.value);
      w.end(l);
      break;
    }
    case 'bytes':
      w.tag(7, 2);
      w.varint(v.value.length);
      w.raw(v.value);
      break;
    case 'empty':
      break;
  }
  w.end(m);
}

function attributes(w: ProtoWriter, field: number, kvs: readonly KeyValue[]): void {
  for (const kv of kvs) {
    const m = w.fork(field);
    w.string(1, kv.key);
    anyValue(w, 2, kv.value);
    w.end(m);
  }
}

function resource(w: ProtoWriter, r: Resource): void {
  const m = w.fork(1);
  attributes(w, 1, r.attributes);
  w.uint(2, r.droppedAttributesCount);
  w.end(m);
}

function scope(w: ProtoWriter, s: InstrumentationScope): void {
  const m = w.fork(1);
  w.string(1, s.name);
  w.string(2, s.version);
  attributes(w, 3, s.attributes);
  w.end(m);
}

function span(w: ProtoWriter, s: Span): void {
  w.hex(1, s.traceId);
  w.hex(2, s.spanId);
  w.string(3, s.traceState);
  w.hex(4, s.parentSpanId);
  w.string(5, s.name);
  w.uint(6, s.kind);
  w.fixed64(7, s.startTimeUnixNano);
  w.fixed64(8, s.endTimeUnixNano);
  attributes(w, 9, s.attributes);
  w.uint(10, s.droppedAttributesCount);
  for (const e of s.events) {
    const m = w.fork(11);
    w.fixed64(1, e.timeUnixNano);
    w.string(2, e.name);
    attributes(w, 3, e.attributes);
    w.uint(4, e.droppedAttributesCount);
    w.end(m);
  }
  w.uint(12, s.droppedEventsCount);
  for (const l of s.links) {
    const m = w.fork(13);
    w.hex(1, l.traceId);
    w.hex(2, l.spanId);
    w.string(3, l.traceState);
    attributes(w, 4, l.attributes);
    w.uint(5, l.droppedAttributesCount);
    w.fixed32(6, l.flags);
    w.end(m);
  }
  w.uint(14, s.droppedLinksCount);
  if (s.status.code !== 0 || s.status.message !== '') {
    const m = w.fork(15);
    w.string(2, s.status.message);
    w.uint(3, s.status.code);
    w.end(m);
  }
  w.fixed32(16, s.flags);
}

/**
 * The shape the three Export*ServiceRequests share: repeated Resource* = 1 { Resource resource = 1;
 * repeated Scope* = 2 { InstrumentationScope scope = 1; repeated <item> = 2; schema_url = 3 };
 * schema_url = 3 }. `item` writes one span, metric or log record's fields.
 */
function encodeRequest<
  R extends { readonly resource: Resource; readonly schemaUrl: string },
  S extends { readonly scope: InstrumentationScope; readonly schemaUrl: string },
  I,
>(
  w: ProtoWriter,
  resources: readonly R[],
  scopesOf: (r: R) => readonly S[],
  itemsOf: (s: S) => readonly I[],
  item: (w: ProtoWriter, i: I) => void,
): Uint8Array {
  w.reset();
  for (const r of resources) {
    const rm = w.fork(1);
    resource(w, r.resource);
    for (const sc of scopesOf(r)) {
      const sm = w.fork(2);
      scope(w, sc.scope);
      for (const i of itemsOf(sc)) {
        const m = w.fork(2);
        item(w, i);
        w.end(m);
      }
      w.string(3, sc.schemaUrl);
      w.end(sm);
    }
    w.string(3, r.schemaUrl);
    w.end(rm);
  }
  return w.finish();
}

/** ExportTraceServiceRequest */
export function encodeTracesRequest(data: TracesData, w = new ProtoWriter()): Uint8Array {
  return encodeRequest(
    w,
    data.resourceSpans,
    (rs) => rs.scopeSpans,
    (ss) => ss.spans,
    span,
  );
}

function exemplars(w: ProtoWriter, field: number, list: readonly Exemplar[]): void {
  for (const e of list) {
    const m = w.fork(field);
    w.fixed64(2, e.timeUnixNano);
    w.double(3, e.value);
    w.hex(4, e.spanId);
    w.hex(5, e.traceId);
    attributes(w, 7, e.filteredAttributes);
    w.end(m);
  }
}

function optionalDouble(w: ProtoWriter, field: number, v: number | undefined): void {
  if (v !== undefined) w.double(field, v);
}

function buckets(w: ProtoWriter, field: number, b: ExponentialHistogramBuckets): void {
  const m = w.fork(field);
  w.sint(1, b.offset);
  if (b.bucketCounts.length > 0) {
    const p = w.fork(2);
    for (const c of b.bucketCounts) w.varint(c);
    w.end(p);
  }
  w.end(m);
}

/** start_time_unix_nano = 2 and time_unix_nano = 3, the same in every kind of data point */
function pointTimes(w: ProtoWriter, p: { readonly startTimeUnixNano: number; readonly timeUnixNano: number }): void {
  w.fixed64(2, p.startTimeUnixNano);
  w.fixed64(3, p.timeUnixNano);
}

/** fixed64 count = 4, written even when zero (histograms and summaries) */
function pointCount(w: ProtoWriter, count: number): void {
  w.tag(4, 1);
  w.rawFixed64(count);
}

function metric(w: ProtoWriter, metricData: Metric): void {
  w.string(1, metricData.name);
  w.string(2, metricData.description);
  w.string(3, metricData.unit);
  const d = metricData.data;
  switch (d.type) {
    case 'gauge':
    case 'sum': {
      const m = w.fork(d.type === 'gauge' ? 5 : 7);
      for (const p of d.dataPoints) {
        const pm = w.fork(1);
        pointTimes(w, p);
        w.double(4, p.value);
        exemplars(w, 5, p.exemplars);
        attributes(w, 7, p.attributes);
        w.uint(8, p.flags);
        w.end(pm);
      }
      if (d.type === 'sum') {
        w.uint(2, d.aggregationTemporality);
        w.uint(3, d.isMonotonic ? 1 : 0);
      }
      w.end(m);
      break;
    }
    case 'histogram': {
      const m = w.fork(9);
      for (const p of d.dataPoints) {
        const pm = w.fork(1);
        pointTimes(w, p);
        pointCount(w, p.count);
        optionalDouble(w, 5, p.sum);
        if (p.bucketCounts.length > 0) {
          w.tag(6, 2);
          w.varint(p.bucketCounts.length * 8);
          for (const c of p.bucketCounts) w.rawFixed64(c);
        }
        if (p.explicitBounds.length > 0) {
          w.tag(7, 2);
          w.varint(p.explicitBounds.length * 8);
          for (const b of p.explicitBounds) w.rawDouble(b);
        }
        exemplars(w, 8, p.exemplars);
        attributes(w, 9, p.attributes);
        w.uint(10, p.flags);
        optionalDouble(w, 11, p.min);
        optionalDouble(w, 12, p.max);
        w.end(pm);
      }
      w.uint(2, d.aggregationTemporality);
      w.end(m);
      break;
    }
    case 'exponentialHistogram': {
      const m = w.fork(10);
      for (const p of d.dataPoints) {
        const pm = w.fork(1);
        attributes(w, 1, p.attributes);
        pointTimes(w, p);
        pointCount(w, p.count);
        optionalDouble(w, 5, p.sum);
        w.sint(6, p.scale);
        w.fixed64(7, p.zeroCount);
        buckets(w, 8, p.positive);
        buckets(w, 9, p.negative);
        w.uint(10, p.flags);
        exemplars(w, 11, p.exemplars);
        optionalDouble(w, 12, p.min);
        optionalDouble(w, 13, p.max);
        if (p.zeroThreshold !== 0) w.double(14, p.zeroThreshold);
        w.end(pm);
      }
      w.uint(2, d.aggregationTemporality);
      w.end(m);
      break;
    }
    case 'summary': {
      const m = w.fork(11);
      for (const p of d.dataPoints) {
        const pm = w.fork(1);
        pointTimes(w, p);
        pointCount(w, p.count);
        w.double(5, p.sum);
        for (const q of p.quantileValues) {
          const qm = w.fork(6);
          w.double(1, q.quantile);
          w.double(2, q.value);
          w.end(qm);
        }
        attributes(w, 7, p.attributes);
        w.uint(8, p.flags);
        w.end(pm);
      }
      w.end(m);
      break;
    }
    case 'empty':
      break;
  }
}

/** ExportMetricsServiceRequest */
export function encodeMetricsRequest(data: MetricsData, w = new ProtoWriter()): Uint8Array {
  return encodeRequest(
    w,
    data.resourceMetrics,
    (rm) => rm.scopeMetrics,
    (sm) => sm.metrics,
    metric,
  );
}

function logRecord(w: ProtoWriter, l: LogRecord): void {
  w.fixed64(1, l.timeUnixNano);
  w.uint(2, l.severityNumber);
  w.string(3, l.severityText);
  if (l.body.kind !== 'empty') anyValue(w, 5, l.body);
  attributes(w, 6, l.attributes);
  w.hex(9, l.traceId);
  w.hex(10, l.spanId);
  w.fixed64(11, l.observedTimeUnixNano);
}

/** ExportLogsServiceRequest */
export function encodeLogsRequest(data: LogsData, w = new ProtoWriter()): Uint8Array {
  return encodeRequest(
    w,
    data.resourceLogs,
    (rl) => rl.scopeLogs,
    (sl) => sl.logRecords,
    logRecord,
  );
}
