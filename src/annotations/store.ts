// Annotations in Grafana's shape ({id, time, timeEnd?, tags, text}): the demo posts flag changes
// and restarts, the console draws them as markers on time-series panels. A bounded ring (oldest
// dropped first) so a chatty client cannot grow memory without limit.
//
// With a data directory the store writes through a write-ahead log (src/wal/, in
// <data-dir>/annotations): each annotation is one record, its JSON, appended before add()
// returns (so before the API's 200) and replayed on start, so a kill -9 loses nothing that was
// acknowledged; a torn or corrupt tail is cut, counted and logged. Once the log holds twice the
// ring, a checkpoint of the kept annotations replaces it. The annotations.jsonl (and older
// annotations.json) of earlier versions is imported once, its unreadable lines skipped and counted.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Component } from '../component/component.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import { WriteAheadLog, walMetricNames } from '../wal/wal.js';

/** The write-ahead log's directory under the data directory. */
export const ANNOTATIONS_WAL_DIR = 'annotations';
/** The write-through log of earlier versions (JSON lines); imported once when no WAL exists. */
export const ANNOTATIONS_FILE = 'annotations.jsonl';
/** What still earlier versions saved on a clean stop (a JSON array); imported likewise. */
const LEGACY_FILE = 'annotations.json';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface Annotation {
  readonly id: number;
  /** ms since the epoch */
  readonly time: number;
  /** ms since the epoch, for a region; absent for a point */
  readonly timeEnd?: number;
  readonly tags: readonly string[];
  readonly text: string;
}

export interface AnnotationInput {
  readonly time?: number;
  readonly timeEnd?: number;
  readonly tags?: readonly string[];
  readonly text: string;
}

export interface AnnotationQuery {
  /** inclusive bounds in ms; an annotation matches when [time, timeEnd] overlaps [from, to] */
  readonly from?: number;
  readonly to?: number;
  /** every tag must be present (Grafana's matchAny=false) */
  readonly tags?: readonly string[];
  readonly limit?: number;
}

export interface AnnotationStoreOptions {
  /** most annotations kept; default 10,000 */
  readonly capacity?: number;
  readonly now?: () => number;
  /** where the log lives (<dataDir>/annotations); none: memory only */
  readonly dataDir?: string;
  /** where start() reports what it could not read; default console.error */
  readonly log?: (line: string) => void;
}

export class AnnotationStore implements Component {
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly dataDir: string | undefined;
  private readonly log: (line: string) => void;
  /** the log, between start() and shutdown() */
  private readonly wal: WriteAheadLog | undefined;
  private started = false;
  /** oldest first; bounded by capacity */
  private items: Annotation[] = [];
  private nextId = 1;
  /** records in the log, to replace it with a checkpoint once it holds far more than the ring */
  private logRecords = 0;
  dropped = 0;
  /** records of the log (or lines of an imported annotations.jsonl) that could not be read back */
  unreadableRecords = 0;

  constructor(opts: AnnotationStoreOptions = {}) {
    this.capacity = opts.capacity ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.dataDir = opts.dataDir;
    this.log = opts.log ?? ((line) => console.error(line));
    this.wal =
      opts.dataDir === undefined
        ? undefined
        : new WriteAheadLog({
            dir: path.join(opts.dataDir, ANNOTATIONS_WAL_DIR),
            log: this.log,
            metrics: walMetricNames('orrery_annotations'),
          });
  }

