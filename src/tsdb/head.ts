// The in-memory head block, in Prometheus's shape: series found by label-set hash, an inverted
// index (postings) for matchers, samples in Gorilla XOR chunks of ~120 samples. The newest chunk
// of each series is open for appends; when full it is cut, copied into the chunk arena and never
// changes again (that immutable part is what a WAL + on-disk block format can later persist).
// Time-based retention drops whole closed chunks and then series left without data; it follows
// the store's own clock (as Prometheus's head does), never the newest sample, so one sample
// dated far ahead cannot expire everything else. Samples outside [clock - retention,
// clock + future window] are refused and counted.
import type { Component } from '../component/component.js';
import { SELF_METRICS } from '../names/contract.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import { compareLabels, labelsKey, type Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';
import type {
  AppendStatus,
  Exemplar,
  MetricMetadata,
  SeriesSamples,
  SeriesVisitor,
  EncodedSelection,
  Storage,
} from '../storage/storage.js';
import { encodeSelection, packPieces, type ChunkedSeries } from './select-merge.js';
import { XorAppender, decodeXorInto, xorNumSamples } from './chunks/xor.js';
import { ChunkArena } from './chunks/arena.js';
import { SampleColumns } from './columns.js';
import { MemPostings, postingsForMatchers } from './postings.js';
import { ExemplarStorage } from './exemplars.js';

export interface HeadOptions {
  /** data older than (clock - retentionMs) is dropped, whole chunks at a time, and refused on append; default: keep */
  readonly retentionMs?: number;
  /**
   * samples dated more than this after the clock are refused; default 10 minutes. Clients' clocks
   * drift and batches wait in queues, so a little future is normal; hours ahead is a broken clock
   * whose samples would sit in front of every later one (making those out of order).
   */
  readonly maxFutureMs?: number;
  /** the store's clock (ms since the epoch); default Date.now; tests inject one */
  readonly now?: () => number;
  /** exemplars kept per series (ring); default 100 */
  readonly exemplarsPerSeries?: number;
  /** samples per chunk before it is cut; default 120, as Prometheus */
  readonly samplesPerChunk?: number;
}

export interface HeadStats {
  readonly series: number;
  readonly samples: number;
  readonly chunks: number;
  /** bytes held for chunk data: arena pages plus open chunks' buffers */
  readonly bytes: number;
  /** samples dropped because older than the newest of their series */
  readonly outOfOrderSamples: number;
  /** samples dropped because their series already has a different value at that timestamp */
  readonly duplicateSamples: number;
  /** samples dropped because older than the retention allows */
  readonly tooOldSamples: number;
  /** samples dropped because dated more than maxFutureMs after the clock */
  readonly tooFarInFutureSamples: number;
}

/** Default of HeadOptions.maxFutureMs. */
export const DEFAULT_MAX_FUTURE_MS = 10 * 60_000;

/** checkTime reads the clock again for a sample newer than the last reading by more than this (ms)... */
const CLOCK_SLACK_MS = 1000;
/** ...and after this many appends in any case. */
const CLOCK_REUSE = 4096;

/**
 * Chunks of many series copied out of the head (chunksIn): series j owns chunks
 * seriesChunks[j] to seriesChunks[j + 1] - 1; chunk k is bytes[chunkStart[k], chunkStart[k + 1])
 * and holds chunkSamples[k] samples. Typed arrays besides the labels, so that they can be
 * transferred to a worker thread without copying.
 */
export interface HeadChunks {
  readonly labels: readonly Labels[];
  readonly seriesChunks: Uint32Array;
  readonly chunkStart: Float64Array;
  readonly chunkSamples: Uint16Array;
  readonly bytes: Uint8Array;
}

/** Fields per closed chunk in MemSeries.closed. */
const CHUNK_FIELDS = 4; // minT, maxT, arena location, byte length

