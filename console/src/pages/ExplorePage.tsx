// Explore: a PromQL box with completion from the API, graph (range query) and table (instant
// query) views, and the query, range and view kept in the URL so it can be shared.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  labelNames,
  labelValues,
  queryInstant,
  queryRange,
  parseSampleValue,
  type InstantResult,
} from '../api/prometheus.js';
import { TimePicker } from '../components/TimePicker.js';
import { applyCompletion, completionContext, PROMQL_FUNCTIONS, rankCandidates } from '../model/completion.js';
import { buildFrame, type Frame } from '../model/frames.js';
import { seriesName } from '../model/legend.js';
import { resolveTime } from '../model/time.js';
import { formatValue } from '../model/units.js';
import { interpolateQuery } from '../model/variables.js';
import { TimeSeriesChart } from '../panels/TimeSeriesChart.js';
import { updateParams, useLocation } from '../router.js';

type Result =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'graph'; frame: Frame }
  | { kind: 'table'; result: InstantResult };

export function ExplorePage() {
  const loc = useLocation();
  const expr = loc.params.get('expr') ?? '';
  const from = loc.params.get('from') ?? 'now-1h';
  const to = loc.params.get('to') ?? 'now';
  const view = loc.params.get('view') === 'table' ? 'table' : 'graph';
  const [draft, setDraft] = useState(expr);
  const [result, setResult] = useState<Result>({ kind: 'idle' });
  const [runs, setRuns] = useState(0);

  useEffect(() => setDraft(expr), [expr]);

  useEffect(() => {
    if (expr.trim() === '') {
      setResult({ kind: 'idle' });
      return;
    }
    const abort = new AbortController();
    const now = Date.now();
    const fromMs = resolveTime(from, now) ?? now - 3_600_000;
    const toMs = resolveTime(to, now) ?? now;
    setResult({ kind: 'loading' });
    const fail = (e: unknown): void => {
      if (!abort.signal.aborted) setResult({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    };
    if (view === 'table') {
      queryInstant(expr, toMs, abort.signal).then((r) => setResult({ kind: 'table', result: r }), fail);
    } else {
      const q = interpolateQuery(expr, { fromMs, toMs, maxDataPoints: 1000, variables: {} });
      const start = Math.floor(fromMs / q.stepMs) * q.stepMs;
      const end = Math.floor(toMs / q.stepMs) * q.stepMs;
      queryRange(q.expr, start, end, q.stepMs, abort.signal).then(
        (r) =>
          setResult({
            kind: 'graph',
            frame: buildFrame([{ refId: 'A', expr: q.expr, legendFormat: '', result: r.result }], start, end, q.stepMs),
          }),
        fail,
      );
    }
    return () => abort.abort();
  }, [expr, from, to, view, runs]);

  const run = (): void => {
    if (draft === expr) setRuns((r) => r + 1);
    else updateParams({ expr: draft }, { replace: false });
  };

  return (
    <section className="page explore">
      <div className="dashboard-bar">
        <h1>Explore</h1>
        <TimePicker
          from={from}
          to={to}
          refresh=""
          onRange={(f, t) => updateParams({ from: f, to: t })}
          onRefresh={() => undefined}
          onRefreshNow={run}
        />
      </div>
      <QueryBox value={draft} onChange={setDraft} onRun={run} />
      <div className="explore-actions">
        <button type="button" className="primary" onClick={run}>
          Run query
        </button>
        <div role="tablist" aria-label="View">
          {(['graph', 'table'] as const).map((v) => (
            <button
              key={v}
              role="tab"
              type="button"
              aria-selected={view === v}
              className={view === v ? 'active' : ''}
              onClick={() => updateParams({ view: v })}
            >
              {v === 'graph' ? 'Graph' : 'Table'}
            </button>
          ))}
        </div>
      </div>
      <div className="explore-result" data-state={result.kind}>
        {result.kind === 'loading' && <p className="muted">Running…</p>}
        {result.kind === 'error' && (
          <div className="panel-error" role="alert">
            {result.message}
          </div>
        )}
        {result.kind === 'graph' && result.frame.series.length === 0 && <p className="muted">Empty query result.</p>}
        {result.kind === 'graph' && result.frame.series.length > 0 && (
          <TimeSeriesChart frame={result.frame} unit="short" mode="lines" height={360} annotations={[]} />
        )}
        {result.kind === 'table' && <ResultTable result={result.result} expr={expr} />}
      </div>
    </section>
  );
}

function ResultTable(props: { result: InstantResult; expr: string }) {
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
              <td className="num">{formatValue(parseSampleValue(s.value[1]), 'none')}</td>
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

/** The PromQL input with a suggestion list fed by the label APIs. */
function QueryBox(props: { value: string; onChange: (v: string) => void; onRun: () => void }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [cursor, setCursor] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [metrics, setMetrics] = useState<string[]>([]);
  const [remote, setRemote] = useState<{ key: string; items: string[] }>({ key: '', items: [] });

  useEffect(() => {
    labelValues('__name__').then(setMetrics, () => setMetrics([]));
  }, []);

  const ctx = useMemo(() => completionContext(props.value, cursor), [props.value, cursor]);
  const remoteKey =
    ctx.kind === 'labelName'
      ? `n|${ctx.metric ?? ''}`
      : ctx.kind === 'labelValue'
        ? `v|${ctx.label}|${ctx.metric ?? ''}`
        : '';

  useEffect(() => {
    if (remoteKey === '' || remoteKey === remote.key) return;
    const abort = new AbortController();
    const match = ctx.kind !== 'metric' && ctx.kind !== 'none' && ctx.metric ? [ctx.metric] : [];
    const load =
      ctx.kind === 'labelValue' ? labelValues(ctx.label, match, abort.signal) : labelNames(match, abort.signal);
    load.then(
      (items) => setRemote({ key: remoteKey, items: items.filter((n) => n !== '__name__') }),
      () => undefined,
    );
    return () => abort.abort();
  }, [remoteKey]);

  const suggestions = useMemo(() => {
    if (ctx.kind === 'none') return [];
    if (ctx.kind === 'metric')
      return ctx.prefix === '' ? [] : rankCandidates([...metrics, ...PROMQL_FUNCTIONS], ctx.prefix, 20);
    return remote.key === remoteKey ? rankCandidates(remote.items, ctx.prefix, 20) : [];
  }, [ctx, metrics, remote, remoteKey]);

  const accept = (candidate: string): void => {
    if (ctx.kind === 'none') return;
    const next = applyCompletion(props.value, cursor, ctx.prefix, candidate);
    props.onChange(next.text);
    setOpen(false);
    requestAnimationFrame(() => {
      ref.current?.setSelectionRange(next.cursor, next.cursor);
      setCursor(next.cursor);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    const showing = open && suggestions.length > 0;
    if (showing && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
    } else if (showing && (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey))) {
      e.preventDefault();
      accept(suggestions[Math.min(active, suggestions.length - 1)]!);
    } else if (e.key === 'Escape') {
      setOpen(false);
    } else if (e.key === 'Enter' && (e.shiftKey || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      props.onRun();
    }
  };

  return (
    <div className="querybox">
      <textarea
        ref={ref}
        aria-label="PromQL query"
        spellCheck={false}
        rows={3}
        value={props.value}
        placeholder="Enter a PromQL query (Shift+Enter runs it)"
        onChange={(e) => {
          props.onChange(e.target.value);
          setCursor(e.target.selectionStart);
          setOpen(true);
          setActive(0);
        }}
        onSelect={(e) => setCursor(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
      />
      {open && suggestions.length > 0 && (
        <ul className="suggestions" role="listbox" aria-label="Suggestions">
          {suggestions.map((s, i) => (
            <li
              key={s}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => (e.preventDefault(), accept(s))}
            >
              {s}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
