// Large export requests are decoded in a worker thread (decode-worker.ts, compiled next to this
// file in dist/) and come back in pieces, one per event-loop turn, so /healthz, queries and
// small exports are answered between them. Measured on a 16 MiB OTLP/JSON export of 17k demo
// spans: decode ~360-500 ms, trace store ~220-530 ms, structured clone of the whole decoded
// batch ~800-1400 ms (hence pieces, never the whole batch in one message).
// When the compiled worker is not there (tests run from the TypeScript sources), requests are
// decoded inline and still delivered piece by piece.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Component } from '../component/component.js';
import type { BodyFormat, DecodeNotes, ExportBatch } from './decode.js';
import type { ReceiverSignal } from './observer.js';

export type ToDecodeWorker =
  | {
      readonly kind: 'decode';
      readonly id: number;
      readonly signal: ReceiverSignal;
      readonly format: BodyFormat;
      readonly body: Uint8Array;
      readonly pieceItems: number;
    }
  | { readonly kind: 'next'; readonly id: number }
  | { readonly kind: 'cancel'; readonly id: number };

export type FromDecodeWorker =
  | { readonly kind: 'invalid'; readonly id: number; readonly message: string }
  | {
      readonly kind: 'decoded';
      readonly id: number;
      readonly items: number;
      readonly pieces: number;
      readonly notes: DecodeNotes;
    }
  | { readonly kind: 'piece'; readonly id: number; readonly batch: ExportBatch; readonly items: number };

export interface DecodePoolOptions {
  /** bodies at least this large are decoded in a worker and delivered in pieces; default 1 MiB */
  readonly thresholdBytes?: number;
  /** items (spans, points, records) per piece; default 500 */
  readonly pieceItems?: number;
  /** the compiled worker script; default decode-worker.js beside this module */
  readonly workerUrl?: URL;
}

/** What the pool reports once a request's pieces have all been handed over (or it stopped early). */
export type PoolOutcome =
  | { readonly kind: 'invalid'; readonly message: string }
  /** `items` in the request; `delivered` of them were handed to onPiece before it asked to stop */
  | { readonly kind: 'decoded'; readonly items: number; readonly delivered: number; readonly notes: DecodeNotes };

/** Called with each piece in order; return false to stop (the rest is dropped). */
export type PieceHandler = (batch: ExportBatch, items: number) => boolean;

const NO_NOTES: DecodeNotes = { dropped: [], altered: '' };

interface Job {
  readonly id: number;
  readonly onPiece: PieceHandler;
  readonly resolve: (o: PoolOutcome) => void;
  readonly reject: (e: Error) => void;
  items: number;
  piecesLeft: number;
  delivered: number;
  notes: DecodeNotes;
}

interface Queued {
  readonly msg: Extract<ToDecodeWorker, { kind: 'decode' }>;
  readonly job: Job;
}

export class DecodePool implements Component {
  readonly thresholdBytes: number;
  readonly pieceItems: number;
  private readonly workerPath: string | undefined;
  private worker: Worker | undefined;
  private current: Job | undefined;
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: DecodePoolOptions = {}) {
    this.thresholdBytes = opts.thresholdBytes ?? 1024 * 1024;
    this.pieceItems = opts.pieceItems ?? 500;
    const url = opts.workerUrl ?? new URL('./decode-worker.js', import.meta.url);
    const file = fileURLToPath(url);
    this.workerPath = existsSync(file) ? file : undefined;
  }

  /** true when large bodies are decoded in a worker (false: inline, from the TypeScript sources) */
  get usesWorker(): boolean {
    return this.workerPath !== undefined;
  }

  /** Decodes `body` in the worker and hands its pieces to onPiece, one per event-loop turn. */
  decode(signal: ReceiverSignal, format: BodyFormat, body: Uint8Array, onPiece: PieceHandler): Promise<PoolOutcome> {
    if (this.closed) return Promise.reject(new Error('decode pool is shut down'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const job: Job = { id, onPiece, resolve, reject, items: 0, piecesLeft: 0, delivered: 0, notes: NO_NOTES };
      this.queue.push({ msg: { kind: 'decode', id, signal, format, body, pieceItems: this.pieceItems }, job });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next.job;
    this.spawn().postMessage(next.msg);
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerPath!);
    w.unref();
    w.on('message', (msg: FromDecodeWorker) => this.onMessage(msg));
    const fail = (err: Error): void => {
      if (this.worker === w) this.worker = undefined;
      const job = this.current;
      this.current = undefined;
      job?.reject(err);
      this.pump();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  private finish(job: Job, outcome: PoolOutcome): void {
    this.current = undefined;
    job.resolve(outcome);
    this.pump();
  }

  private onMessage(msg: FromDecodeWorker): void {
    const job = this.current;
    if (!job || job.id !== msg.id) return;
    switch (msg.kind) {
      case 'invalid':
        return this.finish(job, { kind: 'invalid', message: msg.message });
      case 'decoded':
        job.items = msg.items;
        job.notes = msg.notes;
        job.piecesLeft = msg.pieces;
        if (msg.pieces === 0) this.finish(job, { kind: 'decoded', items: msg.items, delivered: 0, notes: msg.notes });
        return;
      case 'piece': {
        job.piecesLeft--;
        const go = job.onPiece(msg.batch, msg.items);
        if (go) job.delivered += msg.items;
        if (!go || job.piecesLeft === 0) {
          if (!go) this.worker?.postMessage({ kind: 'cancel', id: job.id } satisfies ToDecodeWorker);
          return this.finish(job, { kind: 'decoded', items: job.items, delivered: job.delivered, notes: job.notes });
        }
        // Ask for the next piece only after I/O has had its turn.
        setImmediate(() => this.worker?.postMessage({ kind: 'next', id: job.id } satisfies ToDecodeWorker));
        return;
      }
    }
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    const err = new Error('decode pool is shut down');
    for (const q of this.queue.splice(0)) q.job.reject(err);
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
