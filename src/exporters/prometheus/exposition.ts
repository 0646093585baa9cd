// What GET /metrics serves and a real Prometheus scrapes, in the two formats Prometheus reads:
//   - text 0.0.4: # HELP and # TYPE lines, label values escaped (\\, \", \n), HELP text escaped
//     (\\, \n), floats in Go's form (+Inf, -Inf, NaN), no timestamps (the scraper stamps);
//   - OpenMetrics 1.0.0 (what Prometheus 2.42 asks for first): counter families named without
//     _total (their samples keep it), # UNIT when the name ends in the unit, HELP also escaping
//     quotes, exemplars (` # {trace_id="…",span_id="…"} value timestamp`) on counter and bucket
//     samples, and the closing `# EOF`.
// Series names are the same in both formats, so a scrape lands in the same series either way.
// A CollectingAppender lets the OTLP translation render straight into families.
import { METRIC_NAME, getLabel, labelsKey, type Labels } from '../../labels/labels.js';
import type { Appender, AppendStatus, Exemplar, MetricMetadata } from '../../storage/storage.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface ExpositionSample {
  /** full label set including __name__ */
  readonly labels: Labels;
  readonly value: number;
  /** the latest exemplar of the series (OpenMetrics only) */
  readonly exemplar?: Exemplar;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricMetadata['type'];
  readonly help: string;
  /** the Prometheus unit word ('seconds', 'bytes'); '' or absent when none */
  readonly unit?: string;
  readonly samples: readonly ExpositionSample[];
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Types the 0.0.4 text format knows; others are written as untyped. */
function textType(t: MetricMetadata['type']): string {
  return t === 'counter' || t === 'gauge' || t === 'histogram' || t === 'summary' ? t : 'untyped';
}

/** name{a="b",…} (labels in the order given, without __name__) */
function seriesText(labels: Labels): string {
  let name = '';
  const parts: string[] = [];
  for (const l of labels) {
    if (l.name === METRIC_NAME) name = l.value;
    else parts.push(`${l.name}="${escapeLabelValue(l.value)}"`);
  }
  return `${name}${parts.length > 0 ? `{${parts.join(',')}}` : ''}`;
}

export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    if (f.help !== '') lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    lines.push(`# TYPE ${f.name} ${textType(f.type)}`);
    for (const s of f.samples) lines.push(`${seriesText(s.labels)} ${formatSampleValue(s.value)}`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** OpenMetrics caps an exemplar's label names and values at 128 UTF-8 characters in all. */
const MAX_EXEMPLAR_LABEL_CHARS = 128;

function exemplarText(e: Exemplar): string | undefined {
  let chars = 0;
  for (const l of e.labels) chars += [...l.name].length + [...l.value].length;
  if (chars > MAX_EXEMPLAR_LABEL_CHARS || !Number.isFinite(e.t)) return undefined;
  const labels = e.labels.map((l) => `${l.name}="${escapeLabelValue(l.value)}"`).join(',');
  return ` # {${labels}} ${formatSampleValue(e.value)} ${(e.t / 1000).toFixed(3)}`;
}

/** The OpenMetrics family name and type: counters drop _total; one without it stays unknown, keeping its series name. */
function openMetricsFamily(f: MetricFamily): { name: string; type: string } {
  switch (f.type) {
    case 'counter':
      return f.name.endsWith('_total') && f.name.length > 6
        ? { name: f.name.slice(0, -'_total'.length), type: 'counter' }
        : { name: f.name, type: 'unknown' };
    case 'gauge':
    case 'histogram':
    case 'summary':
      return { name: f.name, type: f.type };
    default:
      return { name: f.name, type: 'unknown' };
  }
}

function leValue(labels: Labels): number {
  const le = getLabel(labels, 'le');
  return le === '+Inf' ? Infinity : Number(le);
}

/**
 * A histogram's or summary's samples grouped per metric (labels without le/quantile), as
 * OpenMetrics requires no interleaving: buckets in ascending le, then the rest.
 */
function groupedSamples(f: MetricFamily): ExpositionSample[] {
  if (f.type !== 'histogram' && f.type !== 'summary') return [...f.samples];
  const groups = new Map<string, ExpositionSample[]>();
  for (const s of f.samples) {
    const key = labelsKey(s.labels.filter((l) => l.name !== METRIC_NAME && l.name !== 'le' && l.name !== 'quantile'));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s);
  }
  const rank = (s: ExpositionSample): number => {
    const n = getLabel(s.labels, METRIC_NAME);
    return n.endsWith('_bucket') || getLabel(s.labels, 'quantile') !== '' ? 0 : n.endsWith('_count') ? 2 : 1;
  };
  const out: ExpositionSample[] = [];
  for (const g of groups.values()) {
    g.sort(
      (a, b) =>
        rank(a) - rank(b) || (rank(a) === 0 && f.type === 'histogram' ? leValue(a.labels) - leValue(b.labels) : 0),
    );
    out.push(...g);
  }
  return out;
}

