// Explore: PromQL boxes (Prometheus's CodeMirror editor, completion from the API), graph (range
// query) and table (instant query) views, and the queries, unit, range and view kept in the URL.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { queryInstant, queryRange, parseSampleValue, type InstantResult } from '../../api/prometheus.js';
import { errorMessage } from '../../api/queryClient.js';
import { TimePicker } from '../../components/TimePicker.js';
import type { Unit } from '../../model/dashboard.js';
import { readExploreParams, withExprs } from '../../model/explore.js';
import { buildFrame, type QueryResultSet } from '../../model/frames.js';
import { distinguishingNames, seriesName } from '../../model/legend.js';
import { resolveTime } from '../../model/time.js';
import { formatValue } from '../../model/units.js';
import { interpolateQuery } from '../../model/variables.js';
import { TimeSeriesChart } from '../../panels/TimeSeriesChart.js';
import { withParams } from '../../url.js';
import { PromqlEditor } from './PromqlEditor.js';

const NO_ANNOTATIONS = [] as const;

export function ExplorePage() {
  const [params, setParams] = useSearchParams();
  const state = readExploreParams(params);
  const exprs = state.exprs.filter((e) => e.trim() !== '');
  const exprsKey = JSON.stringify(state.exprs);
  const [drafts, setDrafts] = useState<string[]>(() => [...state.exprs]);
  const [runs, setRuns] = useState(0);

  useEffect(() => setDrafts([...state.exprs]), [exprsKey]);

  const update = (changes: Record<string, string | undefined>): void =>
    setParams((p) => withParams(p, changes), { replace: true });

  const result = useQuery({
    queryKey: ['explore', state.view, exprs, state.from, state.to, runs],
    enabled: exprs.length > 0,
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      const now = Date.now();
      const fromMs = resolveTime(state.from, now) ?? now - 3_600_000;
      const toMs = resolveTime(state.to, now) ?? now;
      if (state.view === 'table') {
        const tables = await Promise.all(exprs.map((e) => queryInstant(e, toMs, signal)));
        return { kind: 'table' as const, tables };
      }
      const prepared = exprs.map((e) => interpolateQuery(e, { fromMs, toMs, maxDataPoints: 1000, variables: {} }));
      const stepMs = Math.max(...prepared.map((q) => q.stepMs));
      const start = Math.floor(fromMs / stepMs) * stepMs;
      const end = Math.floor(toMs / stepMs) * stepMs;
      const sets = await Promise.all(
        prepared.map(async (q, i): Promise<QueryResultSet> => ({
          refId: String.fromCharCode(65 + i),
          expr: q.expr,
          legendFormat: '',
          result: (await queryRange(q.expr, start, end, stepMs, signal)).result,
        })),
      );
      const frame = buildFrame(sets, start, end, stepMs);
      // Many series of one query: name each by what sets it apart, so none hides behind an ellipsis.
      const names = distinguishingNames(
        frame.series.map((s) => s.metric),
        exprs[0] ?? '',
      );
      const series = exprs.length === 1 ? frame.series.map((s, i) => ({ ...s, name: names[i]! })) : frame.series;
      return { kind: 'graph' as const, frame: { ...frame, series } };
    },
  });

  const run = (): void => {
    const next = withExprs(params, drafts);
    if (next.toString() === params.toString()) setRuns((r) => r + 1);
    else setParams(next);
  };
  const setDraft = (i: number, v: string): void => setDrafts((d) => d.map((old, j) => (j === i ? v : old)));

  const data = exprs.length === 0 ? undefined : result.data;
  const kind =
    exprs.length === 0
      ? 'idle'
      : result.error
        ? 'error'
        : result.isFetching && !data
          ? 'loading'
          : (data?.kind ?? 'loading');

  return (
    <section className="page explore">
      <div className="dashboard-bar">
        <h1>Explore</h1>
        <TimePicker
          from={state.from}
          to={state.to}
          refresh=""
          onRange={(f, t) => update({ from: f, to: t })}
          onRefresh={() => undefined}
          onRefreshNow={run}
        />
      </div>
      {drafts.map((d, i) => (
        <div className="query-row" key={i}>
          <span className="query-ref">{String.fromCharCode(65 + i)}</span>
          <PromqlEditor
            value={d}
            label={i === 0 ? 'PromQL query' : `PromQL query ${String.fromCharCode(65 + i)}`}
            onChange={(v) => setDraft(i, v)}
            onRun={run}
          />
          {drafts.length > 1 && (
            <button
              type="button"
              aria-label={`Remove query ${String.fromCharCode(65 + i)}`}
              onClick={() => setDrafts((all) => all.filter((_, j) => j !== i))}
            >
              ✕
            </button>
          )}
        </div>
      ))}
      <div className="explore-actions">
        <button type="button" className="primary" onClick={run}>
          Run query
        </button>
        <button type="button" onClick={() => setDrafts((all) => [...all, ''])}>
          Add query
        </button>
        {state.unit !== 'short' && <span className="muted">unit: {state.unit}</span>}
        <div role="tablist" aria-label="View">
          {(['graph', 'table'] as const).map((v) => (
            <button
              key={v}
              role="tab"
              type="button"
              aria-selected={state.view === v}
              className={state.view === v ? 'active' : ''}
              onClick={() => update({ view: v === 'graph' ? undefined : v })}
            >
              {v === 'graph' ? 'Graph' : 'Table'}
            </button>
          ))}
        </div>
      </div>
      <div className="explore-result" data-state={kind}>
        {kind === 'loading' && <p className="muted">Running…</p>}
        {result.error && exprs.length > 0 && (
          <div className="panel-error" role="alert">
            {errorMessage(result.error)}
          </div>
        )}
        {!result.error && data?.kind === 'graph' && data.frame.series.length === 0 && (
          <p className="muted">Empty query result.</p>
        )}
        {!result.error && data?.kind === 'graph' && data.frame.series.length > 0 && (
          <TimeSeriesChart
            frame={data.frame}
            unit={state.unit}
            mode="lines"
            height={520}
            legendMaxHeight={160}
            annotations={NO_ANNOTATIONS}
          />
        )}
        {!result.error &&
          data?.kind === 'table' &&
          data.tables.map((t, i) => (
            <div key={i} className="result-block">
              {data.tables.length > 1 && <h2 className="query-ref">{String.fromCharCode(65 + i)}</h2>}
              <ResultTable result={t} expr={exprs[i] ?? ''} unit={state.unit} />
            </div>
          ))}
      </div>
    </section>
  );
}

function ResultTable(props: { result: InstantResult; expr: string; unit: Unit }) {
  const r = props.result;
  if (r.resultType === 'scalar' || r.resultType === 'string') {
    return (
      <table className="result-table">
        <tbody>
          <tr>
            <td>{r.resultType}</td>
            <td className="num">{r.result[1]}</td>
          </tr>
        </tbody>
      </table>
    );
  }
  if (r.result.length === 0) return <p className="muted">Empty query result.</p>;
  return (
    <table className="result-table">
      <thead>
        <tr>
          <th>Series</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        {r.resultType === 'vector' &&
          r.result.map((s, i) => (
            <tr key={i}>
              <td>{seriesName(s.metric, '', props.expr)}</td>
              <td className="num">{formatValue(parseSampleValue(s.value[1]), props.unit)}</td>
            </tr>
          ))}
        {r.resultType === 'matrix' &&
          r.result.map((s, i) => (
            <tr key={i}>
              <td>{seriesName(s.metric, '', props.expr)}</td>
              <td className="num">{s.values.map(([t, v]) => `${v} @${t}`).join('\n')}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
