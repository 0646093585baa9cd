// PromQL evaluation off the event loop. The calling thread parses the query, checks it, and
// selects what each selector reads (snapshot.ts); a worker thread (worker.ts) evaluates over that
// snapshot. Health checks and ingestion keep being served while a query runs, and the time limit
// is enforced by terminating the worker: a query stops at its deadline even inside a loop that
// never looks at the clock. A terminated worker is replaced.
import { Worker } from 'node:worker_threads';
import type { Component } from '../component/component.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import { requireCompiledWorker } from '../workers/compiled-worker.js';
import type { Querier } from '../storage/storage.js';
import {
  checkRangeQuery,
  DEFAULT_LOOKBACK_MS,
  DEFAULT_MAX_SAMPLES,
  DEFAULT_TIMEOUT_MS,
  Engine,
  TIMEOUT_MESSAGE,
  TOO_MANY_SAMPLES_MESSAGE,
} from './engine.js';
import { children, type Expr } from './parser/ast.js';
import { SnapshotQuerier, selectedSamples, snapshotTransferList } from './snapshot.js';
import { QueryError, type EngineOptions, type QueryOptions, type QueryService, type QueryValue } from './value.js';
import type { EvalReply, EvalRequest, EvalWorkerData } from './worker.js';

const DEFAULT_WORKERS = 2;
/**
 * Queries reading at most this much (selected samples plus selected series x steps) and without
 * subqueries are evaluated in the calling thread: that takes a few milliseconds at most, less than
 * handing the query to a worker and its answer back costs on a busy machine.
 */
const DEFAULT_INLINE_WORK = 100_000;
const DEFAULT_WORKER_HEAP_MB = 512;
/** How long a worker may go on past a deadline before it is terminated. */
const KILL_GRACE_MS = 250;

export interface QueryPoolOptions extends EngineOptions {
  /** evaluation threads; default 2, so that a small query need not wait behind a heavy one */
  readonly workers?: number;
  /** the compiled worker module; default worker.js beside this module (see workerUrl) */
  readonly workerUrl?: URL;
  /** each worker's V8 heap limit (old generation), MB; default 512. A query needing more fails. */
  readonly workerHeapMb?: number;
  /** see DEFAULT_INLINE_WORK; 0 sends every query to a worker */
  readonly inlineWork?: number;
}

interface Job {
  /**
   * Selects the data and builds the request; called when a worker is free, so that queries
   * waiting in the queue hold no copies of data.
   */
  readonly prepare: () => Omit<EvalRequest, 'id' | 'timeoutMs'>;
  readonly expr: Expr;
  readonly deadline: number;
  readonly resolve: (v: QueryValue) => void;
  readonly reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  slot: Slot | undefined;
  settled: boolean;
}

interface Slot {
  readonly worker: Worker;
  /** the job evaluating (possibly already answered as timed out, until the worker replies) */
  job: Job | undefined;
  jobId: number;
  /** out of the pool: its worker's exit is expected */
  retired: boolean;
  /** terminates a worker that does not stop at its deadline */
  killTimer: NodeJS.Timeout | undefined;
}

/** The compiled worker beside this module (from dist/ when run from the TypeScript sources). */
export function workerUrl(): URL {
  return requireCompiledWorker(import.meta.url, './worker.js', ['src/promql', 'src/tsdb']);
}

function hasSubquery(expr: Expr): boolean {
  const stack: Expr[] = [expr];
  for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
    if (e.type === 'SubqueryExpr') return true;
    stack.push(...children(e));
  }
  return false;
}

