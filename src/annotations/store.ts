// Annotations in Grafana's shape ({id, time, timeEnd?, tags, text}): the demo posts flag changes
// and restarts, the console draws them as markers on time-series panels. A bounded ring (oldest
// dropped first) so a chatty client cannot grow memory without limit.
import path from 'node:path';
import type { Component } from '../component/component.js';
import { ANNOTATIONS_JSON, loadAnnotations, saveAnnotations } from './file.js';

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
  /** where the annotations are kept across restarts; none: memory only */
  readonly dataDir?: string;
}

export class AnnotationStore implements Component {
  private readonly capacity: number;
  private readonly now: () => number;
  /** oldest first; bounded by capacity */
  private items: Annotation[] = [];
  private nextId = 1;
  private readonly file: string | undefined;
  /** set once the file has been read: a store that never read it must not overwrite it */
  private loaded = false;
  dropped = 0;

  constructor(opts: AnnotationStoreOptions = {}) {
    this.capacity = opts.capacity ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.file = opts.dataDir === undefined ? undefined : path.join(opts.dataDir, ANNOTATIONS_JSON);
  }

  /** reads back what the data directory holds */
  async start(): Promise<void> {
    if (this.file && !this.loaded) await loadAnnotations(this.file, this);
    this.loaded = true;
  }

  /** writes everything to the data directory */
  async shutdown(): Promise<void> {
    if (this.file && this.loaded) await saveAnnotations(this.file, this);
  }

  add(input: AnnotationInput): Annotation {
    const a: Annotation = {
      id: this.nextId++,
      time: input.time ?? this.now(),
      ...(input.timeEnd !== undefined ? { timeEnd: input.timeEnd } : {}),
      tags: [...(input.tags ?? [])],
      text: input.text,
    };
    this.items.push(a);
    if (this.items.length > this.capacity) {
      // A 10,000-entry splice is a memmove of microseconds; simpler than a true ring buffer.
      const excess = this.items.length - this.capacity;
      this.items.splice(0, excess);
      this.dropped += excess;
    }
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

  /** Removes everything older than cutoff (retention). */
  prune(cutoffMs: number): void {
    const keep = this.items.filter((a) => (a.timeEnd ?? a.time) >= cutoffMs);
    this.dropped += this.items.length - keep.length;
    this.items = keep;
  }
}