  /** Replays the log (or imports an earlier version's file) and opens the log for appending. */
  async start(): Promise<void> {
    const wal = this.wal;
    if (wal === undefined || this.dataDir === undefined || this.started) return;
    await fs.mkdir(this.dataDir, { recursive: true });
    const legacyLines = path.join(this.dataDir, ANNOTATIONS_FILE);
    const legacyArray = path.join(this.dataDir, LEGACY_FILE);
    const importing = !existsSync(wal.dir);
    if (importing) {
      const text = await fs.readFile(legacyLines, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (text !== undefined) this.restoreLines(legacyLines, text);
      else await this.importLegacy(legacyArray);
    } else {
      const r = wal.replay((record) => {
        const a = parseAnnotation(JSON.parse(utf8Decoder.decode(record)));
        if (a === undefined) throw new Error('not an annotation');
        this.restore(a);
        this.logRecords++;
      });
      this.unreadableRecords += r.unreadableRecords + r.corruptions;
    }
    wal.start();
    this.started = true;
    if (importing) {
      // Into the log first, then the old files go: a kill in between imports them again.
      this.compact();
      await fs.rm(legacyLines, { force: true });
      await fs.rm(legacyArray, { force: true });
    }
  }

  /** Closes the log; every annotation is already in it. */
  shutdown(): void {
    if (!this.started) return;
    this.wal?.shutdown();
    this.started = false;
  }

  registerMetrics(registry: SelfMetrics): void {
    registry.gauge('orrery_annotations', 'Annotations held by the annotation store.', () => this.items.length);
    registry.counterFunc(
      'orrery_annotations_dropped_total',
      'Annotations dropped because the store was full.',
      () => this.dropped,
    );
    registry.counterFunc(
      'orrery_annotations_unreadable_records_total',
      'Records of the annotation log that could not be read back on start.',
      () => this.unreadableRecords,
    );
    this.wal?.registerMetrics(registry);
  }

  add(input: AnnotationInput): Annotation {
    const a: Annotation = {
      id: this.nextId,
      time: input.time ?? this.now(),
      ...(input.timeEnd !== undefined ? { timeEnd: input.timeEnd } : {}),
      tags: [...(input.tags ?? [])],
      text: input.text,
    };
    // Written before it is kept or acknowledged: a failed write (RefusedError) adds nothing.
    if (this.started) {
      this.wal!.append(utf8.encode(JSON.stringify(a)));
      this.logRecords++;
    }
    this.nextId++;
    this.keep(a);
    if (this.started && this.logRecords > 2 * this.capacity) this.compact();
    return a;
  }

  /** Matching annotations, newest first (Grafana's order). */
  query(q: AnnotationQuery = {}): Annotation[] {
    const from = q.from ?? -Infinity;
    const to = q.to ?? Infinity;
    const tags = q.tags ?? [];
    const limit = q.limit ?? 100;
    const out: Annotation[] = [];
    for (let i = this.items.length - 1; i >= 0 && out.length < limit; i--) {
      const a = this.items[i]!;
      const end = a.timeEnd ?? a.time;
      if (end < from || a.time > to) continue;
      if (!tags.every((t) => a.tags.includes(t))) continue;
      out.push(a);
    }
    return out.sort((x, y) => y.time - x.time || y.id - x.id);
  }

  get size(): number {
    return this.items.length;
  }

  private keep(a: Annotation): void {
    this.items.push(a);
    if (this.items.length > this.capacity) {
      // A 10,000-entry splice is a memmove of microseconds; simpler than a true ring buffer.
      const excess = this.items.length - this.capacity;
      this.items.splice(0, excess);
      this.dropped += excess;
    }
  }

  /** Reads an earlier version's annotations.jsonl, skipping (counting, logging) unreadable lines. */
  private restoreLines(file: string, text: string): void {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let a: Annotation | undefined;
      try {
        a = parseAnnotation(JSON.parse(line));
      } catch {
        a = undefined;
      }
      if (a === undefined) {
        this.unreadableRecords++;
        const torn = i === lines.length - 1 ? ' (a torn last line: the process died while writing it)' : '';
        this.log(`orrery: ${file}: skipping unreadable line ${i + 1}${torn}`);
        return;
      }
      this.restore(a);
    });
  }

  private async importLegacy(file: string): Promise<void> {
    let items: unknown;
    try {
      items = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`orrery: ignoring unreadable ${file}: ${String(e)}`);
      return;
    }
    if (!Array.isArray(items)) return;
    for (const item of items) {
      const a = parseAnnotation({ ...(item as object), id: this.nextId });
      if (a) this.restore(a);
    }
  }

  private restore(a: Annotation): void {
    this.nextId = Math.max(this.nextId, a.id + 1);
    this.keep(a);
  }

  /** Replaces the log with a checkpoint of exactly the kept annotations (a failure is logged; the log stays). */
  private compact(): void {
    const done = this.wal?.checkpoint((sink) => {
      for (const a of this.items) sink.append(utf8.encode(JSON.stringify(a)));
    });
    if (done !== undefined) this.logRecords = this.items.length;
  }

  /** Removes everything older than cutoff (retention). */
  prune(cutoffMs: number): void {
    const keep = this.items.filter((a) => (a.timeEnd ?? a.time) >= cutoffMs);
    this.dropped += this.items.length - keep.length;
    this.items = keep;
  }
}

/** ms timestamps beyond year 9999 are surely a unit mistake (µs or ns) */
const MAX_TIME = 253402300799999;

/** Milliseconds since the epoch, within year 0 to 9999. */
export function isAnnotationTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TIME;
}

/** A stored line back into an Annotation, or undefined when it is not one. */
function parseAnnotation(v: unknown): Annotation | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const id = o['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return undefined;
  if (typeof o['text'] !== 'string' || !isAnnotationTime(o['time'])) return undefined;
  if (o['timeEnd'] !== undefined && !isAnnotationTime(o['timeEnd'])) return undefined;
  const tags = o['tags'] ?? [];
  if (!Array.isArray(tags) || !tags.every((t): t is string => typeof t === 'string')) return undefined;
  return {
    id,
    time: o['time'],
    ...(o['timeEnd'] !== undefined ? { timeEnd: o['timeEnd'] as number } : {}),
    tags,
    text: o['text'],
  };
}
