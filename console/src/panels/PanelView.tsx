// Generic panel: interpolates the panel's queries, runs them through the Prometheus API, and
// renders by panel type. A failing query shows Prometheus's error text; no data says so.
import { useEffect, useRef, useState } from 'react';
import type { Annotation } from '../api/backend.js';
import { queryRange } from '../api/prometheus.js';
import { Link } from '../components/Link.js';
import type { Panel } from '../model/dashboard.js';
import { buildFrame, lastValue, type Frame, type QueryResultSet } from '../model/frames.js';
import { formatValue } from '../model/units.js';
import { interpolate, interpolateQuery } from '../model/variables.js';
import { TimeSeriesChart, seriesColor } from './TimeSeriesChart.js';

export interface PanelContext {
  readonly fromMs: number;
  readonly toMs: number;
  /** relative range text for Explore links, e.g. now-15m */
  readonly fromText: string;
  readonly toText: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly annotations: readonly Annotation[];
}

type PanelState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string; refId: string }
  | { kind: 'data'; frame: Frame; exprs: string[] };

const ROW_PX = 30;

export function PanelView(props: { panel: Panel; ctx: PanelContext }) {
  const { panel, ctx } = props;
  const [state, setState] = useState<PanelState>({ kind: 'loading' });
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    const width = box.current?.clientWidth ?? 800;
    const queryCtx = {
      fromMs: ctx.fromMs,
      toMs: ctx.toMs,
      maxDataPoints: Math.max(100, Math.round(width)),
      variables: ctx.variables,
    };
    const prepared = panel.queries.map((q) => ({ q, ...interpolateQuery(q.expr, queryCtx) }));
    const stepMs = prepared[0]?.stepMs ?? 10_000;
    // Align start and end to the step, as Grafana does, so refreshes reuse the same grid.
    const start = Math.floor(ctx.fromMs / stepMs) * stepMs;
    const end = Math.floor(ctx.toMs / stepMs) * stepMs;
    Promise.all(
      prepared.map(async ({ q, expr }): Promise<QueryResultSet> => {
        try {
          const data = await queryRange(expr, start, end, stepMs, abort.signal);
          return {
            refId: q.refId,
            expr,
            legendFormat: interpolate(q.legendFormat, ctx.variables),
            result: data.result,
          };
        } catch (e) {
          throw Object.assign(e instanceof Error ? e : new Error(String(e)), { refId: q.refId });
        }
      }),
    ).then(
      (results) =>
        setState({ kind: 'data', frame: buildFrame(results, start, end, stepMs), exprs: prepared.map((p) => p.expr) }),
      (e: unknown) => {
        if (abort.signal.aborted) return;
        const err = e as Error & { refId?: string };
        setState({ kind: 'error', message: err.message, refId: err.refId ?? '' });
      },
    );
    return () => abort.abort();
  }, [panel, ctx.fromMs, ctx.toMs, ctx.variables]);

  const heightPx = panel.gridPos.h * ROW_PX;
  const exploreExpr = interpolate(panel.queries[0]?.expr ?? '', ctx.variables);
  const exploreHref = `/explore?${new URLSearchParams({ expr: exploreExpr, from: ctx.fromText, to: ctx.toText }).toString()}`;

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
        <Link to={exploreHref} className="panel-explore" title="Open this panel's query in Explore">
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
          renderPanel(panel, state.frame, heightPx - 40, ctx.annotations)}
      </div>
    </section>
  );
}

function renderPanel(panel: Panel, frame: Frame, height: number, annotations: readonly Annotation[]) {
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
      annotations={annotations}
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
