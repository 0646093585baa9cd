// A span's detail, opened under its waterfall row: attributes as a key/value table with typed
// values (long ones folded), the process (resource), events with their offsets and attributes,
// status, links, and copyable span and parent IDs. Everything is rendered as text.
import { useState } from 'react';
import { Link } from 'react-router';
import type { JaegerKeyValue } from '../../api/traces.js';
import { spanLogsHref } from '../logs/model.js';
import { formatDuration } from '../search/duration.js';
import type { SpanNode, TraceTree } from './tree.js';
import { displayValue } from './values.js';

export function KeyValueTable(props: { items: readonly JaegerKeyValue[]; label: string }) {
  if (props.items.length === 0) return <p className="muted">none</p>;
  return (
    <table className="kv-table" aria-label={props.label}>
      <tbody>
        {props.items.map((kv, i) => {
          const v = displayValue(kv);
          return (
            <tr key={`${kv.key}:${i}`}>
              <th scope="row">{kv.key}</th>
              <td className={`value-${v.kind}`} data-key={kv.key}>
                {v.preview ? (
                  <details>
                    <summary>{v.preview}</summary>
                    <pre>{v.text}</pre>
                  </details>
                ) : v.kind === 'json' ? (
                  <pre>{v.text}</pre>
                ) : (
                  v.text
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function CopyId(props: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-id">
      {props.label}: <code>{props.value}</code>{' '}
      <button
        type="button"
        aria-label={`Copy ${props.label}`}
        onClick={() => {
          void navigator.clipboard?.writeText(props.value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

export function SpanDetail(props: { tree: TraceTree; node: SpanNode }) {
  const { node, tree } = props;
  const span = node.span;
  const parent = node.parent >= 0 ? tree.nodes[node.parent]!.span.spanID : undefined;
  const status = span.tags.filter((t) => t.key === 'otel.status_code' || t.key === 'otel.status_description');
  const links = span.references.filter((r) => r.refType === 'FOLLOWS_FROM');
  return (
    <div className="span-detail" role="region" aria-label={`Span ${span.operationName}`}>
      <div className="detail-head">
        <h3>{span.operationName}</h3>
        <span>
          Service: <strong>{node.service}</strong> · Duration: <strong>{formatDuration(span.duration)}</strong> · Start
          Time: <strong>{formatDuration(node.offsetUs)}</strong>
        </span>
        <Link to={`/monitor?service=${encodeURIComponent(node.service)}`}>Monitor {node.service}</Link>
        <Link to={spanLogsHref(node.service, span.spanID, span.startTime, span.duration)}>Logs for this span</Link>
      </div>
      {node.orphan && <p className="panel-note">Its parent span is not in this trace (not arrived, or dropped).</p>}
      {node.clockSkew && (
        <p className="panel-note">Outside its parent&apos;s time: the hosts&apos; clocks may disagree.</p>
      )}
      {status.length > 0 && (
        <section>
          <h4>Status</h4>
          <KeyValueTable items={status} label="Status" />
        </section>
      )}
      <section>
        <h4>Attributes</h4>
        <KeyValueTable items={span.tags} label="Attributes" />
      </section>
      <section>
        <h4>Process</h4>
        <KeyValueTable
          items={[{ key: 'service.name', type: 'string', value: node.service }, ...(node.process?.tags ?? [])]}
          label="Process"
        />
      </section>
      <section>
        <h4>Events ({span.logs.length})</h4>
        {span.logs.length === 0 && <p className="muted">none</p>}
        <ol className="events">
          {span.logs.map((log, i) => (
            <li key={i}>
              <span className="muted">{formatDuration(log.timestamp - tree.startUs)}</span>{' '}
              <KeyValueTable items={log.fields} label={`Event ${i + 1}`} />
            </li>
          ))}
        </ol>
      </section>
      {links.length > 0 && (
        <section>
          <h4>Links</h4>
          <ul>
            {links.map((l, i) => (
              <li key={i}>
                <Link to={`/trace/${encodeURIComponent(l.traceID)}`}>
                  trace {l.traceID.slice(0, 7)}, span {l.spanID}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      <p className="ids">
        <CopyId label="Span ID" value={span.spanID} />
        {parent && <CopyId label="Parent ID" value={parent} />}
        <CopyId label="Trace ID" value={span.traceID} />
      </p>
    </div>
  );
}
