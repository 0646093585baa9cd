// Findings (/diagnosis/findings): what changed in each service in the window (memory rising,
// restarts, p99 latency or error rate shifted), the flag changes of that window, and a link to
// the attribute comparison of the service with its slow spans preselected. Asked again every 15 s.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { fetchFindings, type Finding } from '../../../api/diagnosis.js';
import { errorMessage, pollEvery } from '../../../api/queryClient.js';
import { useQueryParams } from '../../../url.js';
import '../compare/compare.css';
import {
  clockText,
  compareLink,
  FINDINGS_LOOKBACKS,
  FINDINGS_REFRESH_MS,
  findingKey,
  findingsLookback,
  flagLink,
  kindLabel,
  lookbackLabel,
  slopeText,
} from './model.js';

export function FindingsPage() {
  const [params, update] = useQueryParams();
  const lookback = findingsLookback(params);
  const findings = useQuery({
    queryKey: ['diagnosis-findings', lookback],
    queryFn: ({ signal }) => fetchFindings(lookback, signal),
    refetchInterval: pollEvery(FINDINGS_REFRESH_MS),
  });
  return (
    <section className="page findings-page" data-page="diagnosis-findings">
      <h1>Findings</h1>
      <p className="muted">
        Every service's memory (a Theil–Sen trend robust to garbage collections), restarts, p99 latency and error rate
        over the window, with the flag changes made in it. Refreshed every 15 seconds.
      </p>
      <label className="findings-lookback">
        Window{' '}
        <select value={lookback} onChange={(e) => update({ lookback: e.target.value })}>
          {FINDINGS_LOOKBACKS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      {findings.error && (
        <p className="panel-error" role="alert">
          Could not load the findings: {errorMessage(findings.error)}
        </p>
      )}
      {!findings.data && !findings.error && <p className="muted">Looking…</p>}
      {findings.data && findings.data.length === 0 && (
        <p className="panel-note findings-empty" role="status">
          No findings in the {lookbackLabel(lookback)}: no service's memory is rising, none restarted, and no p99
          latency or error rate moved away from its own recent past.
        </p>
      )}
      {findings.data && findings.data.length > 0 && (
        <ol className="findings">
          {findings.data.map((f) => (
            <FindingItem key={findingKey(f)} finding={f} />
          ))}
        </ol>
      )}
    </section>
  );
}

function FindingItem(props: { finding: Finding }) {
  const f = props.finding;
  const link = compareLink(f);
  const slope = slopeText(f.slopeBytesPerMin);
  return (
    <li className="finding" data-service={f.service} data-kind={f.kind}>
      <p className="finding-summary">
        <span className="finding-kind">{kindLabel(f.kind)}</span> {f.summary}
      </p>
      <dl className="finding-facts">
        <dt>Service</dt>
        <dd>{f.service}</dd>
        <dt>Since</dt>
        <dd>
          <time dateTime={Number.isFinite(f.since) ? new Date(f.since).toISOString() : undefined}>
            {clockText(f.since)}
          </time>
        </dd>
        {slope !== '' && (
          <>
            <dt>Slope</dt>
            <dd className="finding-slope">{slope}</dd>
          </>
        )}
        <dt>Restarts</dt>
        <dd className="finding-restarts">{f.restarts}</dd>
        <dt>Flag changes</dt>
        <dd>
          {f.flagChanges.length === 0 ? (
            <span className="muted">none in this window</span>
          ) : (
            <ul className="finding-flags">
              {f.flagChanges.map((c) => (
                <li key={`${c.flag}\u0000${c.at}`} data-flag={c.flag}>
                  <Link to={flagLink(c.flag)}>{c.flag}</Link> → {c.value} at {clockText(c.at)}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      {link && (
        <Link to={link} className="finding-compare">
          Compare the slowest spans of {f.service} in this window
        </Link>
      )}
    </li>
  );
}
