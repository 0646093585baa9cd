import { useState } from 'react';
import { resolveTime } from '../model/time.js';

const QUICK = [
  { from: 'now-5m', label: 'Last 5 minutes' },
  { from: 'now-15m', label: 'Last 15 minutes' },
  { from: 'now-1h', label: 'Last 1 hour' },
  { from: 'now-6h', label: 'Last 6 hours' },
] as const;

export const REFRESH_OPTIONS = ['', '5s', '10s', '30s'] as const;

/** Time range (quick ranges or a custom from/to) and auto-refresh, Grafana-style. */
export function TimePicker(props: {
  from: string;
  to: string;
  refresh: string;
  onRange: (from: string, to: string) => void;
  onRefresh: (refresh: string) => void;
  onRefreshNow: () => void;
}) {
  const isQuick = props.to === 'now' && QUICK.some((q) => q.from === props.from);
  const [custom, setCustom] = useState(!isQuick);
  const [draftFrom, setDraftFrom] = useState(props.from);
  const [draftTo, setDraftTo] = useState(props.to);
  const valid = resolveTime(draftFrom, Date.now()) !== undefined && resolveTime(draftTo, Date.now()) !== undefined;
  return (
    <div className="timepicker">
      <label>
        <span className="sr-only">Time range</span>
        <select
          aria-label="Time range"
          value={custom ? 'custom' : props.from}
          onChange={(e) => {
            if (e.target.value === 'custom') {
              setCustom(true);
              return;
            }
            setCustom(false);
            props.onRange(e.target.value, 'now');
          }}
        >
          {QUICK.map((q) => (
            <option key={q.from} value={q.from}>
              {q.label}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
      </label>
      {custom && (
        <form
          className="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) props.onRange(draftFrom, draftTo);
          }}
        >
          <input
            aria-label="From"
            value={draftFrom}
            onChange={(e) => setDraftFrom(e.target.value)}
            placeholder="now-2h or 2026-11-24T10:00:00Z"
          />
          <input aria-label="To" value={draftTo} onChange={(e) => setDraftTo(e.target.value)} placeholder="now" />
          <button type="submit" disabled={!valid}>
            Apply
          </button>
        </form>
      )}
      <button type="button" onClick={props.onRefreshNow} title="Refresh now" aria-label="Refresh now">
        ⟳
      </button>
      <select aria-label="Auto-refresh" value={props.refresh} onChange={(e) => props.onRefresh(e.target.value)}>
        {REFRESH_OPTIONS.map((r) => (
          <option key={r} value={r}>
            {r === '' ? 'Off' : r}
          </option>
        ))}
      </select>
    </div>
  );
}