/** The error a query gets when its worker dies under it. */
function workerFailure(err: Error): QueryError {
  // The heap limit stands in for the sample limit that a query holding so much data would exceed.
  if ((err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new QueryError('execution', TOO_MANY_SAMPLES_MESSAGE);
  }
  return new QueryError('internal', `query worker failed: ${err.message}`);
}

export class QueryPool implements QueryService, Component {
  private readonly engine: Engine;
  private readonly timeoutMs: number;
  private readonly size: number;
  private readonly url: URL;
  private readonly data: EvalWorkerData;
  private readonly heapMb: number;
  private readonly inlineWork: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  /** workers terminated past a deadline or lost */
  restarts = 0;
  timeouts = 0;
  /** queries evaluated in the calling thread (small enough, see DEFAULT_INLINE_WORK) */
  inlined = 0;

  constructor(opts: QueryPoolOptions = {}) {
    this.engine = new Engine(opts);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.size = Math.max(1, opts.workers ?? DEFAULT_WORKERS);
    this.url = opts.workerUrl ?? workerUrl();
    this.heapMb = opts.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB;
    this.inlineWork = opts.inlineWork ?? DEFAULT_INLINE_WORK;
    this.data = {
      maxSamples: opts.maxSamples ?? DEFAULT_MAX_SAMPLES,
      lookbackDeltaMs: opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_MS,
    };
  }

  instantQuery(querier: Querier, query: string, timeMs: number, opts?: QueryOptions): Promise<QueryValue> {
    return this.submit(query, opts, (expr) => () => {
      const snapshot = this.engine.snapshot(querier, expr, timeMs, timeMs);
      return { kind: 'instant', query, start: timeMs, end: timeMs, step: 1, snapshot };
    });
  }

  rangeQuery(
    querier: Querier,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): Promise<QueryValue> {
    return this.submit(query, opts, (expr) => {
      checkRangeQuery(expr, startMs, endMs, stepMs);
      return () => {
        const snapshot = this.engine.snapshot(querier, expr, startMs, endMs);
        return { kind: 'range', query, start: startMs, end: endMs, step: stepMs, snapshot };
      };
    });
  }

  /** Workers currently evaluating, and queries waiting for one. */
  stats(): { busy: number; queued: number } {
    return { busy: this.slots.filter((s) => s.job).length, queued: this.queue.length };
  }

  registerMetrics(registry: SelfMetrics): void {
    registry.gauge(
      'orrery_query_pool_busy_workers',
      'PromQL worker threads evaluating a query.',
      () => this.stats().busy,
    );
    registry.gauge(
      'orrery_query_pool_queued_queries',
      'PromQL queries waiting for a worker thread.',
      () => this.stats().queued,
    );
    registry.counterFunc(
      'orrery_query_pool_timeouts_total',
      'PromQL queries stopped at their deadline.',
      () => this.timeouts,
    );
    registry.counterFunc(
      'orrery_query_pool_inline_queries_total',
      'PromQL queries small enough to be evaluated without a worker thread.',
      () => this.inlined,
    );
    registry.counterFunc(
      'orrery_query_pool_worker_restarts_total',
      'PromQL worker threads terminated (deadline or failure) and replaced.',
      () => this.restarts,
    );
  }

  /** Cancels waiting and running queries and stops the workers; a later query starts new ones. */
  async shutdown(): Promise<void> {
    const canceled = (): QueryError => new QueryError('canceled', 'query pool shut down');
    for (const job of this.queue.splice(0)) this.finish(job, canceled());
    const slots = this.slots.splice(0);
    for (const s of slots) {
      const job = s.job;
      this.retire(s);
      if (job) this.finish(job, canceled());
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Parses and checks now (errors answer at once), queues the rest for a free worker. */
  private submit(
    query: string,
    opts: QueryOptions | undefined,
    check: (expr: Expr) => Job['prepare'],
  ): Promise<QueryValue> {
    // The API's timeout parameter may shorten the limit for one query, never lengthen it; the
    // limit counts from now, so selecting and waiting for a worker are part of it.
    const limit = Math.min(this.timeoutMs, opts?.timeoutMs ?? this.timeoutMs);
    const deadline = Date.now() + limit;
    return new Promise<QueryValue>((resolve, reject) => {
      const expr = this.engine.parse(query);
      const prepare = check(expr);
      const job: Job = { prepare, expr, deadline, resolve, reject, timer: undefined, slot: undefined, settled: false };
      job.timer = setTimeout(() => this.expire(job), Math.max(0, deadline - Date.now()));
      this.queue.push(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      if (!slot) return;
      const job = this.queue.shift()!;
      let request: ReturnType<Job['prepare']>;
      try {
        request = job.prepare();
      } catch (e) {
        this.finish(job, e instanceof Error ? e : new Error(String(e)));
        continue;
      }
      if (this.small(job.expr, request)) {
        this.evaluateInline(job, request);
        continue;
      }
      const id = this.nextId++;
      slot.job = job;
      slot.jobId = id;
      job.slot = slot;
      const req: EvalRequest = { ...request, id, timeoutMs: Math.max(0, job.deadline - Date.now()) };
      slot.worker.postMessage(req, snapshotTransferList(request.snapshot));
    }
  }

  /** Whether a query is cheap enough to evaluate here (see DEFAULT_INLINE_WORK). */
  private small(expr: Expr, request: ReturnType<Job['prepare']>): boolean {
    if (this.inlineWork <= 0 || hasSubquery(expr)) return false;
    const steps = request.kind === 'instant' ? 1 : Math.floor((request.end - request.start) / request.step) + 1;
    let work = 0;
    const { selectors } = request.snapshot;
    for (const own of selectors) {
      // A selector reading another's data works through all of it.
      const d = typeof own === 'number' ? selectors[own]! : own;
      if (typeof d === 'number') return false;
      work += d.labelCounts.length * steps + selectedSamples(d);
      if (work > this.inlineWork) return false;
    }
    return true;
  }

  private evaluateInline(job: Job, request: ReturnType<Job['prepare']>): void {
    this.inlined++;
    try {
      const querier = new SnapshotQuerier(request.snapshot, job.expr);
      const opts = { timeoutMs: Math.max(0, job.deadline - Date.now()) };
      const value =
        request.kind === 'instant'
          ? this.engine.instantQueryExpr(querier, job.expr, request.start, opts)
          : this.engine.rangeQueryExpr(querier, job.expr, request.start, request.end, request.step, opts);
      this.finish(job, undefined, value);
    } catch (e) {
      this.finish(job, e instanceof Error ? e : new Error(String(e)));
    }
  }

  private freeSlot(): Slot | undefined {
    this.start();
    return this.slots.find((s) => !s.job);
  }

  /**
   * Starts every worker (at the latest with the first query): a query arriving while the others
   * are busy must not wait for a thread to start and load the engine.
   */
  start(): void {
    while (this.slots.length < this.size) this.slots.push(this.newSlot());
  }

  private newSlot(): Slot {
    const w = new Worker(this.url, { workerData: this.data, resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    // Idle workers must not keep the process alive.
    w.unref();
    const slot: Slot = { worker: w, job: undefined, jobId: 0, retired: false, killTimer: undefined };
    w.on('message', (reply: EvalReply) => {
      if (slot.retired || reply.id !== slot.jobId || !slot.job) return;
      const job = slot.job;
      this.free(slot);
      if (reply.ok) this.finish(job, undefined, reply.value);
      else {
        if (reply.errorType === 'timeout' && !job.settled) this.timeouts++;
        this.finish(job, new QueryError(reply.errorType, reply.message));
      }
      this.dispatch();
    });
    const lost = (err: Error): void => {
      if (slot.retired) return;
      // Dropped, not replaced here: the next query starts a new worker, so a worker that cannot
      // start fails queries instead of respawning in a loop.
      const job = slot.job;
      this.retire(slot);
      this.restarts++;
      if (job) this.finish(job, workerFailure(err));
      this.dispatch();
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`exited with code ${code}`)));
    return slot;
  }

  private free(slot: Slot): void {
    slot.job = undefined;
    if (slot.killTimer) clearTimeout(slot.killTimer);
    slot.killTimer = undefined;
  }

  /** Takes a slot out of the pool and stops its worker. */
  private retire(slot: Slot): void {
    slot.retired = true;
    this.free(slot);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  /**
   * The deadline passed: answer now. The worker has the same deadline and normally stops by
   * itself within milliseconds; one that has not replied after KILL_GRACE_MS is stuck in a loop
   * that never looks at the clock, and is terminated and replaced.
   */
  private expire(job: Job): void {
    job.timer = undefined;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = job.slot;
    if (slot && slot.job === job) {
      slot.killTimer = setTimeout(() => {
        if (slot.job !== job || slot.retired) return;
        this.retire(slot);
        this.restarts++;
        this.start();
        this.dispatch();
      }, KILL_GRACE_MS);
    }
    this.timeouts++;
    this.finish(job, new QueryError('timeout', TIMEOUT_MESSAGE));
  }

  /** Settles a job's promise once (a late reply after its deadline changes nothing). */
  private finish(job: Job, err: Error | undefined, value?: QueryValue): void {
    if (job.settled) return;
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    if (err) job.reject(err);
    else job.resolve(value!);
  }
}
