// The OTLP spec's validity rules for span identity, applied by both decoders after decoding: a
// trace or span ID of all zeros is invalid, so such a span is left out (and counted) rather than
// merged with every other such span into one trace 000…0; a parent span ID of all zeros means
// "no parent".
import type { DecodeReport } from './decode-report.js';
import type { ScopeSpans, Span, TracesData } from './model.js';

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

export const INVALID_TRACE_ID = 'invalid (trace ID all zeros)';
export const INVALID_SPAN_ID = 'invalid (span ID all zeros)';

/** `data` without its spans of invalid identity (counted in `report`), parents of all zeros cleared. */
export function checkSpanIds(data: TracesData, report: DecodeReport | undefined): TracesData {
  let changed = false;
  const resourceSpans = data.resourceSpans.map((rs) => {
    let groupChanged = false;
    const scopeSpans = rs.scopeSpans.map((ss): ScopeSpans => {
      let spans: Span[] | undefined;
      for (let i = 0; i < ss.spans.length; i++) {
        const span = ss.spans[i]!;
        let kept: Span | undefined = span;
        if (span.traceId === ZERO_TRACE_ID) {
          report?.drop(INVALID_TRACE_ID);
          kept = undefined;
        } else if (span.spanId === ZERO_SPAN_ID) {
          report?.drop(INVALID_SPAN_ID);
          kept = undefined;
        } else if (span.parentSpanId === ZERO_SPAN_ID) kept = { ...span, parentSpanId: '' };
        if (kept !== span && spans === undefined) spans = ss.spans.slice(0, i);
        if (spans !== undefined && kept !== undefined) spans.push(kept);
      }
      if (spans === undefined) return ss;
      groupChanged = true;
      return { ...ss, spans };
    });
    if (!groupChanged) return rs;
    changed = true;
    return { ...rs, scopeSpans };
  });
  return changed ? { resourceSpans } : data;
}
