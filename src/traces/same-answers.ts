// For tests that a store answers as a reference store does (one on a data directory, one whose
// segments are compressed, against one that holds everything plain): varied batches, varied
// queries, and the comparison of every answer. Kept out of the test files so they share it.
import { isDeepStrictEqual } from 'node:util';
import type { TracesData } from '../otlp/model.js';
import type { TraceQuery } from './storage.js';
import type { TraceStore } from './store.js';
import { batch, rng, sid, span, tid } from './testdata.js';

export const ANSWERS_T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const ANSWERS_SERVICES = ['front', 'cart', 'db'];

/** Demo-ish batches: traces spread over many batches, varied attributes, events, statuses. */
export function variedBatches(n: number, seed = 3): TracesData[] {
  const T0 = ANSWERS_T0;
  const rnd = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: TracesData[] = [];
  for (let b = 0; b < n; b++) {
    const spans = [];
    for (let k = 0; k < 4; k++) {
      const t = Math.floor(b / 3) + Math.floor(rnd() * 4) + 1;
      spans.push(
        span({
          traceId: tid(t),
          spanId: sid(b * 10 + k + 1),
          parentSpanId: k > 0 ? sid(b * 10 + k) : undefined,
          name: pick(['get', 'put', 'query']),
          kind: pick([1, 2, 3] as const),
          startMs: T0 + t * 50 + Math.floor(rnd() * 500),
          durationMs: Math.floor(Math.exp(rnd() * 8)),
          attributes: {
            hit: rnd() < 0.5,
            code: pick([200, 404, 500]),
            user: `u${Math.floor(rnd() * 30)}`,
            url: `/p/${b}/${k}/${Math.floor(rnd() * 1e9)}`,
            list: { kind: 'array', value: [{ kind: 'string', value: pick(['a', 'b']) }] },
          },
          events: rnd() < 0.3 ? [{ name: 'ev', timeMs: T0, attributes: { 'ev.key': pick(['a', 'b']) } }] : [],
          status: pick([{ code: 0 }, { code: 1 }, { code: 2, message: pick(['boom', 'oops']) }] as const),
        }),
      );
    }
    const service = pick(ANSWERS_SERVICES);
    out.push(batch({ service, resource: { zone: pick(['z1', 'z2']) }, spans }));
  }
  return out;
}

/** Queries over variedBatches' data: by service, operation, tags (span, event, resource, complex), duration, limits. */
export function variedQueries(n: number): TraceQuery[] {
  const rnd = rng(9);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const tags: (() => Record<string, string>)[] = [
    () => ({}),
    () => ({ user: `u${Math.floor(rnd() * 30)}` }),
    () => ({ code: pick(['200', '500']) }),
    () => ({ error: 'true' }),
    () => ({ 'ev.key': 'a', zone: pick(['z1', 'z2']) }),
    () => ({ list: '["a"]' }),
  ];
  return Array.from({ length: n }, () => ({
    service: rnd() < 0.7 ? pick(ANSWERS_SERVICES) : undefined,
    operation: rnd() < 0.3 ? pick(['get', 'put', 'query']) : undefined,
    tags: pick(tags)(),
    durationMinUs: rnd() < 0.3 ? Math.floor(Math.exp(rnd() * 8)) * 1000 : undefined,
    limit: pick([0, 5, 20]),
  }));
}

/**
 * Asks both stores every query, every trace by ID, the stats, services, operations and
 * dependencies; returns what `subject` answered differently, and how many traces the queries
 * found in `reference` (a comparison of empty answers proves nothing).
 */
export function answerDifferences(
  reference: TraceStore,
  subject: TraceStore,
): { differences: string[]; found: number } {
  const differences: string[] = [];
  const same = (what: string, want: unknown, got: unknown): void => {
    if (!isDeepStrictEqual(got, want)) differences.push(what);
  };
  let found = 0;
  for (const q of variedQueries(60)) {
    const want = reference.findTraces(q);
    same(`findTraces ${JSON.stringify(q)}`, want, subject.findTraces(q));
    found += want.length;
  }
  for (const t of reference.findTraces({ tags: {}, limit: 0 }))
    same(`getTrace ${t.traceId}`, t, subject.getTrace(t.traceId));
  const stats = (s: TraceStore): unknown => ({ traces: s.stats().traces, spans: s.stats().spans });
  same('stats', stats(reference), stats(subject));
  same('services', reference.getServices(), subject.getServices());
  for (const service of ANSWERS_SERVICES)
    same(`operations ${service}`, reference.getOperations({ service }), subject.getOperations({ service }));
  const end = ANSWERS_T0 + 3600_000;
  same('dependencies', reference.getDependencies(end, 7200_000), subject.getDependencies(end, 7200_000));
  return { differences, found };
}
