// Load: the load generator's users and spawn rate, start/stop/reset, and its live statistics per
// endpoint in Locust's table, with a small chart of requests/s and failures/s over time.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { fetchLoad, resetLoadStats, updateLoad, type LoadSnapshot, type LoadUpdate } from '../../api/load.js';
import { errorMessage } from '../../api/queryClient.js';
import { TimeSeriesChart } from '../../panels/TimeSeriesChart.js';
import { appendSample, historyFrame, readLoadForm, statsRows, type RateSample, type StatsRow } from './model.js';

const LOAD_KEY = ['load'] as const;
const NO_ANNOTATIONS = [] as const;

export function LoadPage() {
  const client = useQueryClient();
  const load = useQuery({ queryKey: LOAD_KEY, queryFn: ({ signal }) => fetchLoad(signal), refetchInterval: 2000 });
  const [history, setHistory] = useState<RateSample[]>([]);
  useEffect(() => {
    if (load.data) setHistory((h) => appendSample(h, load.data, load.dataUpdatedAt));
  }, [load.data, load.dataUpdatedAt]);

  const apply = useMutation({
    mutationFn: (a: { update?: LoadUpdate; reset?: boolean }) => (a.reset ? resetLoadStats() : updateLoad(a.update!)),
    onSuccess: (snap: LoadSnapshot) => client.setQueryData(LOAD_KEY, snap),
  });

  return (
    <section className="page load">
      <h1>Load</h1>
      {load.error && (
        <p className="panel-error" role="alert">
          Could not reach the load generator: {errorMessage(load.error)}
        </p>
      )}
      {apply.error && (
        <p className="panel-error" role="alert">
          {errorMessage(apply.error)}
        </p>
      )}
      {!load.data && !load.error && <p className="muted">Loading…</p>}
      {load.data && (
        <>
          <LoadControls
            snap={load.data}
            onApply={(update) => apply.mutate({ update })}
            onReset={() => apply.mutate({ reset: true })}
          />
          <div className="load-summary" aria-live="polite">
            <span data-stat="status">{load.data.running ? 'Running' : 'Stopped'}</span>
            <span data-stat="users">
              {load.data.users} / {load.data.targetUsers} users
            </span>
            <span data-stat="rps">{load.data.totals.rps.toFixed(1)} requests/s</span>
            <span data-stat="failures" className={load.data.totals.failuresPerSec > 0 ? 'bad' : ''}>
              {load.data.totals.failuresPerSec.toFixed(1)} failures/s
            </span>
          </div>
          <div className="load-chart">
            {history.length > 1 ? (
              <TimeSeriesChart
                frame={historyFrame(history)}
                unit="reqps"
                mode="lines"
                height={180}
                annotations={NO_ANNOTATIONS}
              />
            ) : (
              <p className="muted">The chart of requests/s and failures/s starts with the next samples.</p>
            )}
          </div>
          <StatsTable snap={load.data} />
          {load.data.errors.length > 0 && <ErrorsTable snap={load.data} />}
        </>
      )}
    </section>
  );
}

function LoadControls(props: { snap: LoadSnapshot; onApply: (u: LoadUpdate) => void; onReset: () => void }) {
  const { snap } = props;
  const [users, setUsers] = useState(String(snap.targetUsers));
  const [rate, setRate] = useState(String(snap.spawnRate));
  const form = readLoadForm(users, rate);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (form.ok) props.onApply({ ...form.update, running: true });
  };
  return (
    <form className="load-controls" onSubmit={submit} noValidate>
      <label>
        Number of users
        <input
          inputMode="numeric"
          value={users}
          onChange={(e) => setUsers(e.target.value)}
          aria-invalid={!form.ok && form.field === 'users'}
        />
      </label>
      <label>
        Spawn rate
        <input
          inputMode="decimal"
          value={rate}
          onChange={(e) => setRate(e.target.value)}
          aria-invalid={!form.ok && form.field === 'spawnRate'}
        />
      </label>
      <button type="submit" className="primary" disabled={!form.ok}>
        {snap.running ? 'Update' : 'Start'}
      </button>
      {snap.running && (
        <button type="button" onClick={() => props.onApply({ running: false })}>
          Stop
        </button>
      )}
      <button type="button" onClick={props.onReset}>
        Reset statistics
      </button>
      {!form.ok && (
        <span className="panel-error" role="alert">
          {form.error}
        </span>
      )}
    </form>
  );
}

const ms = (v: number): string => String(Math.round(v));

function StatsTable(props: { snap: LoadSnapshot }) {
  const { rows, total } = statsRows(props.snap);
  const line = (r: StatsRow, total = false) => (
    <tr key={`${r.type} ${r.name}`} className={total ? 'total' : ''} data-endpoint={total ? 'Aggregated' : r.name}>
      <td>{r.type}</td>
      <td>{r.name}</td>
      <td className="num">{r.requests}</td>
      <td className={`num ${r.failures > 0 ? 'bad' : ''}`}>
        {r.failures}
        {r.failures > 0 && ` (${Math.round(r.failureShare * 100)}%)`}
      </td>
      <td className="num">{ms(r.p50)}</td>
      <td className="num">{ms(r.p95)}</td>
      <td className="num">{ms(r.p99)}</td>
      <td className="num">{ms(r.avg)}</td>
      <td className="num">{ms(r.min)}</td>
      <td className="num">{ms(r.max)}</td>
      <td className="num">{r.rps.toFixed(1)}</td>
      <td className="num">{r.failuresPerSec.toFixed(1)}</td>
    </tr>
  );
  return (
    <table className="result-table load-stats" aria-label="Statistics per endpoint">
      <thead>
        <tr>
          <th>Type</th>
          <th>Name</th>
          <th># Requests</th>
          <th># Fails</th>
          <th>Median (ms)</th>
          <th>95%ile (ms)</th>
          <th>99%ile (ms)</th>
          <th>Average (ms)</th>
          <th>Min (ms)</th>
          <th>Max (ms)</th>
          <th>Current RPS</th>
          <th>Current Failures/s</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={12} className="muted">
              No requests yet: start the load.
            </td>
          </tr>
        )}
        {rows.map((r) => line(r))}
        {line(total, true)}
      </tbody>
    </table>
  );
}

function ErrorsTable(props: { snap: LoadSnapshot }) {
  return (
    <table className="result-table load-errors" aria-label="Failures">
      <thead>
        <tr>
          <th># Failures</th>
          <th>Method</th>
          <th>Name</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {props.snap.errors.map((e) => (
          <tr key={`${e.method} ${e.name} ${e.error}`}>
            <td className="num">{e.occurrences}</td>
            <td>{e.method}</td>
            <td>{e.name}</td>
            <td>{e.error}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
