// The in-memory head block: series addressed by label set, samples in plain arrays (a first,
// simple version; the compressed chunk design replaces the internals behind the same API).
import { labelsKey, getLabel, type Labels } from './labels.js';
import type { Matcher } from './matcher.js';
import type { Exemplar, MetricMetadata, SeriesSamples, Storage } from './storage.js';

export interface HeadOptions {
  /** samples older than (newest timestamp - retentionMs) are dropped; default: keep forever */
  readonly retentionMs?: number;
  /** exemplars kept per series (ring); default 100 */
  readonly exemplarsPerSeries?: number;
}

export interface HeadStats {
  readonly series: number;
  readonly samples: number;
  readonly chunks: number;
  readonly bytes: number;
}

interface MemSeries {
  readonly labels: Labels;
  t: number[];
  v: number[];
  stale: number[];
  exemplars: Exemplar[];
}

export class Head implements Storage {
  private readonly byKey = new Map<string, MemSeries>();
  private readonly meta = new Map<string, MetricMetadata>();
  private readonly retentionMs: number;
  private readonly exemplarsPerSeries: number;
  private maxT = -Infinity;
  outOfOrder = 0;

  constructor(opts: HeadOptions = {}) {
    this.retentionMs = opts.retentionMs ?? Infinity;
    this.exemplarsPerSeries = opts.exemplarsPerSeries ?? 100;
  }

  private getOrCreate(labels: Labels): MemSeries {
    const key = labelsKey(labels);
    let s = this.byKey.get(key);
    if (!s) {
      s = { labels, t: [], v: [], stale: [], exemplars: [] };
      this.byKey.set(key, s);
    }
    return s;
  }

  private add(labels: Labels, t: number, v: number, stale: boolean): void {
    const s = this.getOrCreate(labels);
    const n = s.t.length;
    if (n > 0 && t <= s.t[n - 1]!) {
      if (t === s.t[n - 1]! && (Object.is(v, s.v[n - 1]) || (stale && s.stale[n - 1] === 1))) return;
      this.outOfOrder++;
      return;
    }
    s.t.push(t);
    s.v.push(stale ? NaN : v);
    s.stale.push(stale ? 1 : 0);
    if (t > this.maxT) {
      this.maxT = t;
      this.gc();
    }
  }

  append(labels: Labels, t: number, v: number): void {
    this.add(labels, t, v, false);
  }

  appendStale(labels: Labels, t: number): void {
    this.add(labels, t, NaN, true);
  }

  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    const s = this.getOrCreate(seriesLabels);
    const last = s.exemplars[s.exemplars.length - 1];
    if (last && exemplar.t < last.t) return;
    s.exemplars.push(exemplar);
    if (s.exemplars.length > this.exemplarsPerSeries) s.exemplars.shift();
  }

  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.meta.set(metricName, metadata);
  }

  private gc(): void {
    if (!Number.isFinite(this.retentionMs)) return;
    const cutoff = this.maxT - this.retentionMs;
    for (const [key, s] of this.byKey) {
      let i = 0;
      while (i < s.t.length && s.t[i]! < cutoff) i++;
      if (i > 0) {
        s.t.splice(0, i);
        s.v.splice(0, i);
        s.stale.splice(0, i);
      }
      if (s.t.length === 0 && s.exemplars.every((e) => e.t < cutoff)) this.byKey.delete(key);
    }
  }

  private matching(matchers: readonly Matcher[]): MemSeries[] {
    const out: MemSeries[] = [];
    for (const s of this.byKey.values()) {
      if (matchers.every((m) => m.matches(getLabel(s.labels, m.name)))) out.push(s);
    }
    return out.sort((a, b) => cmpLabels(a.labels, b.labels));
  }

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesSamples[] {
    const out: SeriesSamples[] = [];
    for (const s of this.matching(matchers)) {
      let lo = 0;
      while (lo < s.t.length && s.t[lo]! < mint) lo++;
      let hi = lo;
      while (hi < s.t.length && s.t[hi]! <= maxt) hi++;
      if (hi === lo) continue;
      const st = Uint8Array.from(s.stale.slice(lo, hi));
      out.push({
        labels: s.labels,
        t: Float64Array.from(s.t.slice(lo, hi)),
        v: Float64Array.from(s.v.slice(lo, hi)),
        ...(st.some((x) => x === 1) ? { stale: st } : {}),
      });
    }
    return out;
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    return this.select(matchers, mint, maxt).map((s) => s.labels);
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    const names = new Set<string>();
    for (const l of this.series(matchers, mint, maxt)) for (const p of l) names.add(p.name);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    const values = new Set<string>();
    for (const l of this.series(matchers, mint, maxt)) {
      const v = getLabel(l, name);
      if (v !== '') values.add(v);
    }
    return [...values].sort();
  }

  selectExemplars(
    matcherSets: readonly (readonly Matcher[])[],
    mint: number,
    maxt: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[] {
    const out: { seriesLabels: Labels; exemplars: Exemplar[] }[] = [];
    for (const s of this.byKey.values()) {
      if (!matcherSets.some((ms) => ms.every((m) => m.matches(getLabel(s.labels, m.name))))) continue;
      const ex = s.exemplars.filter((e) => e.t >= mint && e.t <= maxt);
      if (ex.length > 0) out.push({ seriesLabels: s.labels, exemplars: ex });
    }
    return out.sort((a, b) => cmpLabels(a.seriesLabels, b.seriesLabels));
  }

  metadata(metricName?: string): Map<string, MetricMetadata> {
    if (metricName === undefined) return new Map(this.meta);
    const m = this.meta.get(metricName);
    return m ? new Map([[metricName, m]]) : new Map();
  }

  stats(): HeadStats {
    let samples = 0;
    for (const s of this.byKey.values()) samples += s.t.length;
    return { series: this.byKey.size, samples, chunks: 0, bytes: samples * 16 };
  }
}

/** Orders label sets as Prometheus's labels.Compare does. */
export function cmpLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

