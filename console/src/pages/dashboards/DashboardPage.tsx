// One dashboard: variables, time range and refresh live in the URL (Grafana's var-<name>, from,
// to, refresh), panels are laid out on a 24-column grid and rendered by the generic panel code.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { fetchAnnotations, type Annotation } from '../../api/backend.js';
import { fetchFindings, type Finding } from '../../api/diagnosis.js';
import { findingsLookback } from '../../model/findingMarkers.js';
import { labelValues } from '../../api/prometheus.js';
import { errorMessage } from '../../api/queryClient.js';
import { TimePicker } from '../../components/TimePicker.js';
import type { Dashboard, Variable } from '../../model/dashboard.js';
import { parseDurationMs, resolveTime } from '../../model/time.js';
import { parseLabelValuesQuery } from '../../model/variables.js';
import { PanelView, type PanelContext } from '../../panels/PanelView.js';
import { useQueryParams } from '../../url.js';
import { useDashboards } from './useDashboards.js';

const NO_ANNOTATIONS: readonly Annotation[] = [];
const NO_FINDINGS: readonly Finding[] = [];

export function DashboardPage() {
  const { uid = '' } = useParams();
  const { entries, error } = useDashboards();
  if (error) return <p className="panel-error">Could not load dashboards: {error}</p>;
  if (!entries) return <p className="muted">Loading…</p>;
  const entry = entries.find((e) => e.dashboard?.uid === uid);
  if (!entry?.dashboard) {
    return (
      <p className="panel-error" role="alert">
        {entry?.error ? `Invalid dashboard ${entry.file}: ${entry.error}` : `No dashboard with uid "${uid}".`}
      </p>
    );
  }
  return <DashboardView dashboard={entry.dashboard} />;
}

function DashboardView(props: { dashboard: Dashboard }) {
  const d = props.dashboard;
  const [params, updateParams] = useQueryParams();
  const from = params.get('from') ?? d.time.from;
  const to = params.get('to') ?? d.time.to;
  const refresh = params.get('refresh') ?? d.refresh;
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const ms = refresh === '' ? undefined : parseDurationMs(refresh);
    if (!ms) return;
    const id = window.setInterval(() => setTick((t) => t + 1), Math.max(1000, ms));
    return () => window.clearInterval(id);
  }, [refresh]);

  // Absolute range, recomputed on each refresh tick.
  const range = useMemo(() => {
    const now = Date.now();
    const f = resolveTime(from, now) ?? now - 15 * 60_000;
    const t = resolveTime(to, now) ?? now;
    return { fromMs: Math.min(f, t), toMs: Math.max(f, t) };
  }, [from, to, tick]);

  const values: Record<string, string> = {};
  for (const v of d.variables) values[v.name] = params.get(`var-${v.name}`) ?? v.default;
  const valuesKey = JSON.stringify(values);
  const variables = useMemo(() => values, [valuesKey]);

  const annotationsQuery = useQuery({
    queryKey: ['annotations', range.fromMs, range.toMs],
    queryFn: ({ signal }) => fetchAnnotations(range.fromMs, range.toMs, signal),
    placeholderData: keepPreviousData,
  });
  const annotations = annotationsQuery.data ?? NO_ANNOTATIONS;
  // findings are markers like annotations; a failing findings API leaves the charts as they are
  const findingsQuery = useQuery({
    queryKey: ['findings', range.fromMs, range.toMs],
    queryFn: ({ signal }) => fetchFindings(findingsLookback(range.fromMs, range.toMs), signal, range.toMs),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const findings = findingsQuery.data ?? NO_FINDINGS;

  const ctx: PanelContext = useMemo(
    () => ({ fromMs: range.fromMs, toMs: range.toMs, fromText: from, toText: to, variables, annotations, findings }),
    [range, from, to, variables, annotations, findings],
  );

  return (
    <section className="page dashboard" data-dashboard-uid={d.uid}>
      <div className="dashboard-bar">
        <h1>{d.title}</h1>
        <div className="variables">
          {d.variables.map((v) => (
            <VariablePicker
              key={v.name}
              variable={v}
              value={variables[v.name] ?? ''}
              onChange={(value) => updateParams({ [`var-${v.name}`]: value })}
            />
          ))}
        </div>
        <TimePicker
          from={from}
          to={to}
          refresh={refresh}
          onRange={(f, t) => updateParams({ from: f, to: t })}
          onRefresh={(r) => updateParams({ refresh: r === '' ? '' : r })}
          onRefreshNow={() => setTick((t) => t + 1)}
        />
      </div>
      <div className="grid">
        {d.panels.map((p) => (
          <PanelView key={p.id} panel={p} ctx={ctx} />
        ))}
      </div>
    </section>
  );
}

function VariablePicker(props: { variable: Variable; value: string; onChange: (v: string) => void }) {
  const { variable } = props;
  const parsed = variable.type === 'query' ? parseLabelValuesQuery(variable.query) : undefined;
  const remote = useQuery({
    queryKey: ['label-values', parsed?.label, parsed?.metric],
    queryFn: ({ signal }) => labelValues(parsed!.label, parsed!.metric ? [parsed!.metric] : [], signal),
    enabled: parsed !== undefined,
  });
  const options =
    variable.type === 'custom'
      ? variable.query
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (remote.data ?? []);
  const error =
    variable.type === 'query' && !parsed
      ? `cannot read variable query ${variable.query}`
      : remote.error
        ? errorMessage(remote.error)
        : undefined;
  const all = options.includes(props.value) || props.value === '' ? options : [props.value, ...options];
  return (
    <label className="variable">
      <span>{variable.label}</span>
      <select aria-label={variable.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {all.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      {error && <span className="panel-error">{error}</span>}
    </label>
  );
}
