// Logs: a LogQL box with stream-label completion, the volume over time by level, and the matching
// lines (newest first, expandable, "View trace" where a line carries a trace ID); live tail polls
// for lines newer than the newest shown. Query, range and live tail are kept in the URL.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { queryRange } from '../../api/loki.js';
import { errorMessage } from '../../api/queryClient.js';
import { TimePicker } from '../../components/TimePicker.js';
import { resolveTime } from '../../model/time.js';
import { useQueryParams } from '../../url.js';
import { LogLines } from './LogLines.js';
import { LogQueryInput } from './LogQueryInput.js';
import {
  isLogQuery,
  linesOf,
  mergeTail,
  readLogsParams,
  volumeFrame,
  volumeQuery,
  volumeStepMs,
  type LogLine,
} from './model.js';
import { VolumeChart } from './VolumeChart.js';

const LINE_LIMIT = 1000;
const TAIL_POLL_MS = 2000;

export function LogsPage() {
  const [params, update] = useQueryParams();
  const state = readLogsParams(params);
  const [draft, setDraft] = useState(state.query);
  const [runs, setRuns] = useState(0);
  useEffect(() => setDraft(state.query), [state.query]);

  // The range is resolved when a query runs (runs, or a change of the URL state), not per render.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setNow(Date.now()), [state.query, state.from, state.to, runs]);
  const fromMs = resolveTime(state.from, now) ?? now - 3_600_000;
  const toMs = resolveTime(state.to, now) ?? now;
  const logQuery = isLogQuery(state.query);

  const lines = useQuery({
    queryKey: ['logs', state.query, fromMs, toMs],
    enabled: state.query.trim() !== '' && logQuery,
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      const data = await queryRange(state.query, fromMs, toMs, { limit: LINE_LIMIT, direction: 'backward' }, signal);
      return data.resultType === 'streams' ? linesOf(data) : [];
    },
  });
  const stepMs = volumeStepMs(toMs - fromMs);
  const volume = useQuery({
    queryKey: ['logs-volume', state.query, fromMs, toMs, stepMs],
    enabled: state.query.trim() !== '' && logQuery,
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      const data = await queryRange(volumeQuery(state.query, stepMs), fromMs, toMs, { stepMs }, signal);
      return data.resultType === 'matrix' ? volumeFrame(data, fromMs, toMs, stepMs) : undefined;
    },
  });

  const tail = useLiveTail(state.live && logQuery, state.query, lines.data);
  const shown = state.live ? tail.lines : (lines.data ?? []);
  const run = (): void => {
    if (draft === state.query) setRuns((r) => r + 1);
    else update({ query: draft }, { replace: false });
  };
  const status =
    state.query.trim() === ''
      ? 'idle'
      : !logQuery
        ? 'metric'
        : lines.error
          ? 'error'
          : lines.data === undefined
            ? 'loading'
            : shown.length === 0
              ? 'empty'
              : 'data';

  return (
    <section className="page logs-page" data-page="logs">
      <div className="dashboard-bar">
        <h1>Logs</h1>
        <TimePicker
          from={state.from}
          to={state.to}
          refresh=""
          onRange={(f, t) => update({ from: f, to: t })}
          onRefresh={() => undefined}
          onRefreshNow={run}
        />
      </div>
      <div className="query-row">
        <LogQueryInput value={draft} onChange={setDraft} onRun={run} startMs={fromMs} endMs={toMs} />
        <button type="button" className="primary" onClick={run}>
          Run query
        </button>
        <label className="logs-live">
          <input
            type="checkbox"
            checked={state.live}
            onChange={(e) => update({ live: e.target.checked ? '1' : undefined })}
          />{' '}
          Live tail
        </label>
      </div>
      {volume.data && volume.data.series.length > 0 && <VolumeChart frame={volume.data} height={120} />}
      <div className="logs-status">
        {status === 'data' && (
          <span className="muted" data-lines={shown.length}>
            {shown.length} {shown.length === 1 ? 'line' : 'lines'}
            {!state.live && shown.length >= LINE_LIMIT ? ` (the newest ${LINE_LIMIT})` : ''}
            {state.live ? ' · tailing' : ''}
          </span>
        )}
        {tail.error && <span className="panel-error">Live tail: {tail.error}</span>}
      </div>
      <div className="logs-result" data-state={status}>
        {status === 'metric' && (
          <p className="muted">
            A metric query: the Logs page shows the lines of a log query (one that starts with a stream selector).
          </p>
        )}
        {status === 'loading' && <p className="muted">Running…</p>}
        {lines.error && (
          <div className="panel-error" role="alert">
            {errorMessage(lines.error)}
          </div>
        )}
        {status === 'empty' && <p className="muted">No lines match in this time range.</p>}
        {status === 'data' && <LogLines lines={shown} label="Log lines" />}
      </div>
    </section>
  );
}

/** Polls for lines newer than the newest one shown, starting from the query's own result. */
function useLiveTail(
  on: boolean,
  query: string,
  initial: readonly LogLine[] | undefined,
): { lines: LogLine[]; error: string | undefined } {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<string>();
  const since = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!on) return;
    const start = mergeTail([], initial ?? [], LINE_LIMIT);
    setLines(start.lines);
    since.current = start.sinceNs;
    const abort = new AbortController();
    const poll = async (): Promise<void> => {
      const now = Date.now();
      // from just after the newest line (ns precision kept as text), or the last minute
      const fromMs = since.current ? Number(since.current.slice(0, -6)) : now - 60_000;
      try {
        const data = await queryRange(query, fromMs, now, { limit: 500, direction: 'forward' }, abort.signal);
        if (data.resultType !== 'streams') return;
        setLines((shown) => {
          const merged = mergeTail(shown, linesOf(data), LINE_LIMIT);
          since.current = merged.sinceNs ?? since.current;
          return merged.lines;
        });
        setError(undefined);
      } catch (e) {
        if (!abort.signal.aborted) setError(errorMessage(e));
      }
    };
    const timer = setInterval(() => void poll(), TAIL_POLL_MS);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [on, query, initial]);
  return { lines, error };
}
