// The OTLP spec's validity rules for span identity, shared by both decoders: a trace or span ID
// of all zeros is invalid, so such a span is left out (and counted) rather than merged with every
// other such span into one trace 000…0; a parent span ID of all zeros means "no parent".
import type { DecodeReport } from './decode-report.js';
import type { Span } from './model.js';

export const ZERO_TRACE_ID = '00000000000000000000000000000000';
export const ZERO_SPAN_ID = '0000000000000000';

export const INVALID_TRACE_ID = 'invalid (trace ID all zeros)';
export const INVALID_SPAN_ID = 'invalid (span ID all zeros)';

export function hasValidIds(span: Span): boolean {
  return span.traceId !== ZERO_TRACE_ID && span.spanId !== ZERO_SPAN_ID;
}

/** `spans` without those of invalid identity, each counted in `report` with its reason. */
export function withoutInvalidIds(spans: Span[], report: DecodeReport | undefined): Span[] {
  if (spans.every(hasValidIds)) return spans;
  for (const s of spans) {
    if (s.traceId === ZERO_TRACE_ID) report?.drop(INVALID_TRACE_ID);
    else if (s.spanId === ZERO_SPAN_ID) report?.drop(INVALID_SPAN_ID);
  }
  return spans.filter(hasValidIds);
}
