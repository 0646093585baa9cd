// The samples WAL as one backend part: on start it replays <dataDir>/wal into the head (logging
// what it read, cut and refused, and how long it took), then logs every sample the head accepts
// through `appender`. Checkpoints keep replay bounded: once the segments written since the last
// checkpoint outgrow both checkpointMinBytes and twice that checkpoint (so the work stays in
// proportion to the head; checked after every commit), or checkpointIntervalMs has passed, the
// head is written as a checkpoint and the segments it covers are deleted.
import type { Component } from '../../component/component.js';
import type { SelfMetrics } from '../../selfmetrics/registry.js';
import { PROMETHEUS_WAL_METRICS, WriteAheadLog, type CheckpointResult } from '../../wal/wal.js';
import type { Head } from '../head.js';
import { WalAppender } from './appender.js';
import { writeHeadCheckpoint } from './checkpoint.js';
import { replaySamplesWal, type SamplesReplayStats } from './replay.js';

export interface SamplesWalOptions {
  /** the WAL's directory (the backend uses <data-dir>/wal, as Prometheus does) */
  readonly dir: string;
  readonly head: Head;
  readonly segmentBytes?: number;
  /** default 5 s */
  readonly fsyncIntervalMs?: number;
  /** default 64 MiB */
  readonly checkpointMinBytes?: number;
  /** default 1 h */
  readonly checkpointIntervalMs?: number;
  /** how often the checkpoint condition is checked; default 10 s */
  readonly checkIntervalMs?: number;
  readonly log?: (line: string) => void;
}

export class SamplesWal implements Component {
  readonly wal: WriteAheadLog;
  readonly appender: WalAppender;
  private readonly head: Head;
  private readonly log: (line: string) => void;
  private readonly checkpointMinBytes: number;
  private readonly checkpointIntervalMs: number;
  private readonly checkIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastCheckpointAt = 0;
  /** a checkpoint is being written (its own commit must not start another) */
  private checkpointing = false;
  /** size of the last checkpoint (0 before the first of this run) */
  private checkpointBytes = 0;
  /** the WAL's size right after that checkpoint: what it has grown since is in segments */
  private sizeAfterCheckpoint = 0;
  replayStats: SamplesReplayStats | undefined;

  constructor(opts: SamplesWalOptions) {
    this.head = opts.head;
    this.log = opts.log ?? ((line) => console.error(line));
    this.wal = new WriteAheadLog({
      dir: opts.dir,
      segmentBytes: opts.segmentBytes,
      fsyncIntervalMs: opts.fsyncIntervalMs,
      log: this.log,
      metrics: PROMETHEUS_WAL_METRICS,
    });
    this.appender = new WalAppender(this.head, this.wal, () => this.maybeCheckpoint());
    this.checkpointMinBytes = opts.checkpointMinBytes ?? 64 * 1024 * 1024;
    this.checkpointIntervalMs = opts.checkpointIntervalMs ?? 3600_000;
    this.checkIntervalMs = opts.checkIntervalMs ?? 10_000;
  }

  start(): void {
    if (this.timer !== undefined) return;
    const s = replaySamplesWal(this.wal, this.head);
    this.replayStats = s;
    const refused = [...s.refused].map(([why, n]) => `${n} ${why}`).join(', ');
    this.log(
      `orrery: samples WAL ${this.wal.dir}: replayed ${s.series} series, ${s.samples} samples, ${s.exemplars} exemplars ` +
        `from ${s.wal.segments} segments (${s.wal.bytes} bytes${s.wal.checkpoint !== undefined ? `, checkpoint ${s.wal.checkpoint}` : ''}) ` +
        `in ${Math.round(s.durationMs)} ms` +
        (refused !== '' ? `; refused now: ${refused}` : '') +
        (s.unknownRefs > 0 ? `; ${s.unknownRefs} samples of unknown series` : '') +
        (s.wal.corruptions > 0 ? `; cut ${s.wal.cutBytes} bytes at ${s.wal.corruptions} torn or corrupt places` : ''),
    );
    this.wal.start();
    this.lastCheckpointAt = Date.now();
    this.timer = setInterval(() => this.maybeCheckpoint(), this.checkIntervalMs);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.appender.commit();
    } catch (err) {
      this.log(`orrery: samples WAL: last records not written: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.wal.shutdown();
  }

  private maybeCheckpoint(): void {
    if (this.checkpointing || this.timer === undefined) return;
    const grown = this.wal.sizeBytes() - this.sizeAfterCheckpoint;
    const bySize = grown >= Math.max(this.checkpointMinBytes, 2 * this.checkpointBytes);
    const byTime = grown > 0 && Date.now() - this.lastCheckpointAt >= this.checkpointIntervalMs;
    if (bySize || byTime) this.checkpoint();
  }

  /** Writes the head as a checkpoint and deletes the segments it covers (also called by tests). */
  checkpoint(): CheckpointResult | undefined {
    this.checkpointing = true;
    try {
      return this.writeCheckpoint();
    } finally {
      this.checkpointing = false;
    }
  }

  private writeCheckpoint(): CheckpointResult | undefined {
    // Pending records go to the segment the checkpoint covers (the head holds them already).
    try {
      this.appender.commit();
    } catch {
      // refused: those samples were never acknowledged; the checkpoint holds them anyway
    }
    let refs: number[] = [];
    const result = this.wal.checkpoint((sink) => {
      refs = writeHeadCheckpoint(this.head, sink).refs;
    });
    this.lastCheckpointAt = Date.now();
    if (result === undefined) return undefined;
    this.appender.resetLogged(refs, this.head.metadata());
    this.checkpointBytes = result.bytes;
    this.sizeAfterCheckpoint = this.wal.sizeBytes();
    this.log(
      `orrery: samples WAL: checkpoint of segments up to ${result.upTo}: ${refs.length} series, ${result.bytes} bytes ` +
        `in ${Math.round(result.durationMs)} ms; ${result.deletedSegments} segments deleted`,
    );
    return result;
  }

  registerMetrics(registry: SelfMetrics): void {
    this.wal.registerMetrics(registry);
  }
}