class MemSeries {
  /** closed chunks, oldest first, CHUNK_FIELDS numbers each */
  closed: number[] = [];
  /** the open chunk; null after retention emptied the series or before the first sample */
  app: XorAppender | null = null;
  headMinT = 0;
  lastT = -Infinity;
  lastV = 0;
  lastStale = false;
  /** set when retention removed the series (identity-cache entries may still point here) */
  removed = false;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
    readonly hash: number,
  ) {}

  /** True when any chunk overlaps [mint, maxt]. */
  overlaps(mint: number, maxt: number): boolean {
    const c = this.closed;
    for (let i = 0; i < c.length; i += CHUNK_FIELDS) if (c[i]! <= maxt && c[i + 1]! >= mint) return true;
    return this.app !== null && this.headMinT <= maxt && this.lastT >= mint;
  }
}

/** FNV-1a over the label pairs (with separators no valid UTF-16 text yields alone). */
export function labelsHash(labels: Labels): number {
  let h = 0x811c9dc5;
  for (const l of labels) {
    const s = l.name;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xffff, 0x01000193);
    const v = l.value;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xfffe, 0x01000193);
  }
  return h >>> 0;
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

export class Head implements Storage, Component {
  /** hash → series, or several on a hash collision */
  private readonly byHash = new Map<number, MemSeries | MemSeries[]>();
  private readonly byRef = new Map<number, MemSeries>();
  /** Callers that append many samples with the same Labels object skip hashing (the pipeline's per-series caches, tests, benchmarks). */
  private readonly byIdentity = new WeakMap<Labels, MemSeries>();
  private readonly postings = new MemPostings();
  private readonly arena = new ChunkArena();
  private readonly exemplars: ExemplarStorage;
  private readonly meta = new Map<string, MetricMetadata>();
  private readonly retentionMs: number;
  private readonly maxFutureMs: number;
  private readonly now: () => number;
  private readonly samplesPerChunk: number;
  private readonly gcEveryMs: number;
  private gcTimer: NodeJS.Timeout | undefined;
  private nextRef = 1;
  private maxT = -Infinity;
  private lastGcT = -Infinity;
  /** the last clock reading, reused by checkTime */
  private clockMs = -Infinity;
  private clockUses = 0;
  private numSamples = 0;
  private numClosedChunks = 0;
  private openChunkBytes = 0;
  private outOfOrder = 0;
  private duplicates = 0;
  private appendedTotal = 0;
  private tooOld = 0;
  private tooFarInFuture = 0;
  /** samples before this are refused: their range is already written to a block (truncateBefore) */
  private minValidT = -Infinity;
  // Staleness flags scratch for select(), reused across calls.
  private scratchS = new Uint8Array(1024);
  /** the columns scan decodes into, while no scan holds them */
  private idleColumns: SampleColumns | undefined;

  constructor(opts: HeadOptions = {}) {
    this.retentionMs = opts.retentionMs ?? Infinity;
    this.maxFutureMs = opts.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    this.now = opts.now ?? Date.now;
    this.exemplars = new ExemplarStorage(opts.exemplarsPerSeries ?? 100);
    this.samplesPerChunk = Math.max(2, Math.min(opts.samplesPerChunk ?? 120, 65535));
    // Retention runs as the clock advances, not per sample: at most every minute (or sooner for short retention).
    this.gcEveryMs = Math.min(60_000, this.retentionMs / 4);
  }

  // ---- lifecycle ----

  /** Starts a timer that applies retention even while nothing is appended. */
  start(): void {
    if (this.gcTimer !== undefined || !Number.isFinite(this.retentionMs)) return;
    this.gcTimer = setInterval(() => this.applyRetention(), this.gcEveryMs);
    this.gcTimer.unref();
  }

  shutdown(): void {
    if (this.gcTimer !== undefined) clearInterval(this.gcTimer);
    this.gcTimer = undefined;
  }

  registerMetrics(registry: SelfMetrics): void {
    // Prometheus's own names (and its type="float" label) where Prometheus counts the same thing.
    const float = (n: number): { labels: Record<string, string>; value: number }[] => [
      { labels: { type: 'float' }, value: n },
    ];
    registry.gauge(SELF_METRICS.headSeries, 'Series in the TSDB head.', () => this.byRef.size);
    registry.counterFunc(SELF_METRICS.headSamples, 'Samples appended to the TSDB head.', () => this.appendedTotal);
    registry.counterFunc(
      SELF_METRICS.outOfOrderSamples,
      'Samples refused because older than the newest sample of their series.',
      () => float(this.outOfOrder),
    );
    registry.counterFunc(
      'prometheus_tsdb_out_of_bound_samples_total',
      'Samples refused because older than the retention.',
      () => float(this.tooOld),
    );
    registry.counterFunc(
      'orrery_tsdb_too_far_in_future_samples_total',
      'Samples refused because dated further ahead of the server clock than the head allows.',
      () => this.tooFarInFuture,
    );
    registry.counterFunc(
      'orrery_tsdb_duplicate_samples_total',
      'Samples refused because their series holds a different value at the same timestamp (duplicate sample for timestamp).',
      () => this.duplicates,
    );
  }

