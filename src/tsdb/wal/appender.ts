// The Appender that puts samples into the head and into the samples WAL. Each append goes to the
// head first (its answer decides whether the sample is kept, so refused samples are never
// logged) and its record is buffered; commit() writes the buffered records to the WAL in one
// write. The pipeline commits before it acknowledges a batch (PrometheusStorageExporter calls
// commit() at the end of consumeMetrics), so a 200 means the batch is in the log.
//
// When the write fails commit() throws RefusedError (the receiver answers 503 and the client
// retries): the head keeps those samples, the log does not; the retry, identical, is accepted by
// the head again as a harmless repeat and logged then.
import type { Labels } from '../../labels/labels.js';
import type { AppendStatus, Appender, Exemplar, MetricMetadata } from '../../storage/storage.js';
import type { WriteAheadLog } from '../../wal/wal.js';
import type { Head } from '../head.js';
import { PendingRecord, RecordType, writeLabels, writeMetadata } from './records.js';

/** Records buffered past this size are written even before commit(), to bound memory. */
const FLUSH_BYTES = 4 * 1024 * 1024;

function sameMetadata(a: MetricMetadata, b: MetricMetadata): boolean {
  return a.type === b.type && a.help === b.help && a.unit === b.unit;
}

export class WalAppender implements Appender {
  private readonly series = new PendingRecord(RecordType.SERIES);
  private readonly samples = new PendingRecord(RecordType.SAMPLES);
  private readonly stale = new PendingRecord(RecordType.STALE);
  private readonly exemplars = new PendingRecord(RecordType.EXEMPLARS);
  private readonly meta = new PendingRecord(RecordType.METADATA);
  /** refs whose SERIES entry is in the log (or in the pending records): one byte per ref, as refs count up from 1 */
  private logged = new Uint8Array(1024);
  /** refs added to `logged` since the last commit, forgotten again if the commit fails */
  private pendingRefs: number[] = [];
  /** metadata in the log, by metric name, to log only changes */
  private readonly loggedMeta = new Map<string, MetricMetadata>();
  private pendingMeta: string[] = [];

  constructor(
    private readonly head: Head,
    private readonly wal: WriteAheadLog,
    /** called after each commit that wrote records (the owner checks whether a checkpoint is due) */
    private readonly afterCommit: () => void = () => {},
  ) {}

  append(labels: Labels, t: number, v: number): AppendStatus {
    const status = this.head.append(labels, t, v);
    if (status === 'ok') {
      const ref = this.seriesRef(this.head.ref(labels), labels);
      const rec = this.samples;
      rec.entry().uvarintVarintF64(ref, t - rec.t, v);
      rec.t = t;
      if (rec.w.length >= FLUSH_BYTES) this.commit();
    }
    return status;
  }

  appendStale(labels: Labels, t: number): AppendStatus {
    const status = this.head.appendStale(labels, t);
    if (status !== 'ok') return status;
    // The head ignores a marker for a series it does not hold; so does the log.
    const ref = this.head.refOf(labels);
    if (ref !== undefined) {
      this.seriesRef(ref, labels);
      this.stale.entry().uvarint(ref);
      this.stale.time(t);
      this.maybeFlush(this.stale);
    }
    return status;
  }

  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    this.head.appendExemplar(seriesLabels, exemplar);
    const w = this.exemplars.entry();
    writeLabels(w, seriesLabels);
    this.exemplars.time(exemplar.t);
    w.f64(exemplar.value);
    writeLabels(w, exemplar.labels);
    this.maybeFlush(this.exemplars);
  }

  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.head.setMetadata(metricName, metadata);
    const known = this.loggedMeta.get(metricName);
    if (known !== undefined && sameMetadata(known, metadata)) return;
    this.loggedMeta.set(metricName, metadata);
    this.pendingMeta.push(metricName);
    writeMetadata(this.meta.entry(), metricName, metadata);
  }

  private seriesRef(ref: number, labels: Labels): number {
    if (this.logged[ref] !== 1) {
      this.markLogged(ref, 1);
      this.pendingRefs.push(ref);
      writeLabels(this.series.entry().uvarint(ref), labels);
    }
    return ref;
  }

  private markLogged(ref: number, value: 0 | 1): void {
    if (ref >= this.logged.length) {
      let cap = this.logged.length * 2;
      while (cap <= ref) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.logged);
      this.logged = next;
    }
    this.logged[ref] = value;
  }

  private maybeFlush(rec: PendingRecord): void {
    if (rec.w.length >= FLUSH_BYTES) this.commit();
  }

  /** Writes the buffered records to the log; throws RefusedError when it cannot (then drops them). */
  commit(): void {
    const records: Uint8Array[] = [];
    // SERIES first: the other records refer to its refs.
    for (const rec of [this.series, this.samples, this.stale, this.exemplars, this.meta])
      if (!rec.empty) records.push(rec.w.view());
    if (records.length === 0) return;
    try {
      this.wal.append(records);
    } catch (err) {
      for (const ref of this.pendingRefs) this.markLogged(ref, 0);
      for (const name of this.pendingMeta) this.loggedMeta.delete(name);
      throw err;
    } finally {
      this.pendingRefs = [];
      this.pendingMeta = [];
      for (const rec of [this.series, this.samples, this.stale, this.exemplars, this.meta]) rec.reset();
    }
    this.afterCommit();
  }

  /**
   * After a checkpoint: the log now names exactly these series (the checkpoint's) and holds
   * this metadata, so refs of series the head has since dropped are forgotten.
   */
  resetLogged(refs: Iterable<number>, metadata: ReadonlyMap<string, MetricMetadata>): void {
    this.logged.fill(0);
    for (const r of refs) this.markLogged(r, 1);
    this.loggedMeta.clear();
    for (const [name, m] of metadata) this.loggedMeta.set(name, m);
  }
}
