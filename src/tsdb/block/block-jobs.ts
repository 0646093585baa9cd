// Runs block jobs (jobs.ts) in one worker thread, one at a time, so that a cut or a compaction of
// 100k series does not stop ingestion and queries. The head's chunks travel as transferred
// buffers (moved, not copied). Run from the TypeScript sources (vitest) the worker comes from
// dist/ when that is up to date; without it (or when asked) the jobs run inline.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compiledWorker } from '../../workers/compiled-worker.js';
import {
  compactBlocks,
  partBuffers,
  writeHeadChunksBlock,
  type CompactionParent,
  type HeadChunksPart,
} from './jobs.js';
import type { BlockMeta } from './meta.js';

export type BlockJob =
  | {
      readonly kind: 'cut';
      readonly parentDir: string;
      readonly minTime: number;
      /** exclusive */
      readonly maxTime: number;
      /** the head's series in slices, each taken in its own event-loop turn */
      readonly parts: readonly HeadChunksPart[];
    }
  | { readonly kind: 'compact'; readonly parentDir: string; readonly parents: readonly CompactionParent[] };

export type BlockJobReply =
  | { readonly id: number; readonly ok: true; readonly meta: BlockMeta | null }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** The compiled worker beside this module, or from dist/ when running from fresh TypeScript sources. */
export function blockWorkerFile(): string | undefined {
  const w = compiledWorker(import.meta.url, './worker.js', ['src/tsdb', 'src/labels']);
  if ('problem' in w) return undefined;
  const file = fileURLToPath(w.url);
  return existsSync(file) ? file : undefined;
}

export interface BlockJobsOptions {
  /** false: run jobs on the calling thread (the reference the cut benchmark measures against) */
  readonly useWorker?: boolean;
}

export class BlockJobs {
  private readonly workerFile: string | undefined;
  private worker: Worker | undefined;
  private pending: { id: number; resolve: (m: BlockMeta | undefined) => void; reject: (e: Error) => void } | undefined;
  private nextId = 1;
  private closed = false;

  constructor(opts: BlockJobsOptions = {}) {
    this.workerFile = opts.useWorker === false ? undefined : blockWorkerFile();
  }

  /** true when jobs run in a worker thread */
  get usesWorker(): boolean {
    return this.workerFile !== undefined;
  }

  /** Runs a job; the returned meta is undefined for a cut that found no sample in its range. */
  run(job: BlockJob): Promise<BlockMeta | undefined> {
    if (this.closed) return Promise.reject(new Error('block jobs are shut down'));
    if (this.pending !== undefined) return Promise.reject(new Error('a block job is already running'));
    if (this.workerFile === undefined) {
      try {
        return Promise.resolve(
          job.kind === 'cut'
            ? writeHeadChunksBlock(job.parentDir, job.minTime, job.maxTime, job.parts)
            : compactBlocks(job.parentDir, job.parents),
        );
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    const w = this.spawn(this.workerFile);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending = { id, resolve, reject };
      try {
        w.postMessage({ id, job }, job.kind === 'cut' ? job.parts.flatMap(partBuffers) : []);
      } catch (e) {
        // a job that never reached the worker must not leave the next one refused as "running"
        this.pending = undefined;
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  private spawn(file: string): Worker {
    if (this.worker !== undefined) return this.worker;
    const w = new Worker(file);
    w.unref();
    w.on('message', (reply: BlockJobReply) => {
      const p = this.pending;
      if (p === undefined || p.id !== reply.id) return;
      this.pending = undefined;
      if (reply.ok) p.resolve(reply.meta ?? undefined);
      else p.reject(new Error(reply.message));
    });
    const fail = (err: Error): void => {
      if (this.worker === w) this.worker = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`block worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  /** Stops the worker; a job in flight fails (its temp directory is removed on the next start). */
  async shutdown(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) await w.terminate();
  }
}