  // ---- append path ----

  private lookup(labels: Labels, hash: number): MemSeries | undefined {
    const hit = this.byHash.get(hash);
    if (hit === undefined) return undefined;
    if (!Array.isArray(hit)) return sameLabels(hit.labels, labels) ? hit : undefined;
    for (const s of hit) if (sameLabels(s.labels, labels)) return s;
    return undefined;
  }

  private getOrCreate(labels: Labels): MemSeries {
    const cached = this.byIdentity.get(labels);
    if (cached !== undefined && !cached.removed) return cached;
    const hash = labelsHash(labels);
    const found = this.lookup(labels, hash);
    if (found) {
      this.byIdentity.set(labels, found);
      return found;
    }
    // Copy the label set so a caller reusing its array cannot change a stored series.
    const own: Labels = labels.map((l) => ({ name: l.name, value: l.value }));
    const s = new MemSeries(this.nextRef++, own, hash);
    const prev = this.byHash.get(hash);
    if (prev === undefined) this.byHash.set(hash, s);
    else if (Array.isArray(prev)) prev.push(s);
    else this.byHash.set(hash, [prev, s]);
    this.byRef.set(s.ref, s);
    this.byIdentity.set(labels, s);
    this.postings.add(s.ref, own);
    return s;
  }

  /** The series ref for a label set, creating the series; use with appendRef to skip hashing per sample. */
  ref(labels: Labels): number {
    return this.getOrCreate(labels).ref;
  }

  append(labels: Labels, t: number, v: number): AppendStatus {
    // Refuse by time before finding the series, so a refused sample never creates one.
    const inBounds = this.checkTime(t);
    if (inBounds !== 'ok') return inBounds;
    return this.appendTo(this.getOrCreate(labels), t, v, false);
  }

  appendStale(labels: Labels, t: number): AppendStatus {
    const inBounds = this.checkTime(t);
    if (inBounds !== 'ok') return inBounds;
    // A marker for a series never seen carries no information; do not create one for it.
    const cached = this.byIdentity.get(labels);
    const s = cached !== undefined && !cached.removed ? cached : this.lookup(labels, labelsHash(labels));
    return s ? this.appendTo(s, t, NaN, true) : 'ok';
  }

  /** Appends to a series by ref (from ref()); undefined when the ref is unknown (e.g. removed by retention). */
  appendRef(ref: number, t: number, v: number, stale = false): AppendStatus | undefined {
    // Check the time first: it may run retention, which may remove the series.
    const inBounds = this.checkTime(t);
    const s = this.byRef.get(ref);
    if (!s) return undefined;
    if (inBounds !== 'ok') return inBounds;
    return this.appendTo(s, t, v, stale);
  }

  /**
   * Refuses (and counts) a timestamp outside [clock - retention, clock + maxFutureMs]; runs
   * retention when due. Reading the clock can cost as much as an append (150 ns on a VM), so
   * the last reading is reused while samples are no newer than it (plus CLOCK_SLACK_MS), for at
   * most CLOCK_REUSE appends; the timer of start() refreshes it too. A reused reading can only
   * lag, so it never refuses a sample wrongly: a sample beyond the future window is checked
   * against a fresh reading, and one older than (lagging clock - retention) is too old anyway.
   */
  private checkTime(t: number): AppendStatus {
    let now = this.clockMs;
    if (t > now + CLOCK_SLACK_MS || ++this.clockUses >= CLOCK_REUSE) now = this.readClock();
    if (t > now + this.maxFutureMs) {
      now = this.readClock();
      if (t > now + this.maxFutureMs) {
        this.tooFarInFuture++;
        return 'too-far-in-future';
      }
    }
    if (t < now - this.retentionMs || t < this.minValidT) {
      this.tooOld++;
      return 'too-old';
    }
    return 'ok';
  }

