// Exemplar storage: a fixed-size ring per series (the shape of Prometheus's circular exemplar
// storage, which links each series' exemplars inside one ring; a ring per series keeps one busy
// series from evicting everyone else's). Rules as Prometheus's AddExemplar: an exemplar older than
// the newest of its series is rejected, an exact repeat of the newest is ignored, labels are
// limited to 128 runes in total.
import { labelsEqual, type Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';
import type { Exemplar } from '../storage/storage.js';
import { getLabel } from '../labels/labels.js';

/** Prometheus's ExemplarMaxLabelSetLength. */
export const EXEMPLAR_MAX_LABEL_RUNES = 128;

export type AddExemplarResult = 'ok' | 'duplicate' | 'out_of_order' | 'too_long';

export class ExemplarRing {
  private readonly buf: (Exemplar | undefined)[];
  /** index of the next write */
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array<Exemplar | undefined>(Math.max(1, capacity));
  }

  get length(): number {
    return this.size;
  }

  newest(): Exemplar | undefined {
    return this.size === 0 ? undefined : this.buf[(this.next - 1 + this.buf.length) % this.buf.length];
  }

  add(e: Exemplar): AddExemplarResult {
    let runes = 0;
    for (const l of e.labels) runes += [...l.name].length + [...l.value].length;
    if (runes > EXEMPLAR_MAX_LABEL_RUNES) return 'too_long';
    const last = this.newest();
    if (last) {
      if (e.t === last.t && Object.is(e.value, last.value) && labelsEqual(e.labels, last.labels)) return 'duplicate';
      if (e.t < last.t) return 'out_of_order';
    }
    this.buf[this.next] = e;
    this.next = (this.next + 1) % this.buf.length;
    if (this.size < this.buf.length) this.size++;
    return 'ok';
  }

  /** Exemplars with mint <= t <= maxt, oldest first. */
  select(mint: number, maxt: number): Exemplar[] {
    const out: Exemplar[] = [];
    const cap = this.buf.length;
    const start = (this.next - this.size + cap) % cap;
    for (let k = 0; k < this.size; k++) {
      const e = this.buf[(start + k) % cap]!;
      if (e.t >= mint && e.t <= maxt) out.push(e);
    }
    return out;
  }
}

interface Entry {
  readonly labels: Labels;
  readonly ring: ExemplarRing;
}

/** Exemplars of all series, keyed by series label set. */
export class ExemplarStorage {
  private readonly bySeries = new Map<string, Entry>();
  private readonly counts = { ok: 0, duplicate: 0, out_of_order: 0, too_long: 0 };

  constructor(private readonly perSeries: number) {}

  add(key: string, seriesLabels: Labels, e: Exemplar): AddExemplarResult {
    if (this.perSeries <= 0) return 'ok';
    let entry = this.bySeries.get(key);
    if (!entry) {
      entry = { labels: seriesLabels, ring: new ExemplarRing(this.perSeries) };
      this.bySeries.set(key, entry);
    }
    const r = entry.ring.add(e);
    this.counts[r]++;
    return r;
  }

  /** Counts of add() outcomes, for self-metrics. */
  stats(): Readonly<Record<AddExemplarResult, number>> & { series: number } {
    return { ...this.counts, series: this.bySeries.size };
  }

  select(
    matcherSets: readonly (readonly Matcher[])[],
    mint: number,
    maxt: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[] {
    const out: { seriesLabels: Labels; exemplars: Exemplar[] }[] = [];
    for (const entry of this.bySeries.values()) {
      const hit = matcherSets.some((ms) => ms.every((m) => m.matches(getLabel(entry.labels, m.name))));
      if (!hit) continue;
      const ex = entry.ring.select(mint, maxt);
      if (ex.length > 0) out.push({ seriesLabels: entry.labels, exemplars: ex });
    }
    return out;
  }

  /** Drops the rings whose newest exemplar is older than `cutoff` (retention). */
  truncate(cutoff: number): void {
    for (const [key, entry] of this.bySeries) {
      const newest = entry.ring.newest();
      if (!newest || newest.t < cutoff) this.bySeries.delete(key);
    }
  }
}
