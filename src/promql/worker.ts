// The PromQL evaluation thread of the query pool (pool.ts): it receives a query with a snapshot
// of the data it reads, parses the query again, evaluates it over the snapshot and posts the
// result or the error back. It never sees the storage, so it can be terminated at any time.
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from './engine.js';
import { Head } from '../tsdb/head.js';
import { SnapshotQuerier, type SelectorData, type Snapshot } from './snapshot.js';
import { QueryError, type QueryErrorType, type QueryValue } from './value.js';

export interface EvalRequest {
  readonly id: number;
  readonly kind: 'instant' | 'range';
  readonly query: string;
  /** ms; start = end for an instant query */
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /** what is left of the query's time limit */
  readonly timeoutMs: number;
  readonly snapshot: Snapshot;
}

export type EvalReply =
  | { readonly id: number; readonly ok: true; readonly value: QueryValue }
  | { readonly id: number; readonly ok: false; readonly errorType: QueryErrorType; readonly message: string };

/** workerData: the engine limits that the evaluation itself applies. */
export interface EvalWorkerData {
  readonly maxSamples: number;
  readonly lookbackDeltaMs: number;
}

function evaluate(engine: Engine, req: EvalRequest): QueryValue {
  const expr = engine.parse(req.query);
  const querier = new SnapshotQuerier(req.snapshot, expr);
  const opts = { timeoutMs: req.timeoutMs };
  return req.kind === 'instant'
    ? engine.instantQueryExpr(querier, expr, req.start, opts)
    : engine.rangeQueryExpr(querier, expr, req.start, req.end, req.step, opts);
}

/** A tiny snapshot of two series of ten decoded samples, for warm-up: one per selector of `query`. */
function warmUpSnapshot(selectors: number): Snapshot {
  const t = Float64Array.from({ length: 20 }, (_, i) => (i % 10) * 15_000);
  const v = Float64Array.from({ length: 20 }, (_, i) => i);
  const one: SelectorData = {
    mint: -Infinity,
    maxt: Infinity,
    labelText: '__name__xab__name__xac',
    labelLengths: Uint32Array.of(8, 1, 1, 1, 8, 1, 1, 1),
    labelCounts: Uint32Array.of(2, 2),
    from: Uint32Array.of(0, 10),
    to: Uint32Array.of(10, 20),
    t,
    v,
    stale: new Uint8Array(0),
  };
  return { selectors: Array.from({ length: selectors }, () => one) };
}

/** The same two series in a head, whose snapshots carry encoded chunks (decoded by select and scan). */
function warmUpHead(): Head {
  const head = new Head({ samplesPerChunk: 4 });
  for (const b of ['b', 'c']) {
    const labels = [
      { name: '__name__', value: 'x' },
      { name: 'a', value: b },
    ];
    for (let i = 0; i < 10; i++) head.append(labels, i * 15_000, i);
  }
  return head;
}

/**
 * Runs typical dashboard queries once over decoded and encoded snapshots, so that the first real
 * query does not pay for compiling the lexer, parser, evaluator and decoders (hundreds of ms on a
 * busy machine).
 */
function warmUp(engine: Engine): void {
  const queries = [
    ['sum by (a) (rate(x[1m])) / sum by (a) (rate(x[1m]))', 2],
    ['histogram_quantile(0.9, sum by (le) (rate(x[1m])))', 1],
    ['topk(1, x) > 1 or max_over_time(x[1m:15s])', 2],
  ] as const;
  const head = warmUpHead();
  const [start, end, step] = [60_000, 135_000, 15_000];
  for (const [query, selectors] of queries) {
    const expr = engine.parse(query);
    for (const snap of [warmUpSnapshot(selectors), engine.snapshot(head, expr, start, end)])
      engine.rangeQueryExpr(new SnapshotQuerier(snap, expr), expr, start, end, step);
  }
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as EvalWorkerData;
  // The pool sends each query's remaining time limit; the engine's own limit must not cut it.
  const engine = new Engine({ ...data, timeoutMs: Number.MAX_SAFE_INTEGER });
  warmUp(engine);
  port.on('message', (req: EvalRequest) => {
    let reply: EvalReply;
    try {
      reply = { id: req.id, ok: true, value: evaluate(engine, req) };
    } catch (e) {
      reply =
        e instanceof QueryError
          ? { id: req.id, ok: false, errorType: e.errorType, message: e.message }
          : { id: req.id, ok: false, errorType: 'internal', message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}
