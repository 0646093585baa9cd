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
