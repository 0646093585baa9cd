// Generic panel: interpolates the panel's queries, runs them through the Prometheus API, and
// renders by panel type. A failing query shows Prometheus's error text; no data says so. Findings
// of the panel's services are drawn as markers; latency panels also draw their exemplars; a click
// on a point of a latency or error panel opens that point's traces.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Annotation } from '../api/backend.js';
import type { Finding } from '../api/diagnosis.js';
import { queryExemplars, queryRange } from '../api/prometheus.js';
import { errorMessage } from '../api/queryClient.js';
import type { Panel } from '../model/dashboard.js';
import { readExemplars, uniqueExemplars, type Exemplar } from '../model/exemplars.js';
import { exploreHref } from '../model/explore.js';
import { findingMarkers } from '../model/findingMarkers.js';
import { pointTraces, pointTracesHref } from '../model/pointLinks.js';
import { panelLinkHref } from '../model/links.js';
import { buildFrame, lastValue, type Frame, type QueryResultSet } from '../model/frames.js';
import { formatValue } from '../model/units.js';
import { interpolate, interpolateQuery } from '../model/variables.js';
import { LogsPanel } from './LogsPanel.js';
import { TimeSeriesChart, seriesColor, type PointLink } from './TimeSeriesChart.js';

export interface PanelContext {
  readonly fromMs: number;
  readonly toMs: number;
  /** relative range text for Explore links, e.g. now-15m */
  readonly fromText: string;
  readonly toText: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly annotations: readonly Annotation[];
  /** the findings of the dashboard's range (GET /api/orrery/v1/findings) */
  readonly findings: readonly Finding[];
}

const NO_EXEMPLARS: readonly Exemplar[] = [];

type PanelState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string; refId: string }
  | { kind: 'data'; frame: Frame; exprs: string[] };

const ROW_PX = 30;

/** A failed query of a panel: which one, and the HTTP status that says whether to retry (0: no answer). */
class QueryFailure extends Error {
  readonly status: number | undefined;
  constructor(
    readonly refId: string,
    cause: unknown,
  ) {
    super(errorMessage(cause));
    const status = typeof cause === 'object' && cause !== null ? (cause as { status?: unknown }).status : undefined;
    this.status = typeof status === 'number' ? status : cause instanceof TypeError ? 0 : undefined;
  }
}

export function PanelView(props: { panel: Panel; ctx: PanelContext }) {
  return props.panel.type === 'logs' ? <LogsPanel {...props} /> : <MetricPanelView {...props} />;
}

