// Annotations in Grafana's shape ({id, time, timeEnd?, tags, text}): the demo posts flag changes
// and restarts, the console draws them as markers on time-series panels. A bounded ring (oldest
// dropped first) so a chatty client cannot grow memory without limit.
//
// With a data directory the store is written through: each annotation is appended as one JSON
// line to annotations.jsonl before add() returns (so before the API's 200), and read back on
// start, so a kill -9 loses nothing that was acknowledged. The OS page cache is trusted (no fsync):
// it survives a crash of the process, not of the machine. A torn last line (a kill in mid-write)
// and any unreadable line are skipped, counted and logged; start() then rewrites the file compactly.
import { closeSync, openSync, promises as fs, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Component } from '../component/component.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';

/** The write-through log under the data directory. */
export const ANNOTATIONS_FILE = 'annotations.jsonl';
/** What earlier versions saved on a clean stop (a JSON array); imported once when no log exists. */
const LEGACY_FILE = 'annotations.json';

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
  /** where annotations.jsonl lives; none: memory only */
  readonly dataDir?: string;
  /** where start() reports unreadable lines; default console.error */
  readonly log?: (line: string) => void;
}

export class AnnotationStore implements Component {
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly file: string | undefined;
  private readonly log: (line: string) => void;
  /** oldest first; bounded by capacity */
  private items: Annotation[] = [];
  private nextId = 1;
  /** the append handle of the log, open between start() and shutdown() */
  private fd: number | undefined;
  /** lines in the log, to compact it once it holds far more than the ring */
  private fileLines = 0;
  dropped = 0;
  /** lines of the log that could not be read back (a torn last line after a kill, say) */
  unreadableLines = 0;

  constructor(opts: AnnotationStoreOptions = {}) {
    this.capacity = opts.capacity ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.file = opts.dataDir === undefined ? undefined : path.join(opts.dataDir, ANNOTATIONS_FILE);
    this.log = opts.log ?? ((line) => console.error(line));
  }

  /** Reads the log back (or imports the legacy file), rewrites it compactly and opens it for appending. */
  async start(): Promise<void> {
    if (this.file === undefined || this.fd !== undefined) return;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const text = await fs.readFile(this.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    const legacy = path.join(path.dirname(this.file), LEGACY_FILE);
    if (text !== undefined) this.restoreLines(text);
    else await this.importLegacy(legacy);
    this.compact();
    if (text === undefined) await fs.rm(legacy, { force: true });
  }

  /** Closes the log; every annotation is already in it. */
  shutdown(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  registerMetrics(registry: SelfMetrics): void {
    registry.gauge('orrery_annotations', 'Annotations held by the annotation store.', () => this.items.length);
    registry.counterFunc(
      'orrery_annotations_dropped_total',
      'Annotations dropped because the store was full.',
      () => this.dropped,
    );
    registry.counterFunc(
      'orrery_annotations_unreadable_lines_total',
      'Lines of the annotation log that could not be read back on start.',
      () => this.unreadableLines,
    );
  }

  add(input: AnnotationInput): Annotation {
    const a: Annotation = {
      id: this.nextId,
      time: input.time ?? this.now(),
      ...(input.timeEnd !== undefined ? { timeEnd: input.timeEnd } : {}),
      tags: [...(input.tags ?? [])],
      text: input.text,
    };
    // Written before it is kept or acknowledged: a failed write adds nothing (the API answers 500).
    if (this.fd !== undefined) {
      writeSync(this.fd, JSON.stringify(a) + '\n');
      this.fileLines++;
    }
    this.nextId++;
    this.keep(a);
    if (this.fileLines > 2 * this.capacity) this.compact();
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

  private restoreLines(text: string): void {
    const lines = text.split('\n');
    let bad = 0;
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let a: Annotation | undefined;
      try {
        a = parseAnnotation(JSON.parse(line));
      } catch {
        a = undefined;
      }
      if (a === undefined) {
        bad++;
        const torn = i === lines.length - 1 ? ' (a torn last line: the process died while writing it)' : '';
        this.log(`orrery: ${this.file}: skipping unreadable line ${i + 1}${torn}`);
        return;
      }
      this.restore(a);
    });
    this.unreadableLines += bad;
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

  /** Rewrites the log with exactly the kept annotations (atomic rename), then appends to it. */
  private compact(): void {
    if (this.file === undefined) return;
    if (this.fd !== undefined) closeSync(this.fd);
    const tmp = `${this.file}.tmp`;
    const out = openSync(tmp, 'w');
    try {
      const body = this.items.map((a) => JSON.stringify(a) + '\n').join('');
      if (body !== '') writeSync(out, body);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, this.file); // atomic on POSIX: a kill leaves the old or the new file
    this.fd = openSync(this.file, 'a');
    this.fileLines = this.items.length;
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
