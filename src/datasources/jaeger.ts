// Spans read from an external Jaeger query API (`--jaeger-url`) for the diagnosis features that
// compute over spans (the attribute comparison): a trace search over HTTP, its Jaeger JSON turned
// back into the store's span shape (the reverse of src/api/jaeger/convert.ts: the tags Jaeger
// derives from OTLP fields, span.kind, otel.status_code, otel.scope.*, become those fields again).
// The answer is the engine's and hostile like any network input: every field is checked, a span
// that does not fit is skipped and counted, never a crash.
import type { AnyValue, KeyValue, SpanEvent, SpanKind, StatusCode } from '../otlp/model.js';
import { anyValueToString } from '../otlp/model.js';
import { JAEGER_SPAN_KINDS, type StoredSpan, type TraceQuery } from '../traces/storage.js';
import { quoteLongIntegers } from '../otlp/decode-json.js';
import { Upstream, UpstreamError } from './upstream.js';
import { isRecord } from '../json/record.js';

/** Jaeger writes int64 tag values as number literals; quoted first, those beyond 2^53 stay exact. */
const TAG_VALUE_KEYS: ReadonlySet<string> = new Set(['value']);
export function parseJaegerJson(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text, TAG_VALUE_KEYS)) as unknown;
}

/** Most traces one comparison reads from an external Jaeger (one search answer). */
export const DEFAULT_MAX_TRACES = 2000;

type Json = Record<string, unknown>;

const KIND_BY_NAME = new Map<string, SpanKind>(
  Object.entries(JAEGER_SPAN_KINDS).map(([k, name]) => [name, Number(k) as SpanKind]),
);

/** A Jaeger tag's value as an OTLP value; undefined when the tag is malformed. */
function tagValue(tag: Json): AnyValue | undefined {
  const v = tag.value;
  switch (tag.type) {
    case 'bool':
      return typeof v === 'boolean' ? { kind: 'bool', value: v } : undefined;
    case 'int64':
      if (typeof v === 'number' && Number.isInteger(v)) return { kind: 'int', value: v };
      if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) {
        const n = BigInt(v);
        return {
          kind: 'int',
          value: n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n,
        };
      }
      return undefined;
    case 'float64':
      // a long integer-looking literal arrives quoted (see parseJaegerJson)
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return { kind: 'double', value: Number(v) };
      return typeof v === 'number' ? { kind: 'double', value: v } : undefined;
    case 'binary':
      return typeof v === 'string' ? { kind: 'bytes', value: Buffer.from(v, 'base64') } : undefined;
    case 'string':
    case undefined:
      return typeof v === 'string' ? { kind: 'string', value: v } : undefined;
    default:
      return undefined;
  }
}

function keyValues(tags: unknown): KeyValue[] {
  if (!Array.isArray(tags)) return [];
  const out: KeyValue[] = [];
  for (const t of tags) {
    if (!isRecord(t) || typeof t.key !== 'string') continue;
    const value = tagValue(t);
    if (value) out.push({ key: t.key, value });
  }
  return out;
}

const µsToNs = (us: number): number => us * 1000;

/** One trace of Jaeger's JSON as the store's spans; malformed spans are left out (counted in `skipped`). */
export function fromJaegerTrace(trace: unknown): { spans: StoredSpan[]; skipped: number } {
  const spans: StoredSpan[] = [];
  let skipped = 0;
  if (!isRecord(trace) || !Array.isArray(trace.spans)) return { spans, skipped: 1 };
  const processes = isRecord(trace.processes) ? trace.processes : {};
  for (const s of trace.spans) {
    if (
      !isRecord(s) ||
      typeof s.traceID !== 'string' ||
      typeof s.spanID !== 'string' ||
      typeof s.startTime !== 'number' ||
      typeof s.duration !== 'number'
    ) {
      skipped++;
      continue;
    }
    const process = typeof s.processID === 'string' ? processes[s.processID] : undefined;
    const serviceName =
      isRecord(process) && typeof process.serviceName === 'string' ? process.serviceName : 'unknown_service';
    const resourceAttrs: KeyValue[] = [{ key: 'service.name', value: { kind: 'string', value: serviceName } }];
    if (isRecord(process)) resourceAttrs.push(...keyValues(process.tags));
    let kind: SpanKind = 0;
    let code: StatusCode = 0;
    let message = '';
    let scopeName = '';
    let scopeVersion = '';
    let traceState = '';
    const attributes: KeyValue[] = [];
    for (const kv of keyValues(s.tags)) {
      const text = kv.value.kind === 'string' ? kv.value.value : undefined;
      if (kv.key === 'span.kind' && text !== undefined) kind = KIND_BY_NAME.get(text) ?? 0;
      else if (kv.key === 'otel.status_code' && text !== undefined)
        code = text === 'ERROR' ? 2 : text === 'OK' ? 1 : code;
      else if (kv.key === 'error' && kv.value.kind === 'bool') code = kv.value.value ? 2 : code;
      else if (kv.key === 'otel.status_description' && text !== undefined) message = text;
      else if (kv.key === 'otel.scope.name' && text !== undefined) scopeName = text;
      else if (kv.key === 'otel.scope.version' && text !== undefined) scopeVersion = text;
      else if (kv.key === 'w3c.tracestate' && text !== undefined) traceState = text;
      else attributes.push(kv);
    }
    const events: SpanEvent[] = [];
    for (const log of Array.isArray(s.logs) ? s.logs : []) {
      if (!isRecord(log) || typeof log.timestamp !== 'number') continue;
      const fields = keyValues(log.fields);
      const nameField = fields.find((f) => f.key === 'event');
      events.push({
        timeUnixNano: µsToNs(log.timestamp),
        name: nameField ? anyValueToString(nameField.value) : '',
        attributes: fields.filter((f) => f !== nameField),
        droppedAttributesCount: 0,
      });
    }
    const refs = Array.isArray(s.references) ? s.references.filter(isRecord) : [];
    const parent = refs.find((r) => r.refType === 'CHILD_OF' && typeof r.spanID === 'string');
    const startNs = µsToNs(s.startTime);
    spans.push({
      traceId: s.traceID.padStart(32, '0'),
      spanId: s.spanID,
      traceState,
      parentSpanId: parent ? String(parent.spanID) : '',
      flags: typeof s.flags === 'number' ? s.flags : 0,
      name: typeof s.operationName === 'string' ? s.operationName : '',
      kind,
      startTimeUnixNano: startNs,
      endTimeUnixNano: startNs + µsToNs(Math.max(0, s.duration)),
      attributes,
      droppedAttributesCount: 0,
      events,
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code, message },
      resource: { attributes: resourceAttrs, droppedAttributesCount: 0 },
      serviceName,
      scope: { name: scopeName, version: scopeVersion, attributes: [] },
    });
  }
  return { spans, skipped };
}