function MetricPanelView(props: { panel: Panel; ctx: PanelContext }) {
  const { panel, ctx } = props;
  const box = useRef<HTMLDivElement>(null);
  // The panel's width sets how many points its queries ask for (Grafana's maxDataPoints).
  const [width, setWidth] = useState<number>();
  useLayoutEffect(() => setWidth(box.current?.clientWidth ?? 800), []);

  const queryCtx = {
    fromMs: ctx.fromMs,
    toMs: ctx.toMs,
    maxDataPoints: Math.max(100, Math.round(width ?? 800)),
    variables: ctx.variables,
  };
  const prepared = panel.queries.map((q) => ({ q, ...interpolateQuery(q.expr, queryCtx) }));
  const stepMs = prepared[0]?.stepMs ?? 10_000;
  // Align start and end to the step, as Grafana does, so refreshes reuse the same grid.
  const start = Math.floor(ctx.fromMs / stepMs) * stepMs;
  const end = Math.floor(ctx.toMs / stepMs) * stepMs;
  const exprs = prepared.map((p) => p.expr);
  const query = useQuery({
    queryKey: ['panel', panel.id, exprs, start, end, stepMs, ctx.variables],
    enabled: width !== undefined,
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      const results = await Promise.all(
        prepared.map(async ({ q, expr }): Promise<QueryResultSet> => {
          try {
            const data = await queryRange(expr, start, end, stepMs, signal);
            return {
              refId: q.refId,
              expr,
              legendFormat: interpolate(q.legendFormat, ctx.variables),
              result: data.result,
            };
          } catch (e) {
            throw new QueryFailure(q.refId, e);
          }
        }),
      );
      return buildFrame(results, start, end, stepMs);
    },
  });
  const exprsKey = JSON.stringify(exprs);
  const exemplarsQuery = useQuery({
    queryKey: ['exemplars', panel.id, exprs, start, end],
    enabled: width !== undefined && panel.pointLinks === 'latency',
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      const lists = await Promise.all(
        [...new Set(exprs)].map(async (expr) => {
          try {
            return readExemplars(await queryExemplars(expr, start, end, signal));
          } catch {
            return []; // exemplars are extra: without them the chart is still right
          }
        }),
      );
      return uniqueExemplars(lists);
    },
  });
  const exemplars = panel.pointLinks === 'latency' ? (exemplarsQuery.data ?? NO_EXEMPLARS) : NO_EXEMPLARS;
  const findings = useMemo(
    () => findingMarkers(ctx.findings, exprs, ctx.fromMs, ctx.toMs),
    [ctx.findings, exprsKey, ctx.fromMs, ctx.toMs],
  );
  const navigate = useNavigate();
  const onNavigate = useCallback((href: string) => void navigate(href), [navigate]);
  const frame = query.data;
  const pointLink = useMemo(() => {
    if (panel.pointLinks === 'none' || !frame) return undefined;
    return (seriesIndex: number, idx: number): PointLink | undefined => {
      const series = frame.series[seriesIndex];
      const value = series?.values[idx];
      const timeS = frame.times[idx];
      if (!series || value === null || value === undefined || timeS === undefined) return undefined;
      const expr = prepared.find((p) => p.q.refId === series.refId)?.expr ?? '';
      const traces = pointTraces(panel.pointLinks, panel.unit, { expr, metric: series.metric, timeS, value, stepMs });
      if (!traces) return undefined;
      const what = traces.operation ? `${traces.service} ${traces.operation}` : traces.service;
      const label =
        panel.pointLinks === 'latency'
          ? `traces of ${what} above ${formatValue(value, panel.unit, panel.decimals)} (${series.name})`
          : `error traces of ${what}`;
      return { href: pointTracesHref(traces), label };
    };
  }, [frame, panel.pointLinks, panel.unit, panel.decimals, exprsKey, stepMs]);

  const state: PanelState = query.error
    ? {
        kind: 'error',
        message: errorMessage(query.error),
        refId: query.error instanceof QueryFailure ? query.error.refId : '',
      }
    : query.data
      ? { kind: 'data', frame: query.data, exprs }
      : { kind: 'loading' };

  const heightPx = panel.gridPos.h * ROW_PX;
  const explore = exploreHref({
    exprs: panel.queries.map((q) => interpolate(q.expr, ctx.variables)),
    unit: panel.unit,
    from: ctx.fromText,
    to: ctx.toText,
  });

  return (
    <section
      className="panel"
      data-panel-id={panel.id}
      data-panel-title={panel.title}
      data-state={state.kind}
      style={{
        gridColumn: `${panel.gridPos.x + 1} / span ${panel.gridPos.w}`,
        gridRow: `${panel.gridPos.y + 1} / span ${panel.gridPos.h}`,
      }}
    >
      <header className="panel-header">
        <h2 title={panel.description}>{interpolate(panel.title, ctx.variables)}</h2>
        {panel.links.map((l) => {
          const href = panelLinkHref(l, ctx);
          return href === undefined ? null : (
            <Link key={l.title} to={href} className="panel-explore panel-link">
              {l.title}
            </Link>
          );
        })}
        <Link to={explore} className="panel-explore" title="Open this panel's queries in Explore">
          Explore
        </Link>
      </header>
      <div className="panel-body" ref={box} style={{ minHeight: heightPx - 40 }}>
        {state.kind === 'loading' && <div className="panel-note">Loading…</div>}
        {state.kind === 'error' && (
          <div className="panel-error" role="alert">
            <strong>Query {state.refId} failed:</strong> {state.message}
          </div>
        )}
        {state.kind === 'data' && state.frame.series.length === 0 && (
          <div className="panel-note">No data in this time range.</div>
        )}
        {state.kind === 'data' &&
          state.frame.series.length > 0 &&
          renderPanel(panel, state.frame, heightPx - 40, {
            annotations: ctx.annotations,
            findings,
            exemplars,
            pointLink,
            onNavigate,
          })}
      </div>
    </section>
  );
}

type ChartExtras = Pick<
  Parameters<typeof TimeSeriesChart>[0],
  'annotations' | 'findings' | 'exemplars' | 'pointLink' | 'onNavigate'
>;

function renderPanel(panel: Panel, frame: Frame, height: number, extras: ChartExtras) {
  if (panel.type === 'stat') return <StatView panel={panel} frame={frame} />;
  return (
    <TimeSeriesChart
      frame={frame}
      unit={panel.unit}
      mode={panel.type === 'bar' ? 'bars' : panel.stack ? 'stacked' : 'lines'}
      height={Math.max(160, height - 12)}
      min={panel.min}
      max={panel.max}
      decimals={panel.decimals}
      {...extras}
    />
  );
}

function StatView(props: { panel: Panel; frame: Frame }) {
  return (
    <div className="stat-list">
      {props.frame.series.map((s, i) => {
        const v = lastValue(s.values);
        let color = seriesColor(i);
        for (const t of props.panel.thresholds) if (v !== null && v >= t.value) color = t.color;
        return (
          <div key={`${s.refId}-${i}`} className="stat" data-series={s.name}>
            <div className="stat-value" style={{ color }}>
              {formatValue(v, props.panel.unit, props.panel.decimals)}
            </div>
            <div className="stat-name">{s.name}</div>
          </div>
        );
      })}
    </div>
  );
}
