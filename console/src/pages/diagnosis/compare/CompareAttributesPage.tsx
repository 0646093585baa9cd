// Attribute comparison (/diagnosis/compare, with the API's own query parameters): a search
// (service, operation, window, Tags) and a selection inside it (the slowest %, the failed spans,
// a duration threshold or a region brushed on the scatter plot of the search's spans), then
// every attribute ranked by how well it separates the selection from the other spans, each
// score explained, the top ones drawn, and a click on a value opening the trace search with it.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { fetchComparison, type AttributeComparison, type Comparison, type Quantiles } from '../../../api/diagnosis.js';
import { errorMessage } from '../../../api/queryClient.js';
import { searchTraces } from '../../../api/traces.js';
import {
  DurationFields,
  FieldError,
  LookbackField,
  ServiceFields,
  TagsField,
  TextField,
  useFormState,
} from '../../../components/SearchFields.js';
import { useQueryParams } from '../../../url.js';
import { ScatterPlot } from '../../search/ScatterPlot.js';
import '../../trace/traces.css';
import './compare.css';
import {
  barPercent,
  checkForm,
  dotsInRegion,
  formFromParams,
  histogramShares,
  numberText,
  paramsFromForm,
  regionOfForm,
  scatterSearch,
  searchLink,
  SELECT_KINDS,
  shareText,
  spanDots,
  withRegion,
  type CompareForm,
  type SearchWindow,
  type SelectKind,
} from './model.js';

/** attributes drawn at once; the others open on demand */
const DRAWN = 6;

