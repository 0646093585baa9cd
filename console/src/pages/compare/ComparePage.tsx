// Compare two traces (Jaeger's trace diff): the merged tree of A and B, each node only in A, only
// in B, or in both with the difference of its total duration. Reachable from the search list (two
// selected rows) and from a trace page (A given, B to choose).
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/queryClient.js';
import { fetchTrace } from '../../api/traces.js';
import { serviceColor } from '../../model/serviceColor.js';
import { useQueryParams } from '../../url.js';
import { formatDuration } from '../search/duration.js';
import { summarize } from '../search/results.js';
import '../trace/traces.css';
import { buildTree } from '../trace/tree.js';
import { diffRows, diffSummary, mergeTraces } from './merge.js';

const VALID_ID = /^[0-9a-fA-F]{1,32}$/;

function useTraceById(id: string) {
  return useQuery({
    queryKey: ['trace', id.toLowerCase()],
    queryFn: ({ signal }) => fetchTrace(id, signal),
    enabled: VALID_ID.test(id),
    staleTime: 60_000,
  });
}

export function ComparePage() {
  const [params, update] = useQueryParams();
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const [draft, setDraft] = useState({ a, b });
  const ta = useTraceById(a);
  const tb = useTraceById(b);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    update({ a: draft.a.trim(), b: draft.b.trim() }, { replace: false });
  };
  const status = (id: string, q: ReturnType<typeof useTraceById>): string | undefined => {
    if (id === '') return 'choose a trace';
    if (!VALID_ID.test(id)) return `"${id}" is not a trace ID`;
    if (q.error) return errorMessage(q.error);
    if (q.isSuccess && q.data === null) return `trace ${id} not found`;
    return undefined;
  };
  const sa = status(a, ta);
  const sb = status(b, tb);
  return (
    <section className="page compare-page" data-page="compare">
      <h1>Compare traces</h1>
      <form className="compare-inputs" onSubmit={submit}>
        <label>
          Trace A <input value={draft.a} onChange={(e) => setDraft({ ...draft, a: e.target.value })} />
        </label>
        <label>
          Trace B <input value={draft.b} onChange={(e) => setDraft({ ...draft, b: e.target.value })} />
        </label>
        <button type="submit" className="primary">
          Compare
        </button>
      </form>
      {sa && <p className="field-error">A: {sa}</p>}
      {sb && <p className="field-error">B: {sb}</p>}
      {ta.data && tb.data && <Diff a={ta.data} b={tb.data} />}
      {(ta.isLoading || tb.isLoading) && <p className="muted">Loading…</p>}
    </section>
  );
}

function Diff(props: {
  a: NonNullable<Awaited<ReturnType<typeof fetchTrace>>>;
  b: NonNullable<Awaited<ReturnType<typeof fetchTrace>>>;
}) {
  const rows = useMemo(() => diffRows(mergeTraces(buildTree(props.a), buildTree(props.b))), [props.a, props.b]);
  const sum = diffSummary(rows);
  const [sa, sb] = [summarize(props.a), summarize(props.b)];
  return (
    <>
      <ul className="compare-heads">
        {[
          ['A', sa],
          ['B', sb],
        ].map(([label, s]) => {
          const t = s as typeof sa;
          return (
            <li key={label as string}>
              {label as string}:{' '}
              <Link to={`/trace/${t.traceID}`}>
                {t.rootService}: {t.rootOperation} {t.shortID}
              </Link>{' '}
              {formatDuration(t.durationUs)}, {t.spanCount} spans
            </li>
          );
        })}
      </ul>
      <p>
        {sum.both} nodes in both, {sum.onlyA} only in A, {sum.onlyB} only in B.
      </p>
      <table className="result-table diff-table" aria-label="Merged trees of A and B">
        <thead>
          <tr>
            <th>Service &amp; Operation</th>
            <th>In</th>
            <th>A spans</th>
            <th>A total</th>
            <th>B spans</th>
            <th>B total</th>
            <th>B − A</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} className={r.state === 'a' ? 'only-a' : r.state === 'b' ? 'only-b' : ''} data-state={r.state}>
              <td style={{ paddingLeft: 8 + r.depth * 14 }}>
                <span className="swatch" style={{ background: serviceColor(r.service) }} />
                {r.service} <span className="muted">{r.operation}</span>
              </td>
              <td>{r.state === 'both' ? 'both' : `only ${r.state.toUpperCase()}`}</td>
              <td className="num">{r.a?.count ?? ''}</td>
              <td className="num">{r.a ? formatDuration(r.a.totalUs) : ''}</td>
              <td className="num">{r.b?.count ?? ''}</td>
              <td className="num">{r.b ? formatDuration(r.b.totalUs) : ''}</td>
              <td className={`num ${r.diffUs > 0 ? 'slower' : r.diffUs < 0 ? 'faster' : ''}`}>
                {r.state === 'both' ? `${r.diffUs > 0 ? '+' : ''}${formatDuration(r.diffUs)}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
