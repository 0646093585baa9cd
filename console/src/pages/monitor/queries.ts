// Monitor (Jaeger's Service Performance Monitoring) from the span metrics: the PromQL behind its
// charts and its per-operation table, and turning the instant results into table rows.
import type { VectorSample } from '../../api/prometheus.js';
import { parseSampleValue } from '../../api/prometheus.js';
import type { Panel } from '../../model/dashboard.js';
// The names every part of Orrery relies on (contracts.md), shared with the backend.
import { SPAN_METRICS as SPAN_METRIC_NAMES } from '../../../../src/names/contract.js';

export const SPAN_KINDS = [
  { value: 'SPAN_KIND_SERVER', label: 'Server' },
  { value: 'SPAN_KIND_CLIENT', label: 'Client' },
  { value: 'SPAN_KIND_INTERNAL', label: 'Internal' },
  { value: 'SPAN_KIND_PRODUCER', label: 'Producer' },
  { value: 'SPAN_KIND_CONSUMER', label: 'Consumer' },
] as const;

export const QUANTILES = [0.5, 0.95, 0.99] as const;

/** A PromQL string literal: the value quoted and escaped, whatever characters a name holds. */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

export interface MonitorScope {
  readonly service: string;
  readonly spanKind: string;
}

function selector(metric: string, s: MonitorScope, extra = ''): string {
  return `${metric}{service_name=${promqlString(s.service)}, span_kind=${promqlString(s.spanKind)}${extra}}`;
}

const ERROR = `, status_code="STATUS_CODE_ERROR"`;

/** Per-second calls, by the given labels (none: the whole service), over `window`. */
export function rateQuery(s: MonitorScope, window: string, by = ''): string {
  return `sum${by ? ` by (${by})` : ''} (rate(${selector(SPAN_METRIC_NAMES.calls, s)}[${window}]))`;
}

/** The share of calls that ended in error (0..1), 0 when there were calls and no errors. */
export function errorRatioQuery(s: MonitorScope, window: string, by = ''): string {
  const grouping = by ? ` by (${by})` : '';
  const errors = `sum${grouping} (rate(${selector(SPAN_METRIC_NAMES.calls, s, ERROR)}[${window}]))`;
  return `(${errors} or 0 * ${rateQuery(s, window, by)}) / ${rateQuery(s, window, by)}`;
}

export function latencyQuery(s: MonitorScope, q: number, window: string, by = ''): string {
  const grouping = by ? `${by}, le` : 'le';
  return `histogram_quantile(${q}, sum by (${grouping}) (rate(${selector(SPAN_METRIC_NAMES.durationBucket, s)}[${window}])))`;
}

/** The three charts of a service, as dashboard panels drawn by the generic panel code. */
export function monitorPanels(s: MonitorScope): Panel[] {
  const base = {
    description: '',
    stack: false,
    thresholds: [],
    min: 0,
    max: undefined,
    decimals: undefined,
    links: [],
    pointLinks: 'none' as const,
  };
  return [
    {
      ...base,
      id: 1,
      title: 'Latency',
      type: 'timeseries',
      unit: 'ms',
      pointLinks: 'latency',
      links: [
        { title: 'View traces', url: '/search?service=$service&start=${__from_us}&end=${__to_us}&lookback=custom' },
      ],
      gridPos: { x: 0, y: 0, w: 8, h: 8 },
      queries: QUANTILES.map((q, i) => ({
        refId: String.fromCharCode(65 + i),
        expr: latencyQuery(s, q, '$__rate_interval'),
        legendFormat: `p${q * 100}`,
      })),
    },
    {
      ...base,
      id: 2,
      title: 'Request rate',
      type: 'timeseries',
      unit: 'reqps',
      gridPos: { x: 8, y: 0, w: 8, h: 8 },
      queries: [{ refId: 'A', expr: rateQuery(s, '$__rate_interval'), legendFormat: 'requests/s' }],
    },
    {
      ...base,
      id: 3,
      title: 'Error rate',
      type: 'timeseries',
      unit: 'percent',
      gridPos: { x: 16, y: 0, w: 8, h: 8 },
      max: 100,
      pointLinks: 'errors',
      queries: [{ refId: 'A', expr: `100 * ${errorRatioQuery(s, '$__rate_interval')}`, legendFormat: 'errors' }],
    },
  ];
}

export interface OperationRow {
  readonly operation: string;
  readonly rate: number;
  readonly errorRatio: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  /** Jaeger's impact: latency × rate, relative to the largest in the table (0..1) */
  readonly impact: number;
}

function bySpanName(samples: readonly VectorSample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const v = parseSampleValue(s.value[1]);
    if (s.metric['span_name'] !== undefined && Number.isFinite(v)) out.set(s.metric['span_name'], v);
  }
  return out;
}

/** One row per operation with calls, sorted by impact (the operations worth a look first). */
export function operationRows(r: {
  rate: readonly VectorSample[];
  errorRatio: readonly VectorSample[];
  p50: readonly VectorSample[];
  p95: readonly VectorSample[];
  p99: readonly VectorSample[];
}): OperationRow[] {
  const rate = bySpanName(r.rate);
  const errors = bySpanName(r.errorRatio);
  const [p50, p95, p99] = [bySpanName(r.p50), bySpanName(r.p95), bySpanName(r.p99)];
  const raw = [...rate].map(([operation, calls]) => ({
    operation,
    rate: calls,
    errorRatio: errors.get(operation) ?? 0,
    p50: p50.get(operation),
    p95: p95.get(operation),
    p99: p99.get(operation),
    weight: calls * (p95.get(operation) ?? 0),
  }));
  const top = Math.max(0, ...raw.map((x) => x.weight));
  return raw
    .map(({ weight, ...row }) => ({ ...row, impact: top > 0 ? weight / top : 0 }))
    .sort((a, b) => b.impact - a.impact || b.rate - a.rate || a.operation.localeCompare(b.operation));
}
