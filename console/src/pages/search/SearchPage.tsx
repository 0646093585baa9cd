// Trace search (Jaeger's search page): the form on the left, its state in the URL (a search is a
// link); above the results a scatter plot of the found traces; the results list with its count,
// the five sorts and two-row compare.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../../api/queryClient.js';
import { searchTraces } from '../../api/traces.js';
import {
  DurationFields,
  LookbackField,
  ServiceFields,
  TagsField,
  TextField,
  useFormState,
} from '../../components/SearchFields.js';
import { useQueryParams } from '../../url.js';
import '../trace/traces.css';
import { formatDuration } from './duration.js';
import { apiQuery, formFromParams, paramsFromForm, type SearchForm } from './form.js';
import { isSortOrder, SORTS, sortTraces, summarize, timeAgo, type SortOrder, type TraceSummary } from './results.js';
import { ScatterPlot } from './ScatterPlot.js';

export function SearchPage() {
  const [params, update] = useQueryParams();
  const submitted = useMemo(() => formFromParams(params), [params]);
  const sort: SortOrder = isSortOrder(params.get('sort') ?? '') ? (params.get('sort') as SortOrder) : 'recent';
  // the wall clock of the search: fixed when the URL changes, so a relative lookback is one window
  // (the sort is not part of the search: changing it must not search again)
  const searchKey = useMemo(() => {
    const p = new URLSearchParams(params);
    p.delete('sort');
    return p.toString();
  }, [params]);
  const nowMs = useMemo(() => (searchKey === '' ? 0 : Date.now()), [searchKey]);
  const query = submitted.service === '' ? undefined : apiQuery(submitted, nowMs);

  const onSubmit = (form: SearchForm): void => {
    update({ ...paramsFromForm(form), run: String(Date.now()) }, { replace: false });
  };

  return (
    <section className="page search-page" data-page="search">
      <h1>Traces</h1>
      <div className="search-layout">
        <SearchFormView initial={submitted} onSubmit={onSubmit} />
        <div className="search-results">
          {query === undefined && <p className="muted">Choose a service and press Find Traces.</p>}
          {query?.ok === false && (
            <p className="panel-error" role="alert">
              The search in the address is not valid: {Object.values(query.errors).join('; ')}
            </p>
          )}
          {query?.ok && (
            <Results
              apiParams={query.params}
              sort={sort}
              onSort={(s) => update({ sort: s === 'recent' ? undefined : s })}
            />
          )}
        </div>
      </div>
    </section>
  );
}

function SearchFormView(props: { initial: SearchForm; onSubmit: (f: SearchForm) => void }) {
  const state = useFormState('search', props.initial, apiQuery, props.onSubmit);
  return (
    <form className="search-form" onSubmit={state.submit} noValidate>
      <ServiceFields state={state} />
      <TagsField state={state} />
      <LookbackField state={state} />
      <DurationFields state={state} />
      <TextField state={state} field="limit" label="Limit Results" placeholder="20" />
      <button type="submit" className="primary">
        Find Traces
      </button>
    </form>
  );
}

function Results(props: { apiParams: URLSearchParams; sort: SortOrder; onSort: (s: SortOrder) => void }) {
  const key = props.apiParams.toString();
  const result = useQuery({
    queryKey: ['traces', key],
    queryFn: ({ signal }) => searchTraces(props.apiParams, signal),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
  const summaries = useMemo(() => (result.data ?? []).map(summarize), [result.data]);
  const [brushed, setBrushed] = useState<Set<string> | undefined>(undefined);
  const [selected, setSelected] = useState<string[]>([]);
  useEffect(() => {
    setBrushed(undefined);
    setSelected([]);
  }, [key]);
  const navigate = useNavigate();
  const shown = sortTraces(brushed ? summaries.filter((s) => brushed.has(s.traceID)) : summaries, props.sort);
  const longest = Math.max(1, ...summaries.map((s) => s.durationUs));
  if (result.error) {
    return (
      <p className="panel-error" role="alert">
        The search failed: {errorMessage(result.error)}
      </p>
    );
  }
  if (!result.data) return <p className="muted">Searching…</p>;
  const toggle = (id: string): void =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));
  return (
    <>
      <ScatterPlot
        traces={summaries}
        brushed={brushed}
        onBrush={setBrushed}
        onOpen={(id) => navigate(`/trace/${id}`)}
      />
      <div className="results-bar">
        <h2 className="results-count" data-count={shown.length}>
          {shown.length} {shown.length === 1 ? 'Trace' : 'Traces'}
          {brushed && <span className="muted"> in the selected region of {summaries.length}</span>}
        </h2>
        {brushed && (
          <button type="button" onClick={() => setBrushed(undefined)}>
            Clear selection
          </button>
        )}
        <label className="sort">
          Sort{' '}
          <select value={props.sort} onChange={(e) => props.onSort(e.target.value as SortOrder)}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="compare-bar">
        {selected.length < 2 ? (
          <span>Compare traces by selecting two result items ({selected.length} selected)</span>
        ) : (
          <Link to={`/compare?a=${encodeURIComponent(selected[0]!)}&b=${encodeURIComponent(selected[1]!)}`}>
            Compare the 2 selected traces
          </Link>
        )}
      </div>
      {shown.length === 0 && <p className="panel-note">No trace matches this search in the chosen time range.</p>}
      <ol className="result-list">
        {shown.map((t) => (
          <ResultRow
            key={t.traceID}
            trace={t}
            longest={longest}
            selected={selected.includes(t.traceID)}
            onToggle={() => toggle(t.traceID)}
          />
        ))}
      </ol>
    </>
  );
}

function ResultRow(props: { trace: TraceSummary; longest: number; selected: boolean; onToggle: () => void }) {
  const t = props.trace;
  const startMs = t.startUs / 1000;
  return (
    <li className="result-item" data-trace-id={t.traceID} data-duration-us={t.durationUs}>
      <div className="result-title">
        <input
          type="checkbox"
          checked={props.selected}
          onChange={props.onToggle}
          aria-label={`Select ${t.rootService}: ${t.rootOperation} ${t.shortID} for compare`}
        />
        <div className="result-bar" style={{ width: `${(t.durationUs / props.longest) * 100}%` }} />
        <Link to={`/trace/${t.traceID}`} className="result-link">
          <span className="result-name">
            {t.rootService}: {t.rootOperation}
          </span>{' '}
          <span className="muted trace-id">{t.shortID}</span>
        </Link>
        <span className="result-duration">{formatDuration(t.durationUs)}</span>
      </div>
      <div className="result-body">
        <span className="tag-box">{t.spanCount} Spans</span>
        {t.errorCount > 0 && (
          <span className="tag-box error">
            {t.errorCount} {t.errorCount === 1 ? 'Error' : 'Errors'}
          </span>
        )}
        <ul className="chips" aria-label="Services">
          {t.services.map((s) => (
            <li key={s.name} className="chip">
              <span className="swatch" style={{ background: s.color }} />
              {s.name} ({s.spans})
            </li>
          ))}
        </ul>
        <span className="result-time">
          <time dateTime={new Date(startMs).toISOString()}>{new Date(startMs).toLocaleString()}</time>
          <br />
          <span className="muted">{timeAgo(startMs, Date.now())}</span>
        </span>
      </div>
    </li>
  );
}
