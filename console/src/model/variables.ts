// Template variable substitution the way Grafana does it for Prometheus queries: $name, ${name}
// and [[name]] forms, plus the built-ins $__interval, $__interval_ms, $__rate_interval, $__range,
// $__range_s and $__range_ms. Unknown variables are left as written, so the query error names them.
import { computeIntervalMs, computeRateIntervalMs, formatDurationMs } from './time.js';

/** Orrery's collection interval (span metrics and SDK exports), Grafana's "scrape interval". */
export const COLLECTION_INTERVAL_MS = 10_000;

export interface QueryContext {
  readonly fromMs: number;
  readonly toMs: number;
  /** points the panel can draw (about its width in pixels) */
  readonly maxDataPoints: number;
  readonly variables: Readonly<Record<string, string>>;
}

export interface InterpolatedQuery {
  readonly expr: string;
  /** step for query_range, in ms (= $__interval) */
  readonly stepMs: number;
}

export function builtinVariables(ctx: QueryContext): Record<string, string> {
  const rangeMs = Math.max(0, ctx.toMs - ctx.fromMs);
  const intervalMs = computeIntervalMs(rangeMs, ctx.maxDataPoints, COLLECTION_INTERVAL_MS);
  return {
    __interval: formatDurationMs(intervalMs),
    __interval_ms: String(intervalMs),
    __rate_interval: formatDurationMs(computeRateIntervalMs(intervalMs, COLLECTION_INTERVAL_MS)),
    __range: formatDurationMs(rangeMs),
    __range_s: String(Math.round(rangeMs / 1000)),
    __range_ms: String(rangeMs),
  };
}

const VARIABLE = /\$\{(\w+)\}|\[\[(\w+)\]\]|\$(\w+)/g;

export function interpolate(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(VARIABLE, (whole, braced?: string, bracketed?: string, plain?: string) => {
    const name = braced ?? bracketed ?? plain ?? '';
    const value = values[name];
    return value === undefined ? whole : value;
  });
}

export function interpolateQuery(expr: string, ctx: QueryContext): InterpolatedQuery {
  const builtins = builtinVariables(ctx);
  return {
    expr: interpolate(expr, { ...ctx.variables, ...builtins }),
    stepMs: Number(builtins['__interval_ms']),
  };
}

/** Parses `label_values(metric, label)` or `label_values(label)` of a query variable. */
export function parseLabelValuesQuery(query: string): { metric: string | undefined; label: string } | undefined {
  const m = /^\s*label_values\(\s*(?:([^,]+?)\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(query);
  if (!m) return undefined;
  return { metric: m[1], label: m[2]! };
}
