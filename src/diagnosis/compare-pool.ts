// Attribute comparisons off the API thread. The calling thread streams the spans of a search into
// SpanColumns (cheap: typed arrays and one interned text per distinct value); the columns' buffers
// are transferred, not copied, to a worker (compare-worker.ts) that scores them. A comparison not
// done by its deadline is answered as refused (503) and its worker terminated: scoring never looks
// at the clock. A terminated or lost worker is replaced by the next comparison.
import { Worker } from 'node:worker_threads';
import type { Component } from '../component/component.js';
import { requireCompiledWorker } from '../workers/compiled-worker.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import {
  columnsTransferList,
  type Comparison,
  type Selection,
  type SpanColumns,
  type SpanColumnsData,
} from './compare.js';

export interface ToCompareWorker {
  readonly id: number;
  readonly columns: SpanColumnsData;
  readonly selection: Selection;
}

export type FromCompareWorker =
  | { readonly id: number; readonly ok: true; readonly comparison: Comparison }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** Scores the spans of a search; `collect` streams them and is called when a worker is free. */
export interface Comparer {
  compare(collect: () => SpanColumns, selection: Selection): Promise<Comparison>;
}

/** A comparison the backend could not do now (deadline, no worker): the API answers 503. */
export class CompareUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareUnavailableError';
  }
}

/** Scores on the calling thread (no worker): for tools and tests that need no pool. */
export const inlineComparer: Comparer = {
  compare: (collect, selection) => Promise.resolve(collect().compare(selection)),
};

export const DEFAULT_COMPARE_TIMEOUT_MS = 30_000;
const DEFAULT_WORKER_HEAP_MB = 1024;

export interface ComparePoolOptions {
  /** how long a comparison may wait and run, ms; default 30 s */
  readonly timeoutMs?: number;
  /** the compiled worker module; default compare-worker.js beside this module */
  readonly workerUrl?: URL;
  /** the worker's V8 heap limit (old generation), MB; default 1024 */
  readonly workerHeapMb?: number;
}

/** The compiled worker beside this module (from dist/ when run from the TypeScript sources). */
export function compareWorkerUrl(): URL {
  return requireCompiledWorker(import.meta.url, './compare-worker.js', ['src/diagnosis']);
}

interface Job {
  readonly collect: () => SpanColumns;
  readonly selection: Selection;
  readonly resolve: (c: Comparison) => void;
  readonly reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

export class ComparePool implements Comparer, Component {
  private readonly timeoutMs: number;
  private readonly url: URL;
  private readonly heapMb: number;
  private worker: Worker | undefined;
  /** the job in the worker, and its message id */
  private current: { job: Job; id: number } | undefined;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  timeouts = 0;
  restarts = 0;

  constructor(opts: ComparePoolOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_COMPARE_TIMEOUT_MS;
    this.url = opts.workerUrl ?? compareWorkerUrl();
    this.heapMb = opts.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  }

  compare(collect: () => SpanColumns, selection: Selection): Promise<Comparison> {
    if (this.closed) return Promise.reject(new CompareUnavailableError('the comparison pool is shut down'));
    return new Promise((resolve, reject) => {
      const job: Job = { collect, selection, resolve, reject, timer: undefined, settled: false };
      // the deadline counts from now: waiting for the worker is part of it
      job.timer = setTimeout(() => this.expire(job), this.timeoutMs);
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Comparisons running and waiting. */
  stats(): { busy: number; queued: number } {
    return { busy: this.current ? 1 : 0, queued: this.queue.length };
  }

  registerMetrics(registry: SelfMetrics): void {
    registry.gauge('orrery_compare_pool_busy_workers', 'Attribute comparisons being scored.', () => this.stats().busy);
    registry.gauge(
      'orrery_compare_pool_queued',
      'Attribute comparisons waiting for the worker thread.',
      () => this.stats().queued,
    );
    registry.counterFunc(
      'orrery_compare_pool_timeouts_total',
      'Attribute comparisons stopped at their deadline.',
      () => this.timeouts,
    );
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    const err = new CompareUnavailableError('the comparison pool is shut down');
    for (const job of this.queue.splice(0)) this.finish(job, err);
    if (this.current) this.finish(this.current.job, err);
    this.current = undefined;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private dispatch(): void {
    while (!this.current && !this.closed) {
      const job = this.queue.shift();
      if (!job) return;
      let columns: SpanColumnsData;
      try {
        columns = job.collect().toTransfer();
      } catch (e) {
        this.finish(job, e instanceof Error ? e : new Error(String(e)));
        continue;
      }
      const id = this.nextId++;
      this.current = { job, id };
      const msg: ToCompareWorker = { id, columns, selection: job.selection };
      try {
        this.spawn().postMessage(msg, columnsTransferList(columns));
      } catch (e) {
        this.current = undefined;
        this.finish(job, new CompareUnavailableError(`the comparison could not reach its worker: ${String(e)}`));
      }
    }
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.url, { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    // an idle worker must not keep the process alive
    w.unref();
    w.on('message', (reply: FromCompareWorker) => {
      if (this.worker !== w || !this.current || reply.id !== this.current.id) return;
      const { job } = this.current;
      this.current = undefined;
      if (reply.ok) this.finish(job, undefined, reply.comparison);
      else this.finish(job, new Error(`comparison failed: ${reply.message}`));
      this.dispatch();
    });
    const lost = (err: Error): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.restarts++;
      const job = this.current?.job;
      this.current = undefined;
      if (job) {
        const oom = (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        this.finish(
          job,
          new CompareUnavailableError(
            oom
              ? 'the comparison needs more memory than its worker has: narrow the search (a shorter window, an operation or tags)'
              : `the comparison worker failed: ${err.message}`,
          ),
        );
      }
      this.dispatch();
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  /** The deadline passed: answer now; a running comparison's worker is terminated and replaced later. */
  private expire(job: Job): void {
    job.timer = undefined;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (this.current?.job === job) {
      const w = this.worker;
      this.worker = undefined;
      this.current = undefined;
      this.restarts++;
      void w?.terminate();
    }
    this.timeouts++;
    this.finish(
      job,
      new CompareUnavailableError(
        `the comparison did not finish within ${this.timeoutMs / 1000} s: narrow the search (a shorter window, an operation or tags)`,
      ),
    );
    this.dispatch();
  }

  private finish(job: Job, err: Error | undefined, value?: Comparison): void {
    if (job.settled) return;
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    if (err) job.reject(err);
    else job.resolve(value!);
  }
}
