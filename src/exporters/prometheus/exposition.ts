// The Prometheus text exposition format 0.0.4 (what GET /metrics serves and a real Prometheus
// scrapes): families with # HELP and # TYPE lines, label values escaped (\\, \", \n), HELP text
// escaped (\\, \n), floats in Go's form (+Inf, -Inf, NaN), no timestamps (the scraper stamps).
// A CollectingAppender lets the OTLP translation render straight into families.
import { METRIC_NAME, getLabel, labelsKey, type Labels } from '../../tsdb/labels.js';
import type { Appender, AppendStatus, MetricMetadata } from '../../tsdb/storage.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface ExpositionSample {
  /** full label set including __name__ */
  readonly labels: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricMetadata['type'];
  readonly help: string;
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

export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    if (f.help !== '') lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    lines.push(`# TYPE ${f.name} ${textType(f.type)}`);
    for (const s of f.samples) {
      let name = '';
      const parts: string[] = [];
      for (const l of s.labels) {
        if (l.name === METRIC_NAME) name = l.value;
        else parts.push(`${l.name}="${escapeLabelValue(l.value)}"`);
      }
      lines.push(`${name}${parts.length > 0 ? `{${parts.join(',')}}` : ''} ${formatSampleValue(s.value)}`);
    }
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

const SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * An Appender that keeps the latest value of each series and the metadata, and groups them into
 * families (histogram and summary series under their family name) for rendering.
 */
export class CollectingAppender implements Appender {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  private readonly meta = new Map<string, MetricMetadata>();

  append(labels: Labels, _t: number, v: number): AppendStatus {
    this.series.set(labelsKey(labels), { labels, value: v });
    return 'ok';
  }

  appendStale(labels: Labels): AppendStatus {
    this.series.delete(labelsKey(labels));
    return 'ok';
  }

  appendExemplar(): void {
    // 0.0.4 has no exemplars (OpenMetrics does); they reach the store through the pipeline.
  }

  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.meta.set(metricName, metadata);
  }

  families(): MetricFamily[] {
    const byFamily = new Map<string, { type: MetricMetadata['type']; help: string; samples: ExpositionSample[] }>();
    for (const s of this.series.values()) {
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
        f = { type: meta?.type ?? 'unknown', help: meta?.help ?? '', samples: [] };
        byFamily.set(family, f);
      }
      f.samples.push({ labels: s.labels, value: s.value });
    }
    return [...byFamily.entries()].map(([name, f]) => ({ name, ...f }));
  }
}
