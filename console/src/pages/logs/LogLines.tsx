// Log lines as a list: time, level (coloured), service and the line, every one as text; a click
// opens its labels, structured metadata and parsed labels, and a line with a trace ID links to
// the trace with its span selected. Shared by the Logs page and the dashboards' logs panel.
import { useState } from 'react';
import { Link } from 'react-router';
import { LEVEL_COLORS, traceHref, type LogLine } from './model.js';
import './logs.css';

function timeText(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function Fields(props: { title: string; fields: Readonly<Record<string, string>> }) {
  const entries = Object.entries(props.fields);
  if (entries.length === 0) return null;
  return (
    <section>
      <h4>{props.title}</h4>
      <table className="kv-table" aria-label={props.title}>
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td data-key={k}>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Line(props: { line: LogLine; expanded: boolean; onToggle: () => void }) {
  const { line } = props;
  return (
    <li
      className={`log-line level-${line.level}${props.expanded ? ' expanded' : ''}`}
      style={{ borderLeftColor: LEVEL_COLORS[line.level] }}
      data-level={line.level}
      data-trace-id={line.traceId ?? ''}
      data-span-id={line.spanId ?? ''}
    >
      <button type="button" className="log-row" aria-expanded={props.expanded} onClick={props.onToggle}>
        <span className="log-time">{timeText(line.timeMs)}</span>
        <span className="log-level" style={{ color: LEVEL_COLORS[line.level] }}>
          {line.level}
        </span>
        {line.service !== undefined && <span className="log-service">{line.service}</span>}
        <span className="log-text">{line.line}</span>
      </button>
      {line.traceId !== undefined && (
        <Link className="log-trace-link" to={traceHref(line.traceId, line.spanId)}>
          View trace
        </Link>
      )}
      {props.expanded && (
        <div className="log-detail">
          <Fields title="Labels" fields={line.labels} />
          <Fields title="Structured metadata" fields={line.metadata} />
          <Fields title="Parsed labels" fields={line.parsed} />
        </div>
      )}
    </li>
  );
}

export function LogLines(props: { lines: readonly LogLine[]; label: string }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (key: string): void =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  return (
    <ol className="log-lines" aria-label={props.label}>
      {props.lines.map((l) => (
        <Line key={l.key} line={l} expanded={open.has(l.key)} onToggle={() => toggle(l.key)} />
      ))}
    </ol>
  );
}
