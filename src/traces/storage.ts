// The trace storage doors, in Jaeger's split: a writer that takes decoded OTLP batches (it is a
// pipeline sink), and a reader that the query APIs (Jaeger now, an OTLP-shaped API later) call.
// Neither API layer sees how spans are laid out in memory.
import type { InstrumentationScope, Resource, Span } from '../otlp/model.js';
import type { TracesConsumer } from '../consumer/consumer.js';

/** The write side: one decoded OTLP batch at a time. Spans of a trace may come in many batches. */
export type SpanWriter = TracesConsumer;

/**
 * A stored span: the OTLP span plus the resource and scope it came with. Resource and scope
 * objects are shared by every span of the same origin (compare them by identity to group
 * spans into Jaeger processes).
 */
export interface StoredSpan extends Span {
  readonly resource: Resource;
  /** the resource's `service.name` ('unknown_service' when it has none, as the SDKs default) */
  readonly serviceName: string;
  readonly scope: InstrumentationScope;
}

/** A whole trace as read back: its spans in arrival order. */
export interface Trace {
  /** 32 lower-case hex digits */
  readonly traceId: string;
  readonly spans: readonly StoredSpan[];
  /** earliest span start, nanoseconds since the epoch */
  readonly startTimeUnixNano: number;
  /** latest span end, nanoseconds since the epoch */
  readonly endTimeUnixNano: number;
}

/**
 * A trace search (contracts.md, "Trace search semantics"): a trace matches when at least one
 * of its spans satisfies every given condition together.
 */
export interface TraceQuery {
  /** service.name of the span's resource */
  readonly service?: string;
  /** span name */
  readonly operation?: string;
  /** 'server' | 'client' | 'producer' | 'consumer' | 'internal' (Jaeger's words) */
  readonly spanKind?: string;
  /** key → value text; looked up in span, resource and event attributes and Jaeger's derived tags */
  readonly tags: Readonly<Record<string, string>>;
  /** the matching span's start must lie in [startTimeMinUs, startTimeMaxUs] (µs since the epoch) */
  readonly startTimeMinUs?: number;
  readonly startTimeMaxUs?: number;
  /** the matching span's duration bounds, µs, inclusive */
  readonly durationMinUs?: number;
  readonly durationMaxUs?: number;
  /** most traces returned (newest first by trace start); 0 means no limit */
  readonly limit: number;
}

export interface OperationInfo {
  readonly name: string;
  /** Jaeger's word for the kind ('server', 'client', …), '' when unspecified */
  readonly spanKind: string;
}

export interface DependencyLink {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
}

export interface TraceStoreStats {
  readonly traces: number;
  readonly spans: number;
  /** estimated memory held by the store (data, index and string tables) */
  readonly bytes: number;
  /** traces and spans dropped by the byte budget or the retention time, since start */
  readonly droppedTraces: number;
  readonly droppedSpans: number;
}

export interface TraceReader {
  /** service names seen, sorted */
  getServices(): string[];
  /** the operations of a service, optionally only of one span kind, sorted by name */
  getOperations(q: { readonly service: string; readonly spanKind?: string }): OperationInfo[];
  findTraces(q: TraceQuery): Trace[];
  /** traceId: 32 hex digits, any case */
  getTrace(traceId: string): Trace | undefined;
  /** parent → child service calls of traces with spans starting in [endTsMs - lookbackMs, endTsMs] */
  getDependencies(endTsMs: number, lookbackMs: number): DependencyLink[];
  stats(): TraceStoreStats;
}

/** Jaeger's words for OTLP span kinds, indexed by the OTLP enum value ('' for unspecified). */
export const JAEGER_SPAN_KINDS: readonly string[] = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