export function CompareAttributesPage() {
  const [params, update] = useQueryParams();
  const form = useMemo(() => formFromParams(params), [params]);
  const key = params.toString();
  // the wall clock of a relative lookback: fixed per address and per press of Compare
  const [runs, setRuns] = useState(0);
  const nowMs = useMemo(() => Date.now(), [key, runs]);
  const checked = form.service === '' ? undefined : checkForm(form, nowMs);
  const apply = (f: CompareForm): void => {
    setRuns((r) => r + 1);
    update(paramsFromForm(f), { replace: false });
  };

  return (
    <section className="page diagnosis-compare" data-page="diagnosis-compare">
      <h1>Compare attributes</h1>
      <p className="muted">
        What sets a selection of spans apart from the other spans of the same search: every span, resource and event
        attribute, ranked by how well it separates the two groups.
      </p>
      <div className="search-layout">
        <CompareFormView initial={form} onSubmit={apply} />
        <div className="compare-results">
          {checked === undefined && <p className="muted">Choose a service and press Compare.</p>}
          {checked?.ok === false && (
            <p className="panel-error" role="alert">
              The comparison in the address is not valid: {Object.values(checked.errors).join('; ')}
            </p>
          )}
          {checked?.ok && (
            <>
              <SpanScatter form={form} window={checked.value.window} onRegion={(f) => apply(f)} />
              <ComparisonView api={checked.value.api} window={checked.value.window} />
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function CompareFormView(props: { initial: CompareForm; onSubmit: (f: CompareForm) => void }) {
  const state = useFormState('compare', props.initial, checkForm, props.onSubmit);
  const { form } = state;
  return (
    <form className="search-form compare-form" onSubmit={state.submit} noValidate>
      <ServiceFields state={state} />
      <TagsField state={state} />
      <LookbackField state={state} />
      <fieldset className="compare-selection">
        <legend>Selection</legend>
        {SELECT_KINDS.map((k) => (
          <label key={k.value} className="radio">
            <input
              type="radio"
              name="compare-select"
              value={k.value}
              checked={form.select === k.value}
              onChange={() => state.set('select', k.value satisfies SelectKind)}
            />{' '}
            {k.label}
          </label>
        ))}
        {form.select === 'slowest' && <TextField state={state} field="percent" label="Slowest (%)" placeholder="5" />}
        {(form.select === 'duration' || form.select === 'region') && <DurationFields state={state} />}
        {form.select === 'region' && (
          <p className="muted" data-region={form.regionStart !== '' ? `${form.regionStart}-${form.regionEnd}` : ''}>
            {form.regionStart === ''
              ? 'Drag a rectangle on the scatter plot.'
              : `Spans starting from ${new Date(Number(form.regionStart) / 1000).toLocaleTimeString()} to ${new Date(Number(form.regionEnd) / 1000).toLocaleTimeString()}.`}
          </p>
        )}
        <FieldError id="compare-regionStart-error" error={state.errors.regionStart} />
      </fieldset>
      <button type="submit" className="primary">
        Compare
      </button>
    </form>
  );
}

/** The search's spans (of its service and operation) on a scatter plot; a brushed rectangle selects. */
function SpanScatter(props: { form: CompareForm; window: SearchWindow; onRegion: (f: CompareForm) => void }) {
  const search = scatterSearch(props.window);
  const traces = useQuery({
    queryKey: ['traces', search.toString()],
    queryFn: ({ signal }) => searchTraces(search, signal),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
  const navigate = useNavigate();
  const dots = useMemo(
    () => spanDots(traces.data ?? [], props.window.service, props.window.operation),
    [traces.data, props.window.service, props.window.operation],
  );
  const region = regionOfForm(props.form);
  const brushed = region ? dotsInRegion(dots, region) : undefined;
  if (traces.error)
    return <p className="panel-error">The scatter plot's search failed: {errorMessage(traces.error)}</p>;
  if (!traces.data) return <p className="muted">Searching spans…</p>;
  if (dots.length === 0) return <p className="panel-note">No span of this search to draw in this window.</p>;
  const byKey = new Map(dots.map((d) => [d.traceID, d.trace]));
  return (
    <ScatterPlot
      traces={dots}
      brushed={brushed}
      onBrush={() => undefined}
      onBrushRegion={(r) => props.onRegion(withRegion(props.form, r))}
      onOpen={(k) => navigate(`/trace/${encodeURIComponent(byKey.get(k) ?? k)}`)}
      caption={`${dots.length} spans of ${props.window.service} in the ${traces.data.length} most recent traces found. Drag a rectangle to compare the spans in it with all the others; click a dot to open its trace.`}
    />
  );
}

function ComparisonView(props: { api: URLSearchParams; window: SearchWindow }) {
  const key = props.api.toString();
  const result = useQuery({
    queryKey: ['diagnosis-compare', key],
    queryFn: ({ signal }) => fetchComparison(props.api, signal),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
  if (result.error) {
    return (
      <p className="panel-error" role="alert">
        The comparison failed: {errorMessage(result.error)}
      </p>
    );
  }
  if (!result.data) return <p className="muted">Comparing…</p>;
  return <ComparisonResult comparison={result.data} window={props.window} />;
}

function ComparisonResult(props: { comparison: Comparison; window: SearchWindow }) {
  const c = props.comparison;
  return (
    <div className="comparison">
      <p className="compare-counts">
        <strong data-selected-count={c.selected}>{c.selected}</strong> selected spans against{' '}
        <strong data-baseline-count={c.baseline}>{c.baseline}</strong> other spans of this search
      </p>
      {c.message !== undefined ? (
        <p className="panel-note" role="status">
          {c.message}
        </p>
      ) : (
        <>
          <details className="score-help">
            <summary>How the score is computed</summary>
            <p>
              Text and boolean attributes: the largest difference between the share of a value among the selected spans
              and among the others, less what chance alone could give (3.5 standard errors). Values seen only a few
              times are pooled as &ldquo;rare&rdquo;, and the score is reduced by their share, so IDs and timestamps do
              not rank because every value is unique. Numbers: the Kolmogorov–Smirnov D of the two distributions (the
              largest gap between their cumulative shares), less its critical value at α = 0.001. Either way, a key set
              much more (or less) often in the selection scores that difference. 0 means no evidence of a difference; 1
              a perfect separation.
            </p>
          </details>
          <ol className="attribute-ranking">
            {c.attributes.map((a, i) => (
              <AttributeRow key={a.key} attribute={a} rank={i + 1} drawn={i < DRAWN} window={props.window} />
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

function AttributeRow(props: { attribute: AttributeComparison; rank: number; drawn: boolean; window: SearchWindow }) {
  const a = props.attribute;
  const chart =
    a.kind === 'categorical' ? <CategoryBars attribute={a} window={props.window} /> : <Histograms attribute={a} />;
  return (
    <li className="ranked-attribute" data-attribute-key={a.key} data-kind={a.kind} data-score={a.score}>
      <div className="ranked-head">
        <span className="rank">{props.rank}.</span> <code className="attribute-key">{a.key}</code>{' '}
        <span className="muted">{a.kind}</span>{' '}
        <span className="score" title="0: no evidence of a difference; 1: a perfect separation">
          score {a.score.toFixed(2)}
        </span>
        <span className="score-bar" aria-hidden="true">
          <span style={{ width: `${barPercent(a.score)}%` }} />
        </span>
      </div>
      <p className="explanation">{a.explanation}</p>
      {props.drawn ? (
        chart
      ) : (
        <details>
          <summary>Values</summary>
          {chart}
        </details>
      )}
    </li>
  );
}

function CategoryBars(props: {
  attribute: Extract<AttributeComparison, { kind: 'categorical' }>;
  window: SearchWindow;
}) {
  const a = props.attribute;
  return (
    <table className="category-bars">
      <thead>
        <tr>
          <th>Value</th>
          <th>
            <span className="swatch selected-swatch" /> Selected
          </th>
          <th>
            <span className="swatch baseline-swatch" /> Others
          </th>
        </tr>
      </thead>
      <tbody>
        {a.values.slice(0, 8).map((v) => (
          <tr key={`${v.value ?? ''}\u0000${v.label}`} data-value={v.value ?? undefined}>
            <td className="category-value">
              {v.value === null ? (
                <span className="muted">{v.label}</span>
              ) : (
                <Link
                  to={searchLink(props.window, a.key, v.value)}
                  className="value-filter"
                  title={`Search the traces with ${a.key}=${v.value}`}
                >
                  {v.label}
                </Link>
              )}
            </td>
            <td>
              <ShareBar share={v.selectedShare} count={v.selected} group="selected" />
            </td>
            <td>
              <ShareBar share={v.baselineShare} count={v.baseline} group="baseline" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ShareBar(props: { share: number; count: number; group: 'selected' | 'baseline' }) {
  return (
    <span className={`share-bar ${props.group}`} title={`${props.count} spans`}>
      <span className="share-fill" style={{ width: `${barPercent(props.share)}%` }} />
      <span className="share-text">{shareText(props.share)}</span>
    </span>
  );
}

const QUANTILES = ['p25', 'p50', 'p90', 'p99'] as const;

function quantilesText(q: Quantiles | null): string {
  return q === null ? 'not set in this group' : QUANTILES.map((k) => `${k} ${numberText(q[k])}`).join(' · ');
}

function Histograms(props: { attribute: Extract<AttributeComparison, { kind: 'numeric' }> }) {
  const a = props.attribute;
  const groups = [
    { group: 'selected', label: 'Selected', quantiles: a.quantiles.selected },
    { group: 'baseline', label: 'Others', quantiles: a.quantiles.baseline },
  ] as const;
  return (
    <div className="histograms">
      {groups.map((g) => {
        const shares = histogramShares(a.values, g.group);
        const most = Math.max(0, ...shares);
        return (
          <figure key={g.group} className={`histogram ${g.group}`}>
            <figcaption>{g.label}</figcaption>
            <div className="histogram-bars">
              {a.values.map((b, i) => (
                <span
                  key={i}
                  className="histogram-bar"
                  style={{ height: `${most === 0 ? 0 : barPercent(shares[i]! / most)}%` }}
                  title={`${numberText(b.from)} – ${numberText(b.to)}: ${b[g.group]} spans (${shareText(shares[i]!)})`}
                />
              ))}
            </div>
            {a.values.length > 0 && (
              <div className="histogram-axis muted">
                <span>{numberText(a.values[0]!.from)}</span>
                <span>{numberText(a.values[a.values.length - 1]!.to)}</span>
              </div>
            )}
            <p className="quantiles">{quantilesText(g.quantiles)}</p>
          </figure>
        );
      })}
    </div>
  );
}