  private readClock(): number {
    const now = this.now();
    this.clockMs = now;
    this.clockUses = 0;
    if (now - this.lastGcT >= this.gcEveryMs) this.applyRetention(now);
    return now;
  }

  private appendTo(s: MemSeries, t: number, v: number, stale: boolean): AppendStatus {
    if (t <= s.lastT) {
      if (t === s.lastT) {
        // Same timestamp: an identical sample is a harmless retry; a different one is rejected.
        const same = stale ? s.lastStale : !s.lastStale && (Object.is(v, s.lastV) || (v !== v && s.lastV !== s.lastV));
        if (same) return 'ok';
        this.duplicates++;
        return 'duplicate';
      }
      this.outOfOrder++;
      return 'out-of-order';
    }
    let app = s.app;
    if (app !== null && app.numSamples >= this.samplesPerChunk) {
      this.cut(s, app);
      app = null;
    }
    if (app === null) {
      app = new XorAppender(32);
      s.app = app;
      s.headMinT = t;
      this.openChunkBytes += app.capacity;
    }
    const before = app.capacity;
    if (stale) app.appendStale(t);
    else app.append(t, v);
    this.appendedTotal++;
    this.openChunkBytes += app.capacity - before;
    s.lastT = t;
    s.lastV = v;
    s.lastStale = stale;
    this.numSamples++;
    if (t > this.maxT) this.maxT = t;
    return 'ok';
  }

