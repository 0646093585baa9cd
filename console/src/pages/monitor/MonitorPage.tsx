// Monitor (Jaeger's Service Performance Monitoring): for one service and span kind, latency
// percentiles, request rate and error rate over time, and a table of its operations, all from the
// span metrics through our Prometheus API.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { labelValues, queryInstant, type InstantResult, type VectorSample } from '../../api/prometheus.js';
import { errorMessage, pollEvery } from '../../api/queryClient.js';
import { TimePicker } from '../../components/TimePicker.js';
import { formatDurationMs, resolveTime } from '../../model/time.js';
import { formatValue } from '../../model/units.js';
import { PanelView, type PanelContext } from '../../panels/PanelView.js';
import { useQueryParams } from '../../url.js';
import { SPAN_METRICS as SPAN_METRIC_NAMES } from '../../../../src/names/contract.js';
import {
  errorRatioQuery,
  latencyQuery,
  monitorPanels,
  operationRows,
  rateQuery,
  SPAN_KINDS,
  type MonitorScope,
} from './queries.js';

const NO_ANNOTATIONS = [] as const;

function vector(r: InstantResult): readonly VectorSample[] {
  return r.resultType === 'vector' ? r.result : [];
}

export function MonitorPage() {
  const [params, update] = useQueryParams();
  const from = params.get('from') ?? 'now-1h';
  const to = params.get('to') ?? 'now';
  const spanKind = params.get('kind') ?? 'SPAN_KIND_SERVER';
  const services = useQuery({
    queryKey: ['label-values', 'service_name', SPAN_METRIC_NAMES.calls],
    queryFn: ({ signal }) => labelValues('service_name', [SPAN_METRIC_NAMES.calls], signal),
    refetchInterval: pollEvery(60_000),
  });
  const service = params.get('service') ?? services.data?.[0] ?? '';
  const [range, setRange] = useRangeTick(from, to);

  return (
    <section className="page monitor">
      <div className="dashboard-bar">
        <h1>Monitor</h1>
        <div className="variables">
          <label className="variable">
            <span>Service</span>
            <select aria-label="Service" value={service} onChange={(e) => update({ service: e.target.value })}>
              {services.data?.includes(service) === false && service !== '' && (
                <option value={service}>{service}</option>
              )}
              {services.data?.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label className="variable">
            <span>Span kind</span>
            <select aria-label="Span kind" value={spanKind} onChange={(e) => update({ kind: e.target.value })}>
              {SPAN_KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <TimePicker
          from={from}
          to={to}
          refresh=""
          onRange={(f, t) => update({ from: f, to: t })}
          onRefresh={() => undefined}
          onRefreshNow={setRange}
        />
      </div>
      {services.error && (
        <p className="panel-error" role="alert">
          Could not list the services: {errorMessage(services.error)}
        </p>
      )}
      {services.data?.length === 0 && <p className="muted">No span metrics yet: is the demo running?</p>}
      {service !== '' && <ServiceMonitor scope={{ service, spanKind }} range={range} from={from} to={to} />}
    </section>
  );
}

/** The absolute range of a relative one, recomputed when asked (Refresh) and every 30 s. */
function useRangeTick(from: string, to: string): [{ fromMs: number; toMs: number }, () => void] {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(id);
  }, []);
  const range = useMemo(() => {
    const f = resolveTime(from, now) ?? now - 3_600_000;
    const t = resolveTime(to, now) ?? now;
    return { fromMs: Math.min(f, t), toMs: Math.max(f, t) };
  }, [from, to, now]);
  return [range, () => setNow(Date.now())];
}

function ServiceMonitor(props: {
  scope: MonitorScope;
  range: { fromMs: number; toMs: number };
  from: string;
  to: string;
}) {
  const { scope, range } = props;
  const panels = useMemo(() => monitorPanels(scope), [scope.service, scope.spanKind]);
  const ctx: PanelContext = {
    fromMs: range.fromMs,
    toMs: range.toMs,
    fromText: props.from,
    toText: props.to,
    // Only the latency panel's "View traces" link reads it; the queries quote the name themselves.
    variables: { service: scope.service },
    annotations: NO_ANNOTATIONS,
    findings: [],
  };
  return (
    <>
      <div className="grid monitor-charts">
        {panels.map((p) => (
          <PanelView key={`${scope.service}-${scope.spanKind}-${p.id}`} panel={p} ctx={ctx} />
        ))}
      </div>
      <OperationsTable scope={scope} range={range} />
    </>
  );
}

function OperationsTable(props: { scope: MonitorScope; range: { fromMs: number; toMs: number } }) {
  const { scope, range } = props;
  // The table summarises the whole window, as Jaeger's does.
  const window = formatDurationMs(Math.max(60_000, range.toMs - range.fromMs));
  const ops = useQuery({
    queryKey: ['monitor-operations', scope.service, scope.spanKind, window, range.toMs],
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      const at = range.toMs;
      const [rate, errorRatio, p50, p95, p99] = await Promise.all(
        [
          rateQuery(scope, window, 'span_name'),
          errorRatioQuery(scope, window, 'span_name'),
          latencyQuery(scope, 0.5, window, 'span_name'),
          latencyQuery(scope, 0.95, window, 'span_name'),
          latencyQuery(scope, 0.99, window, 'span_name'),
        ].map((q) => queryInstant(q, at, signal).then(vector)),
      );
      return operationRows({ rate: rate!, errorRatio: errorRatio!, p50: p50!, p95: p95!, p99: p99! });
    },
  });
  return (
    <div className="monitor-ops">
      <h2>Operations of {scope.service}</h2>
      {ops.error && (
        <p className="panel-error" role="alert">
          {errorMessage(ops.error)}
        </p>
      )}
      {ops.data && ops.data.length === 0 && <p className="muted">No calls of this kind in the window.</p>}
      {ops.data && ops.data.length > 0 && (
        <table className="result-table" aria-label="Operations">
          <thead>
            <tr>
              <th>Name</th>
              <th>P50 latency</th>
              <th>P95 latency</th>
              <th>P99 latency</th>
              <th>Request rate</th>
              <th>Error rate</th>
              <th>Impact</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {ops.data.map((r) => (
              <tr key={r.operation} data-operation={r.operation}>
                <td>{r.operation}</td>
                <td className="num">{formatValue(r.p50 ?? null, 'ms')}</td>
                <td className="num">{formatValue(r.p95 ?? null, 'ms')}</td>
                <td className="num">{formatValue(r.p99 ?? null, 'ms')}</td>
                <td className="num">{formatValue(r.rate, 'reqps')}</td>
                <td className={`num ${r.errorRatio > 0 ? 'bad' : ''}`}>{formatValue(r.errorRatio * 100, 'percent')}</td>
                <td>
                  <span className="impact-bar" style={{ width: `${Math.round(r.impact * 100)}%` }} />
                </td>
                <td>
                  <Link
                    to={`/search?${new URLSearchParams({ service: scope.service, operation: r.operation }).toString()}`}
                  >
                    View traces
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
