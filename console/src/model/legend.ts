// Series naming as Grafana's Prometheus data source does: a legend format with {{label}}
// placeholders, or the Prometheus text form of the label set when no format is given.

export type Metric = Readonly<Record<string, string>>;

export function seriesName(metric: Metric, legendFormat: string, expr: string): string {
  if (legendFormat.trim() !== '') {
    return legendFormat.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_w, name: string) => metric[name] ?? '');
  }
  const name = metric['__name__'] ?? '';
  const labels = Object.keys(metric)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  if (labels.length === 0) return name !== '' ? name : expr;
  return `${name}{${labels.join(', ')}}`;
}

/**
 * Names that keep only what tells the series apart: labels with the same value on every series
 * are left out (Explore's many-series results would otherwise differ only past the ellipsis).
 * A single series, or series with nothing in common, keep their full names.
 */
export function distinguishingNames(metrics: readonly Metric[], expr: string): string[] {
  if (metrics.length < 2) return metrics.map((m) => seriesName(m, '', expr));
  const keys = new Set(metrics.flatMap((m) => Object.keys(m)));
  const common = [...keys].filter((k) => metrics.every((m) => m[k] !== undefined && m[k] === metrics[0]![k]));
  const names = metrics.map((m) => {
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(m)) if (!common.includes(k) || k === '__name__') kept[k] = v;
    return seriesName(kept, '', expr);
  });
  return names;
}
