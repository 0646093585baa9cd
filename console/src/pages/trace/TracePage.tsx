// One trace (Jaeger's trace page): the header figures, find-in-trace, and the views Jaeger has
// beside the timeline (statistics, spans table, flame graph, raw JSON). An unknown or malformed ID
// gets a clear "trace not found" page.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../../api/queryClient.js';
import { fetchTrace, type JaegerTrace } from '../../api/traces.js';
import { useQueryParams } from '../../url.js';
import { traceLogsHref } from '../logs/model.js';
import { formatDuration } from '../search/duration.js';
import { rootSpan, serviceOf } from '../search/results.js';
import { findSpans } from './find.js';
import { TraceIdLookup } from './TraceIdLookup.js';
import { FlameGraph, RawJson, SpansTable, StatisticsTable } from './TraceViews.js';
import { buildTree } from './tree.js';
import { Waterfall } from './Waterfall.js';
import './traces.css';

const VALID_ID = /^[0-9a-fA-F]{1,32}$/;

export function TracePage() {
  const { id = '' } = useParams();
  const valid = VALID_ID.test(id);
  const result = useQuery({
    queryKey: ['trace', id.toLowerCase()],
    queryFn: ({ signal }) => fetchTrace(id, signal),
    enabled: valid,
    staleTime: 60_000,
  });
  if (!valid || (result.isSuccess && result.data === null)) return <TraceNotFound id={id} malformed={!valid} />;
  if (result.error) {
    return (
      <section className="page">
        <p className="panel-error" role="alert">
          Could not load trace {id}: {errorMessage(result.error)}
        </p>
      </section>
    );
  }
  if (!result.data) return <p className="muted">Loading trace {id}…</p>;
  return <TraceView trace={result.data} />;
}

export function TraceNotFound(props: { id: string; malformed: boolean }) {
  return (
    <section className="page not-found" data-page="trace-not-found">
      <h1>Trace not found</h1>
      <p>
        {props.malformed ? (
          <>
            <code>{props.id}</code> is not a trace ID: a trace ID is up to 32 hexadecimal digits.
          </>
        ) : (
          <>
            No trace with ID <code>{props.id}</code> is stored: it may be older than the retention, dropped for space,
            or not sent yet.
          </>
        )}
      </p>
      <TraceIdLookup />
      <p>
        <Link to="/search">Search traces</Link>
      </p>
    </section>
  );
}

const TABS = [
  { value: 'timeline', label: 'Trace Timeline' },
  { value: 'stats', label: 'Trace Statistics' },
  { value: 'spans', label: 'Trace Spans Table' },
  { value: 'flame', label: 'Trace Flamegraph' },
  { value: 'json', label: 'Trace JSON' },
] as const;
type Tab = (typeof TABS)[number]['value'];

function TraceView(props: { trace: JaegerTrace }) {
  const { trace } = props;
  const tree = useMemo(() => buildTree(trace), [trace]);
  const [params, update] = useQueryParams();
  const tab: Tab = TABS.some((t) => t.value === params.get('view')) ? (params.get('view') as Tab) : 'timeline';
  const [find, setFind] = useState('');
  const matches = useMemo(() => findSpans(tree, find), [tree, find]);
  const [matchAt, setMatchAt] = useState(0);
  const [selected, setSelected] = useState<string | undefined>(params.get('span') ?? undefined);
  const onSelect = useCallback(
    (s: string | undefined): void => {
      setSelected(s);
      update({ span: s });
    },
    [update],
  );
  const root = rootSpan(trace);
  const title = root ? `${serviceOf(trace, root)}: ${root.operationName}` : 'empty trace';
  const focusMatch = matches.length > 0 ? matches[Math.min(matchAt, matches.length - 1)] : undefined;
  return (
    <section className="page trace-page" data-page="trace" data-trace-id={trace.traceID}>
      <header className="trace-header">
        <h1>
          {title} <span className="muted trace-id">{trace.traceID.slice(0, 7)}</span>
        </h1>
        <div className="trace-find" role="search">
          <label className="sr-only" htmlFor="trace-find">
            Find in trace
          </label>
          <input
            id="trace-find"
            placeholder="Find…"
            value={find}
            onChange={(e) => {
              setFind(e.target.value);
              setMatchAt(0);
            }}
          />
          <span className="muted" aria-live="polite" data-matches={matches.length}>
            {find.trim() === '' ? '' : `${matches.length} ${matches.length === 1 ? 'match' : 'matches'}`}
          </span>
          <button
            type="button"
            disabled={matches.length === 0}
            onClick={() => setMatchAt((m) => (m + matches.length - 1) % matches.length)}
            aria-label="Previous match"
          >
            ↑
          </button>
          <button
            type="button"
            disabled={matches.length === 0}
            onClick={() => setMatchAt((m) => (m + 1) % matches.length)}
            aria-label="Next match"
          >
            ↓
          </button>
        </div>
        <Link to={traceLogsHref(trace.traceID, tree.startUs, tree.durationUs)}>Logs for this trace</Link>
        <Link to={`/compare?a=${trace.traceID}`}>Compare</Link>
      </header>
      <dl className="trace-facts">
        <dt>Trace Start</dt>
        <dd>{new Date(tree.startUs / 1000).toLocaleString()}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(tree.durationUs)}</dd>
        <dt>Services</dt>
        <dd>{tree.services.length}</dd>
        <dt>Depth</dt>
        <dd>{tree.depth}</dd>
        <dt>Total Spans</dt>
        <dd>{tree.nodes.length}</dd>
        <dt>Errors</dt>
        <dd>{tree.errorCount}</dd>
      </dl>
      {trace.warnings && trace.warnings.length > 0 && <p className="panel-error">{trace.warnings.join('; ')}</p>}
      <div role="tablist" aria-label="Trace views" className="tabs">
        {TABS.map((t) => (
          <button
            key={t.value}
            type="button"
            role="tab"
            aria-selected={tab === t.value}
            className={tab === t.value ? 'active' : ''}
            onClick={() => update({ view: t.value === 'timeline' ? undefined : t.value })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="trace-tabpanel">
        {tab === 'timeline' && (
          <Waterfall tree={tree} matches={matches} focus={focusMatch} selected={selected} onSelect={onSelect} />
        )}
        {tab === 'stats' && <StatisticsTable tree={tree} />}
        {tab === 'spans' && <SpansTable tree={tree} />}
        {tab === 'flame' && (
          <FlameGraph
            tree={tree}
            onOpen={(s) => {
              setSelected(s);
              update({ view: undefined, span: s });
            }}
          />
        )}
        {tab === 'json' && <RawJson trace={trace} />}
      </div>
    </section>
  );
}
