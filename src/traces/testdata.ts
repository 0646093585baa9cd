// Builders of OTLP batches for the trace store's and the Jaeger API's tests (and the benchmark's
// smaller cousins): terse, with the defaults a real SDK would send.
import type { AnyValue, KeyValue, Span, SpanEvent, SpanLink, TracesData } from '../otlp/model.js';

export type AttrInput = string | number | boolean | AnyValue;

export function attrs(rec: Readonly<Record<string, AttrInput>>): KeyValue[] {
  return Object.entries(rec).map(([key, v]) => ({ key, value: toAnyValue(v) }));
}

export function toAnyValue(v: AttrInput): AnyValue {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'double', value: v };
  return v;
}

export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name?: string;
  kind?: Span['kind'];
  /** ms since the epoch */
  startMs: number;
  durationMs?: number;
  attributes?: Readonly<Record<string, AttrInput>>;
  events?: { name: string; timeMs: number; attributes?: Readonly<Record<string, AttrInput>> }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code: 0 | 1 | 2; message?: string };
  flags?: number;
  traceState?: string;
}

export function span(s: SpanInput): Span {
  const start = s.startMs * 1e6;
  const events: SpanEvent[] = (s.events ?? []).map((e) => ({
    timeUnixNano: e.timeMs * 1e6,
    name: e.name,
    attributes: attrs(e.attributes ?? {}),
    droppedAttributesCount: 0,
  }));
  const links: SpanLink[] = (s.links ?? []).map((l) => ({
    traceId: l.traceId,
    spanId: l.spanId,
    traceState: '',
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
  }));
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState ?? '',
    parentSpanId: s.parentSpanId ?? '',
    flags: s.flags ?? 1,
    name: s.name ?? 'op',
    kind: s.kind ?? 2,
    startTimeUnixNano: start,
    endTimeUnixNano: start + (s.durationMs ?? 1) * 1e6,
    attributes: attrs(s.attributes ?? {}),
    droppedAttributesCount: 0,
    events,
    droppedEventsCount: 0,
    links,
    droppedLinksCount: 0,
    status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
  };
}

export interface ServiceSpans {
  service: string;
  resource?: Readonly<Record<string, AttrInput>>;
  scope?: { name: string; version?: string };
  spans: Span[];
}

export function batch(...groups: ServiceSpans[]): TracesData {
  return {
    resourceSpans: groups.map((g) => ({
      resource: { attributes: attrs({ 'service.name': g.service, ...(g.resource ?? {}) }), droppedAttributesCount: 0 },
      scopeSpans: [
        {
          scope: {
            name: g.scope?.name ?? '@opentelemetry/instrumentation-http',
            version: g.scope?.version ?? '0.223.0',
            attributes: [],
          },
          spans: g.spans,
          schemaUrl: '',
        },
      ],
      schemaUrl: '',
    })),
  };
}

/** A 32-digit trace id from a small number (readable in tests). */
export function tid(n: number): string {
  return 'a'.repeat(16) + n.toString(16).padStart(16, '0');
}

export function sid(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** A deterministic pseudo-random source in [0, 1) (a linear congruential generator), for generated fixtures. */
export function rng(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}
