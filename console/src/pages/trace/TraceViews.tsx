// The views beside the timeline: statistics per service and operation, a table of every span, a
// flame graph and the raw JSON as the API returned it.
import { useMemo, useState } from 'react';
import type { JaegerTrace } from '../../api/traces.js';
import { serviceColor } from '../../model/serviceColor.js';
import { formatDuration } from '../search/duration.js';
import { flameLayout } from './flame.js';
import { selfTimeUs } from './selfTime.js';
import { sortStats, traceStats, type StatsColumn } from './stats.js';
import type { TraceTree } from './tree.js';

const STAT_COLUMNS: readonly { key: StatsColumn; label: string; time?: boolean; percent?: boolean }[] = [
  { key: 'service', label: 'Service' },
  { key: 'operation', label: 'Operation' },
  { key: 'count', label: 'Count' },
  { key: 'totalUs', label: 'Total', time: true },
  { key: 'avgUs', label: 'Avg', time: true },
  { key: 'minUs', label: 'Min', time: true },
  { key: 'maxUs', label: 'Max', time: true },
  { key: 'selfTotalUs', label: 'Self Total', time: true },
  { key: 'selfAvgUs', label: 'Self Avg', time: true },
  { key: 'selfMinUs', label: 'Self Min', time: true },
  { key: 'selfMaxUs', label: 'Self Max', time: true },
  { key: 'selfPercent', label: 'Self in Duration', percent: true },
];

export function StatisticsTable(props: { tree: TraceTree }) {
  const all = useMemo(() => traceStats(props.tree), [props.tree]);
  const [by, setBy] = useState<{ key: StatsColumn; desc: boolean }>({ key: 'totalUs', desc: true });
  const rows = sortStats(all, by.key, by.desc);
  return (
    <table className="result-table stats-table" aria-label="Trace statistics">
      <thead>
        <tr>
          {STAT_COLUMNS.map((c) => (
            <th key={c.key} aria-sort={by.key === c.key ? (by.desc ? 'descending' : 'ascending') : undefined}>
              <button type="button" onClick={() => setBy({ key: c.key, desc: by.key === c.key ? !by.desc : true })}>
                {c.label}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.service}\u0000${r.operation}`}>
            {STAT_COLUMNS.map((c) => {
              const v = r[c.key];
              const text =
                typeof v === 'string' ? v : c.time ? formatDuration(v) : c.percent ? `${v.toFixed(2)}%` : String(v);
              return (
                <td key={c.key} className={typeof v === 'number' ? 'num' : undefined}>
                  {c.key === 'service' && <span className="swatch" style={{ background: serviceColor(r.service) }} />}
                  {text}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SpansTable(props: { tree: TraceTree }) {
  const { tree } = props;
  const [by, setBy] = useState<'start' | 'duration' | 'self'>('start');
  const rows = useMemo(() => {
    const r = tree.nodes.map((n, i) => ({ n, self: selfTimeUs(tree, i) }));
    if (by === 'duration') r.sort((a, b) => b.n.span.duration - a.n.span.duration);
    if (by === 'self') r.sort((a, b) => b.self - a.self);
    if (by === 'start') r.sort((a, b) => a.n.offsetUs - b.n.offsetUs);
    return r;
  }, [tree, by]);
  return (
    <>
      <label>
        Order{' '}
        <select value={by} onChange={(e) => setBy(e.target.value as typeof by)}>
          <option value="start">by start</option>
          <option value="duration">longest first</option>
          <option value="self">most self time first</option>
        </select>
      </label>
      <table className="result-table" aria-label="Spans">
        <thead>
          <tr>
            <th>Service</th>
            <th>Operation</th>
            <th>Span ID</th>
            <th>Start</th>
            <th>Duration</th>
            <th>Self time</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ n, self }) => (
            <tr key={`${n.span.spanID}:${n.index}`}>
              <td>
                <span className="swatch" style={{ background: serviceColor(n.service) }} />
                {n.service}
              </td>
              <td>{n.span.operationName}</td>
              <td>
                <code>{n.span.spanID}</code>
              </td>
              <td className="num">{formatDuration(n.offsetUs)}</td>
              <td className="num">{formatDuration(n.span.duration)}</td>
              <td className="num">{formatDuration(self)}</td>
              <td>{n.error ? 'error' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const FLAME_ROW = 20;

export function FlameGraph(props: { tree: TraceTree; onOpen: (spanID: string) => void }) {
  const { rects, hidden } = useMemo(() => flameLayout(props.tree, 0.0005), [props.tree]);
  return (
    <div>
      <div className="flame" style={{ height: props.tree.depth * FLAME_ROW }}>
        {rects.map((r) => {
          const n = props.tree.nodes[r.node]!;
          return (
            <button
              type="button"
              key={r.node}
              className="flame-rect"
              title={`${n.service} ${n.span.operationName} ${formatDuration(n.span.duration)}`}
              style={{
                left: `${r.x * 100}%`,
                width: `${r.width * 100}%`,
                top: r.depth * FLAME_ROW,
                background: serviceColor(n.service),
              }}
              onClick={() => props.onOpen(n.span.spanID)}
            >
              {n.service} {n.span.operationName}
            </button>
          );
        })}
      </div>
      {hidden > 0 && <p className="muted">{hidden} spans too short to draw at this width.</p>}
    </div>
  );
}

export function RawJson(props: { trace: JaegerTrace }) {
  const text = useMemo(() => JSON.stringify(props.trace, null, 2), [props.trace]);
  return (
    <div>
      <a href={`/api/traces/${encodeURIComponent(props.trace.traceID)}`} target="_blank" rel="noreferrer">
        Open the API response
      </a>
      <pre className="raw-json">{text}</pre>
    </div>
  );
}