export function renderOpenMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    const om = openMetricsFamily(f);
    lines.push(`# TYPE ${om.name} ${om.type}`);
    const unit = f.unit ?? '';
    if (unit !== '' && om.name.endsWith(`_${unit}`)) lines.push(`# UNIT ${om.name} ${unit}`);
    if (f.help !== '') lines.push(`# HELP ${om.name} ${escapeHelp(f.help).replace(/"/g, '\\"')}`);
    for (const s of groupedSamples(f)) {
      const name = getLabel(s.labels, METRIC_NAME);
      // Exemplars belong on counter totals and histogram buckets only.
      const exemplarOk = om.type === 'counter' || (om.type === 'histogram' && name.endsWith('_bucket'));
      const ex = s.exemplar !== undefined && exemplarOk ? (exemplarText(s.exemplar) ?? '') : '';
      lines.push(`${seriesText(s.labels)} ${formatSampleValue(s.value)}${ex}`);
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

export interface ExpositionFormat {
  readonly contentType: string;
  render(families: readonly MetricFamily[]): string;
}

const TEXT_FORMAT: ExpositionFormat = { contentType: EXPOSITION_CONTENT_TYPE, render: renderExposition };

/**
 * The format an Accept header asks for, by q-value (ties: the order given): OpenMetrics 1.0.0
 * (or 0.0.1, the same text) when asked, else text 0.0.4, which is also the answer to anything else.
 */
export function negotiateExposition(accept: string | undefined): ExpositionFormat {
  const ranges = (accept ?? '')
    .split(',')
    .map((part, i) => {
      const [media = '', ...params] = part.split(';').map((x) => x.trim());
      const p = new Map<string, string>();
      for (const kv of params) {
        const eq = kv.indexOf('=');
        if (eq > 0)
          p.set(
            kv.slice(0, eq).trim().toLowerCase(),
            kv
              .slice(eq + 1)
              .trim()
              .replace(/^"|"$/g, ''),
          );
      }
      const q = p.has('q') ? Number(p.get('q')) : 1;
      return { media: media.toLowerCase(), version: p.get('version'), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.media !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.media === 'application/openmetrics-text') {
      if (r.version === undefined || r.version === '1.0.0')
        return { contentType: OPENMETRICS_CONTENT_TYPE, render: renderOpenMetrics };
      if (r.version === '0.0.1')
        return {
          contentType: 'application/openmetrics-text; version=0.0.1; charset=utf-8',
          render: renderOpenMetrics,
        };
      continue;
    }
    if (r.media === 'text/plain' && (r.version === undefined || r.version === '0.0.4')) return TEXT_FORMAT;
    if (r.media === 'text/*' || r.media === '*/*') return TEXT_FORMAT;
  }
  return TEXT_FORMAT;
}

const SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * An Appender that keeps the latest value of each series and the metadata, and groups them into
 * families (histogram and summary series under their family name) for rendering.
 */
export class CollectingAppender implements Appender {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  private readonly exemplars = new Map<string, Exemplar>();
  private readonly meta = new Map<string, MetricMetadata>();

  append(labels: Labels, _t: number, v: number): AppendStatus {
    this.series.set(labelsKey(labels), { labels, value: v });
    return 'ok';
  }

  appendStale(labels: Labels): AppendStatus {
    const key = labelsKey(labels);
    this.series.delete(key);
    this.exemplars.delete(key);
    return 'ok';
  }

  /** Keeps the newest exemplar of each series (OpenMetrics shows one per sample). */
  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    const key = labelsKey(seriesLabels);
    const cur = this.exemplars.get(key);
    if (cur === undefined || exemplar.t >= cur.t) this.exemplars.set(key, exemplar);
  }

  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.meta.set(metricName, metadata);
  }

  families(): MetricFamily[] {
    const byFamily = new Map<
      string,
      { type: MetricMetadata['type']; help: string; unit: string; samples: ExpositionSample[] }
    >();
    for (const [key, s] of this.series) {
      const name = getLabel(s.labels, METRIC_NAME);
      let family = name;
      let meta = this.meta.get(name);
      if (!meta) {
        for (const suf of SUFFIXES) {
          if (!name.endsWith(suf)) continue;
          const base = name.slice(0, -suf.length);
          const m = this.meta.get(base);
          if (m && (m.type === 'histogram' || m.type === 'summary')) {
            family = base;
            meta = m;
            break;
          }
        }
      }
      let f = byFamily.get(family);
      if (!f) {
        f = { type: meta?.type ?? 'unknown', help: meta?.help ?? '', unit: meta?.unit ?? '', samples: [] };
        byFamily.set(family, f);
      }
      const exemplar = this.exemplars.get(key);
      f.samples.push({ labels: s.labels, value: s.value, ...(exemplar ? { exemplar } : {}) });
    }
    return [...byFamily.entries()].map(([name, f]) => ({ name, ...f }));
  }
}
