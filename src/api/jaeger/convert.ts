// Stored traces → Jaeger's JSON model (model/json in jaeger), showing OTLP data the way Jaeger's
// OTLP translator does: span kind, status and scope become tags, events become logs, links
// become FOLLOWS_FROM references, resource attributes become process tags.
import { anyValueToString, type AnyValue, type KeyValue, type Resource } from '../../otlp/model.js';
import { JAEGER_SPAN_KINDS, type StoredSpan, type Trace } from '../../traces/storage.js';

export type JaegerTagType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

export interface JaegerKeyValue {
  readonly key: string;
  readonly type: JaegerTagType;
  /** an int64 beyond 2^53 is a bigint: write it with toJsonText, which keeps every digit */
  readonly value: string | number | bigint | boolean;
}

export interface JaegerReference {
  readonly refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  readonly traceID: string;
  readonly spanID: string;
}

export interface JaegerLog {
  readonly timestamp: number;
  readonly fields: JaegerKeyValue[];
}

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly flags: number;
  readonly operationName: string;
  readonly references: JaegerReference[];
  readonly startTime: number;
  readonly duration: number;
  readonly tags: JaegerKeyValue[];
  readonly logs: JaegerLog[];
  readonly processID: string;
  readonly warnings: string[] | null;
}

export interface JaegerProcess {
  readonly serviceName: string;
  readonly tags: JaegerKeyValue[];
}

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: JaegerSpan[];
  readonly processes: Record<string, JaegerProcess>;
  readonly warnings: string[] | null;
}

/** Jaeger prints a 128-bit ID whose high half is zero as 16 digits. */
export function jaegerTraceId(hex32: string): string {
  return hex32.length === 32 && hex32.startsWith('0000000000000000') ? hex32.slice(16) : hex32;
}

/** ns since the epoch → whole µs (rounded: ns doubles near today's epoch are not exact). */
function us(ns: number): number {
  return Math.round(ns / 1000);
}

export function toJaegerKeyValue(key: string, v: AnyValue): JaegerKeyValue {
  switch (v.kind) {
    case 'string':
      return { key, type: 'string', value: v.value };
    case 'bool':
      return { key, type: 'bool', value: v.value };
    case 'int':
      return { key, type: 'int64', value: v.value };
    case 'double':
      return { key, type: 'float64', value: v.value };
    case 'bytes':
      return { key, type: 'binary', value: Buffer.from(v.value).toString('base64') };
    default:
      // arrays and maps as JSON text, as Jaeger's OTLP translator shows them
      return { key, type: 'string', value: anyValueToString(v) };
  }
}

function tagsOf(attrs: readonly KeyValue[], skipServiceName = false): JaegerKeyValue[] {
  const out: JaegerKeyValue[] = [];
  for (const kv of attrs) {
    if (skipServiceName && kv.key === 'service.name') continue;
    out.push(toJaegerKeyValue(kv.key, kv.value));
  }
  return out;
}

function spanTags(s: StoredSpan): JaegerKeyValue[] {
  const tags = tagsOf(s.attributes);
  if (s.scope.name !== '') tags.push({ key: 'otel.scope.name', type: 'string', value: s.scope.name });
  if (s.scope.version !== '') tags.push({ key: 'otel.scope.version', type: 'string', value: s.scope.version });
  const kind = JAEGER_SPAN_KINDS[s.kind] ?? '';
  if (kind !== '') tags.push({ key: 'span.kind', type: 'string', value: kind });
  if (s.status.code === 1) tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  if (s.status.code === 2) {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    tags.push({ key: 'error', type: 'bool', value: true });
  }
  if (s.status.message !== '') tags.push({ key: 'otel.status_description', type: 'string', value: s.status.message });
  if (s.traceState !== '') tags.push({ key: 'w3c.tracestate', type: 'string', value: s.traceState });
  return tags;
}

export function toJaegerTrace(trace: Trace): JaegerTrace {
  const processIds = new Map<Resource, string>();
  const processes: Record<string, JaegerProcess> = {};
  const traceID = jaegerTraceId(trace.traceId);
  const spans = trace.spans.map((s): JaegerSpan => {
    let pid = processIds.get(s.resource);
    if (pid === undefined) {
      pid = `p${processIds.size + 1}`;
      processIds.set(s.resource, pid);
      processes[pid] = { serviceName: s.serviceName, tags: tagsOf(s.resource.attributes, true) };
    }
    const references: JaegerReference[] = [];
    if (s.parentSpanId !== '') references.push({ refType: 'CHILD_OF', traceID, spanID: s.parentSpanId });
    for (const l of s.links)
      references.push({ refType: 'FOLLOWS_FROM', traceID: jaegerTraceId(l.traceId), spanID: l.spanId });
    return {
      traceID,
      spanID: s.spanId,
      flags: s.flags & 0xff,
      operationName: s.name,
      references,
      startTime: us(s.startTimeUnixNano),
      duration: Math.max(0, us(s.endTimeUnixNano - s.startTimeUnixNano)),
      tags: spanTags(s),
      logs: s.events.map((e) => ({
        timestamp: us(e.timeUnixNano),
        fields: [{ key: 'event', type: 'string', value: e.name } as JaegerKeyValue, ...tagsOf(e.attributes)],
      })),
      processID: pid,
      warnings: null,
    };
  });
  return { traceID, spans, processes, warnings: null };
}