function valueText(v: AnyValue): string {
  return v.kind === 'string' ? v.value : anyValueToString(v);
}

/** Whether a span satisfies every condition of a search by itself (contracts.md's span-level semantics). */
export function spanMatches(span: StoredSpan, q: TraceQuery): boolean {
  if (q.service !== undefined && span.serviceName !== q.service) return false;
  if (q.operation !== undefined && span.name !== q.operation) return false;
  if (q.spanKind !== undefined && (JAEGER_SPAN_KINDS[span.kind] ?? '') !== q.spanKind) return false;
  const startUs = span.startTimeUnixNano / 1000;
  const durUs = (span.endTimeUnixNano - span.startTimeUnixNano) / 1000;
  if (q.startTimeMinUs !== undefined && startUs < q.startTimeMinUs) return false;
  if (q.startTimeMaxUs !== undefined && startUs > q.startTimeMaxUs) return false;
  if (q.durationMinUs !== undefined && durUs < q.durationMinUs) return false;
  if (q.durationMaxUs !== undefined && durUs > q.durationMaxUs) return false;
  for (const [key, want] of Object.entries(q.tags)) {
    const has = (attrs: readonly KeyValue[]): boolean =>
      attrs.some((kv) => kv.key === key && valueText(kv.value) === want);
    if (!has(span.attributes) && !has(span.resource.attributes) && !span.events.some((e) => has(e.attributes))) {
      if (key === 'error' && want === 'true' && span.status.code === 2) continue;
      return false;
    }
  }
  return true;
}

/** The Jaeger API search of a TraceQuery (service is required by Jaeger). */
export function jaegerSearchPath(q: TraceQuery, maxTraces: number): string {
  const p = new URLSearchParams();
  if (q.service !== undefined) p.set('service', q.service);
  if (q.operation !== undefined) p.set('operation', q.operation);
  if (q.spanKind !== undefined) p.set('spanKind', q.spanKind);
  if (Object.keys(q.tags).length > 0) p.set('tags', JSON.stringify(q.tags));
  if (q.startTimeMinUs !== undefined) p.set('start', String(Math.floor(q.startTimeMinUs)));
  if (q.startTimeMaxUs !== undefined) p.set('end', String(Math.ceil(q.startTimeMaxUs)));
  if (q.durationMinUs !== undefined) p.set('minDuration', `${Math.floor(q.durationMinUs)}us`);
  if (q.durationMaxUs !== undefined) p.set('maxDuration', `${Math.ceil(q.durationMaxUs)}us`);
  p.set('limit', String(q.limit > 0 ? Math.min(q.limit, maxTraces) : maxTraces));
  return `/api/traces?${p}`;
}

/** A span source over an external Jaeger: one search, its matching spans visited. */
export class RemoteJaegerSpans {
  constructor(
    private readonly upstream: Upstream,
    private readonly maxTraces = DEFAULT_MAX_TRACES,
  ) {}

  async scanSpans(q: TraceQuery, visit: (span: StoredSpan) => void): Promise<{ traces: number; skipped: number }> {
    if (q.service === undefined) throw new UpstreamError('a search of an external Jaeger needs a service');
    const { status, body } = await this.upstream.json('GET', jaegerSearchPath(q, this.maxTraces), {
      parse: parseJaegerJson,
    });
    if (status !== 200 || !isRecord(body) || !Array.isArray(body.data)) {
      const said = isRecord(body) && Array.isArray(body.errors) ? JSON.stringify(body.errors).slice(0, 300) : '';
      throw new UpstreamError(
        `${this.upstream.displayUrl} answered the trace search with HTTP ${status}${said ? `: ${said}` : ''}`,
        status,
      );
    }
    let skipped = 0;
    for (const trace of body.data) {
      const read = fromJaegerTrace(trace);
      skipped += read.skipped;
      for (const span of read.spans) if (spanMatches(span, q)) visit(span);
    }
    return { traces: body.data.length, skipped };
  }
}
