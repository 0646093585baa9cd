// bench:ingest's requests (bench/demo-traces.ts): valid OTLP that the backend's decoder reads, with
// nothing repeated between sends that real traffic would not repeat.
import { describe, expect, it } from 'vitest';
import { decodeTracesRequest } from '../src/otlp/decode-protobuf.js';
import type { Span } from '../src/otlp/model.js';
import { Template } from '../bench/demo-traces.js';

function spansOf(body: Buffer): { service: string; span: Span }[] {
  const out: { service: string; span: Span }[] = [];
  for (const rs of decodeTracesRequest(body).resourceSpans) {
    const name = rs.resource.attributes.find((a) => a.key === 'service.name')?.value;
    const service = name?.kind === 'string' ? name.value : '';
    for (const ss of rs.scopeSpans) for (const span of ss.spans) out.push({ service, span });
  }
  return out;
}

const text = (s: Span, key: string): string | undefined => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.kind === 'string' ? v.value : undefined;
};

describe('bench:ingest requests', () => {
  const template = new Template(512);
  const now = Date.now();
  const sends = [template.fresh(now), template.fresh(now)].map(spansOf);

  it('decode to whole demo-shaped traces of about the batch size', () => {
    for (const spans of sends) {
      expect(spans).toHaveLength(template.spans);
      expect(template.spans).toBeGreaterThanOrEqual(512);
      const ids = new Set(spans.map((s) => s.span.spanId));
      // every parent is in the same request and the same trace
      for (const { span } of spans) {
        if (span.parentSpanId === '') continue;
        expect(ids.has(span.parentSpanId)).toBe(true);
      }
      const services = new Set(spans.map((s) => s.service));
      expect(services.size).toBeGreaterThanOrEqual(8);
      expect(new Set(spans.map((s) => s.span.name)).size).toBeGreaterThanOrEqual(15);
    }
  });

  it('never repeats an ID, a request ID or a start time between spans or sends', () => {
    const all = sends.flat().map((s) => s.span);
    const distinct = (xs: unknown[]): number => new Set(xs).size;
    expect(distinct(all.map((s) => s.spanId))).toBe(all.length);
    expect(distinct(all.map((s) => text(s, 'app.request.id')))).toBe(all.length);
    expect(distinct(all.map((s) => s.startTimeUnixNano))).toBeGreaterThan(all.length * 0.95);
    const traces = sends.map((spans) => new Set(spans.map((s) => s.span.traceId)));
    for (const t of traces[0]!) expect(traces[1]!.has(t)).toBe(false);
    const sessions = sends.map((spans) => new Set(spans.map((s) => text(s.span, 'session.id')).filter(Boolean)));
    expect(sessions[0]!.size).toBe(traces[0]!.size); // one per trace
    for (const x of sessions[0]!) expect(sessions[1]!.has(x)).toBe(false);
  });

  it('has times in the recent past and durations that vary', () => {
    const spans = sends[0]!.map((s) => s.span);
    for (const s of spans) {
      expect(s.endTimeUnixNano).toBeGreaterThanOrEqual(s.startTimeUnixNano);
      expect(s.startTimeUnixNano / 1e6).toBeGreaterThan(now - 3000);
      expect(s.startTimeUnixNano / 1e6).toBeLessThan(now + 5000);
    }
    const durations = new Set(spans.map((s) => Math.round((s.endTimeUnixNano - s.startTimeUnixNano) / 1000)));
    expect(durations.size).toBeGreaterThan(spans.length * 0.5);
  });
});