  /** Moves a full open chunk into the arena as an immutable chunk. */
  private cut(s: MemSeries, app: XorAppender): void {
    const bytes = app.bytes();
    const loc = this.arena.store(bytes);
    s.closed.push(s.headMinT, app.lastT, loc, bytes.length);
    this.numClosedChunks++;
    this.openChunkBytes -= app.capacity;
    s.app = null;
  }

  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    this.exemplars.add(labelsKey(seriesLabels), seriesLabels, exemplar);
  }

  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.meta.set(metricName, metadata);
  }

  // ---- retention ----

  /** Drops chunks that end before (clock - retention), then series left empty. */
  applyRetention(now: number = this.now()): void {
    this.lastGcT = now;
    if (now > this.clockMs) this.clockMs = now;
    if (!Number.isFinite(this.retentionMs)) return;
    this.dropBefore(now - this.retentionMs);
    this.exemplars.truncate(now - this.retentionMs);
  }

  /**
   * Drops the data before `t` once it is in an on-disk block (db.ts), as retention does: whole
   * chunks ending before t, then series left empty. Samples before t are refused from then on.
   */
  truncateBefore(t: number): void {
    this.refuseBefore(t);
    this.dropBefore(t);
  }

  /**
   * Refuses samples before `t` from now on, keeping what is held: db.ts calls it before taking
   * the chunks of a range to write as a block, so that nothing lands in that range afterwards.
   */
  refuseBefore(t: number): void {
    if (t > this.minValidT) this.minValidT = t;
  }

  private dropBefore(cutoff: number): void {
    const dead = new Set<number>();
    for (const s of this.byRef.values()) {
      const c = s.closed;
      let drop = 0;
      while (drop < c.length && c[drop + 1]! < cutoff) {
        this.numSamples -= xorNumSamples(this.arena.view(c[drop + 2]!, c[drop + 3]!));
        this.arena.release(c[drop + 2]!, c[drop + 3]!);
        this.numClosedChunks--;
        drop += CHUNK_FIELDS;
      }
      if (drop > 0) s.closed = c.slice(drop);
      if (s.app !== null && s.closed.length === 0 && s.lastT < cutoff) {
        this.numSamples -= s.app.numSamples;
        this.openChunkBytes -= s.app.capacity;
        s.app = null;
      }
      if (s.app === null && s.closed.length === 0) dead.add(s.ref);
    }
    if (dead.size > 0) {
      this.postings.delete(dead, (ref) => this.byRef.get(ref)!.labels);
      for (const ref of dead) {
        const s = this.byRef.get(ref)!;
        s.removed = true;
        this.byRef.delete(ref);
        const hit = this.byHash.get(s.hash);
        if (Array.isArray(hit)) {
          const rest = hit.filter((x) => x !== s);
          if (rest.length === 1) this.byHash.set(s.hash, rest[0]!);
          else this.byHash.set(s.hash, rest);
        } else {
          this.byHash.delete(s.hash);
        }
      }
    }
  }

  // ---- read path ----

  private matching(matchers: readonly Matcher[]): MemSeries[] {
    const refs = postingsForMatchers(this.postings, matchers);
    const out: MemSeries[] = [];
    for (const ref of refs) {
      const s = this.byRef.get(ref);
      if (s) out.push(s);
    }
    return out;
  }

  /** Upper bound of the samples of `s` within [mint, maxt]: the counts of the chunks overlapping it. */
  private capacityOf(s: MemSeries, mint: number, maxt: number): number {
    let n = 0;
    const c = s.closed;
    for (let i = 0; i < c.length; i += CHUNK_FIELDS) {
      if (c[i]! > maxt) break;
      if (c[i + 1]! < mint) continue;
      const loc = c[i + 2]!;
      const page = this.arena.page(loc);
      const off = ChunkArena.offset(loc);
      n += (page[off]! << 8) | page[off + 1]!;
    }
    const app = s.app;
    if (app !== null && s.headMinT <= maxt && s.lastT >= mint) n += app.numSamples;
    return n;
  }

  /**
   * Series sorted by labels, as Prometheus's sorted Select returns them. All series are decoded
   * into one pair of column arrays sized up front, and each series gets views of its part: no
   * per-series copies or allocations beyond the views.
   */
  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesSamples[] {
    const series: MemSeries[] = [];
    let cap = 0;
    for (const s of this.matching(matchers)) {
      if (!s.overlaps(mint, maxt)) continue;
      series.push(s);
      cap += this.capacityOf(s, mint, maxt);
    }
    const T = new Float64Array(cap);
    const V = new Float64Array(cap);
    const VU = new Uint32Array(V.buffer);
    if (this.scratchS.length < cap) this.scratchS = new Uint8Array(Math.max(cap, this.scratchS.length * 2));
    const S = this.scratchS;
    const out: SeriesSamples[] = [];
    let n = 0;
    for (const s of series) {
      const n0 = n;
      n = this.decodeInto(s, mint, maxt, T, V, S, n, VU);
      if (n === n0) continue;
      // the native search over the flags, not a loop in JS: most series have no marker
      const flags = S.subarray(n0, n);
      out.push({
        labels: s.labels,
        t: T.subarray(n0, n),
        v: V.subarray(n0, n),
        ...(flags.includes(1) ? { stale: flags.slice() } : {}),
      });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /**
   * Querier.scan: select's series one at a time, each decoded into the same reused columns
   * (a query summing the rates of 50,000 series then allocates no 50,000-series answer, whose
   * external memory made V8 run a full collection every second or third query).
   */
  scan(matchers: readonly Matcher[], mint: number, maxt: number, visit: SeriesVisitor): void {
    const series = this.matching(matchers).filter((s) => s.overlaps(mint, maxt));
    series.sort((a, b) => compareLabels(a.labels, b.labels));
    // A visit that scans again (none does today) gets columns of its own.
    const cols = this.idleColumns ?? new SampleColumns();
    this.idleColumns = undefined;
    try {
      for (const s of series) {
        cols.reserve(this.capacityOf(s, mint, maxt));
        const n = this.decodeInto(s, mint, maxt, cols.t, cols.v, cols.stale, 0, cols.vWords);
        if (n === 0) continue;
        const flags = cols.stale.subarray(0, n);
        const samples: SeriesSamples = {
          labels: s.labels,
          t: cols.t.subarray(0, n),
          v: cols.v.subarray(0, n),
          ...(flags.includes(1) ? { stale: flags } : {}),
        };
        if (visit(samples) === false) return;
      }
    } finally {
      this.idleColumns = cols;
    }
  }

  /** Decodes the samples of s within [mint, maxt] into the columns from index n; returns the new end. */
  private decodeInto(
    s: MemSeries,
    mint: number,
    maxt: number,
    T: Float64Array,
    V: Float64Array,
    S: Uint8Array,
    n: number,
    VU: Uint32Array,
  ): number {
    const c = s.closed;
    for (let i = 0; i < c.length; i += CHUNK_FIELDS) {
      if (c[i]! > maxt) break;
      if (c[i + 1]! < mint) continue;
      const loc = c[i + 2]!;
      n = decodeXorInto(this.arena.page(loc), ChunkArena.offset(loc), undefined, mint, maxt, T, V, S, n, VU);
    }
    const app = s.app;
    if (app !== null && s.headMinT <= maxt && s.lastT >= mint) {
      n = decodeXorInto(app.bytes(), 0, app.numSamples, mint, maxt, T, V, S, n, VU);
    }
    return n;
  }

  /** Refs and labels of the series with samples in [mint, maxt] (db.ts cuts blocks series by series). */
  seriesIn(mint: number, maxt: number): { ref: number; labels: Labels }[] {
    const out: { ref: number; labels: Labels }[] = [];
    for (const s of this.byRef.values()) if (s.overlaps(mint, maxt)) out.push({ ref: s.ref, labels: s.labels });
    return out;
  }

  /** One series' samples in [mint, maxt] in arrays of their own; undefined when it has none there. */
  samplesOf(ref: number, mint: number, maxt: number): SeriesSamples | undefined {
    const s = this.byRef.get(ref);
    if (s === undefined) return undefined;
    const cap = this.capacityOf(s, mint, maxt);
    const T = new Float64Array(cap);
    const V = new Float64Array(cap);
    const S = new Uint8Array(cap);
    const n = this.decodeInto(s, mint, maxt, T, V, S, 0, new Uint32Array(V.buffer));
    if (n === 0) return undefined;
    const stale = S.subarray(0, n);
    return { labels: s.labels, t: T.subarray(0, n), v: V.subarray(0, n), ...(stale.includes(1) ? { stale } : {}) };
  }

  /**
   * The series select would answer with views of their chunks (this head's XOR format) that
   * overlap [mint, maxt], sorted by labels: what db.ts merges with blocks' chunks. The views are
   * valid until the next append.
   */
  chunkedSeries(matchers: readonly Matcher[], mint: number, maxt: number): ChunkedSeries[] {
    const out: ChunkedSeries[] = [];
    for (const s of this.matching(matchers)) if (s.overlaps(mint, maxt)) out.push(this.chunksOf(s, mint, maxt));
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** Querier.selectEncoded: the chunks of chunkedSeries copied into transferable buffers. */
  selectEncoded(matchers: readonly Matcher[], mint: number, maxt: number): EncodedSelection {
    return encodeSelection([this.chunkedSeries(matchers, mint, maxt)]);
  }

  /** Views of the chunks of s overlapping [mint, maxt] (the ones decodeInto decodes) and their counts. */
  private chunksOf(s: MemSeries, mint: number, maxt: number): ChunkedSeries {
    const chunks: Uint8Array[] = [];
    const counts: number[] = [];
    let minT = Infinity;
    const c = s.closed;
    for (let i = 0; i < c.length; i += CHUNK_FIELDS) {
      if (c[i]! > maxt) break;
      if (c[i + 1]! < mint) continue;
      if (chunks.length === 0) minT = c[i]!;
      const view = this.arena.view(c[i + 2]!, c[i + 3]!);
      chunks.push(view);
      counts.push(xorNumSamples(view));
    }
    const app = s.app;
    if (app !== null && s.headMinT <= maxt && s.lastT >= mint) {
      if (chunks.length === 0) minT = s.headMinT;
      chunks.push(app.bytes());
      // the open chunk's header count is written only when it is closed
      counts.push(app.numSamples);
    }
    return { labels: s.labels, minT, chunks, headCounts: counts };
  }

  /**
   * The encoded chunks (this head's XOR format) in [mint, maxt] of the series `refs` (from
   * seriesIn; removed ones are skipped), copied into fresh buffers that can be transferred to a
   * worker thread: db.ts writes blocks from them there. Compressed bytes are copied, nothing is
   * decoded here.
   */
  chunksIn(refs: readonly number[], mint: number, maxt: number): HeadChunks {
    const series: ChunkedSeries[] = [];
    for (const ref of refs) {
      const s = this.byRef.get(ref);
      if (s !== undefined && s.overlaps(mint, maxt)) series.push(this.chunksOf(s, mint, maxt));
    }
    // One piece per series, in the order of refs: series j's chunks are piece j's.
    const enc = packPieces(series.map((s) => [s]));
    return {
      labels: enc.labels,
      seriesChunks: enc.pieceChunks,
      chunkStart: enc.chunkStart,
      chunkSamples: enc.chunkSamples,
      bytes: enc.bytes,
    };
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    const out: Labels[] = [];
    for (const s of this.matching(matchers)) if (s.overlaps(mint, maxt)) out.push(s.labels);
    return out.sort(compareLabels);
  }

  /** Whether [mint, maxt] covers all data, so the index can answer without looking at series. */
  private coversAll(mint: number, maxt: number): boolean {
    return mint <= this.minTime() && maxt >= this.maxT;
  }

  /** Oldest sample time held (ms), or +Infinity when empty. */
  minTime(): number {
    let m = Infinity;
    for (const s of this.byRef.values()) {
      const first = s.closed.length > 0 ? s.closed[0]! : s.app !== null ? s.headMinT : Infinity;
      if (first < m) m = first;
    }
    return m;
  }

  /** Newest sample time appended (ms), or -Infinity when empty. */
  maxTime(): number {
    return this.maxT;
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    if (matchers.length === 0 && this.coversAll(mint, maxt)) return this.postings.labelNames();
    const names = new Set<string>();
    const all = matchers.length === 0 ? [...this.byRef.values()] : this.matching(matchers);
    for (const s of all) if (s.overlaps(mint, maxt)) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    if (matchers.length === 0 && this.coversAll(mint, maxt)) return this.postings.labelValues(name);
    const values = new Set<string>();
    const all = matchers.length === 0 ? this.matchingName(name) : this.matching(matchers);
    for (const s of all) {
      if (!s.overlaps(mint, maxt)) continue;
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort();
  }

  private matchingName(name: string): MemSeries[] {
    const out: MemSeries[] = [];
    for (const ref of this.postings.forValues(name, () => true)) out.push(this.byRef.get(ref)!);
    return out;
  }

  selectExemplars(
    matcherSets: readonly (readonly Matcher[])[],
    mint: number,
    maxt: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[] {
    return this.exemplars.select(matcherSets, mint, maxt).sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  metadata(metricName?: string): Map<string, MetricMetadata> {
    if (metricName === undefined) return new Map(this.meta);
    const m = this.meta.get(metricName);
    return m ? new Map([[metricName, m]]) : new Map();
  }

  // ---- write-ahead log access (src/tsdb/wal/: its appender, replay and checkpoints) ----

  /** The ref of an existing series, or undefined; unlike ref(), never creates one. */
  refOf(labels: Labels): number | undefined {
    const cached = this.byIdentity.get(labels);
    if (cached !== undefined && !cached.removed) return cached.ref;
    return this.lookup(labels, labelsHash(labels))?.ref;
  }

  /**
   * Every series holding samples, with its chunks oldest first (XOR chunks, each with its sample
   * count in its header), for a checkpoint. The views are valid during the call only.
   */
  forEachSeriesChunks(visit: (ref: number, labels: Labels, chunks: readonly Uint8Array[]) => void): void {
    for (const s of this.byRef.values()) {
      const chunks: Uint8Array[] = [];
      const c = s.closed;
      for (let i = 0; i < c.length; i += CHUNK_FIELDS) chunks.push(this.arena.view(c[i + 2]!, c[i + 3]!));
      if (s.app !== null && s.app.numSamples > 0) chunks.push(s.app.bytes());
      if (chunks.length > 0) visit(s.ref, s.labels, chunks);
    }
  }

  stats(): HeadStats {
    let open = 0;
    for (const s of this.byRef.values()) if (s.app !== null) open++;
    return {
      series: this.byRef.size,
      samples: this.numSamples,
      chunks: this.numClosedChunks + open,
      bytes: this.arena.allocatedBytes() + this.openChunkBytes,
      outOfOrderSamples: this.outOfOrder,
      duplicateSamples: this.duplicates,
      tooOldSamples: this.tooOld,
      tooFarInFutureSamples: this.tooFarInFuture,
    };
  }
}
