// Flags: every flag with its description, current setting and a switch (a slider for the share of
// "on"). A change shows at once (optimistic), and the flag service records it as an annotation,
// so the dashboards' charts get a marker: their annotation queries are refreshed here.
import { useMutation, useMutationState, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { fetchFlags, setFlag, type Flag, type FlagValue } from '../../api/flags.js';
import { errorMessage } from '../../api/queryClient.js';
import { describeValue, flagControl, formatPercent, probabilityFromPercent, withValue } from './model.js';

const FLAGS_KEY = ['flags'] as const;

export function FlagsPage() {
  const client = useQueryClient();
  const flags = useQuery({ queryKey: FLAGS_KEY, queryFn: ({ signal }) => fetchFlags(signal), refetchInterval: 5000 });
  const change = useMutation({
    mutationKey: FLAGS_KEY,
    mutationFn: (c: { key: string; value: FlagValue }) => setFlag(c.key, c.value),
    // Changes are sent one after another, so the last one made is the one that stays.
    scope: { id: 'flag-changes' },
    onMutate: async (c) => {
      await client.cancelQueries({ queryKey: FLAGS_KEY });
      const before = client.getQueryData<Flag[]>(FLAGS_KEY);
      if (before) client.setQueryData(FLAGS_KEY, withValue(before, c.key, c.value));
      return { before };
    },
    onError: (_e, _c, ctx) => {
      if (ctx?.before) client.setQueryData(FLAGS_KEY, ctx.before);
    },
    onSettled: () => {
      // Refetch once the last queued change is done: an earlier answer would undo a later change.
      if (client.isMutating({ mutationKey: FLAGS_KEY }) > 1) return;
      void client.invalidateQueries({ queryKey: FLAGS_KEY });
      void client.invalidateQueries({ queryKey: ['annotations'] });
    },
  });

  // Keys whose change is still on its way to the flag service: shown as "saving…" (queued
  // changes wait in one scope, so a key may be pending before its request is sent).
  const saving = new Set(
    useMutationState({
      filters: { mutationKey: FLAGS_KEY, status: 'pending' },
      select: (m) => (m.state.variables as { key: string } | undefined)?.key,
    }),
  );

  return (
    <section className="page flags">
      <h1>Flags</h1>
      <p className="muted">
        Feature flags of the demo shop, served by its flag service. A change takes effect within seconds and leaves a
        marker on the dashboards' charts.
      </p>
      {flags.error && (
        <p className="panel-error" role="alert">
          Could not load the flags: {errorMessage(flags.error)}
        </p>
      )}
      {change.error && (
        <p className="panel-error" role="alert">
          Could not change {change.variables?.key}: {errorMessage(change.error)}
        </p>
      )}
      {!flags.data && !flags.error && <p className="muted">Loading…</p>}
      {flags.data && flags.data.length === 0 && <p className="muted">The flag service has no flags.</p>}
      {flags.data && flags.data.length > 0 && (
        <table className="flag-table">
          <thead>
            <tr>
              <th>Flag</th>
              <th>Description</th>
              <th>Current</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {flags.data.map((f) => (
              <tr key={f.key} data-flag={f.key}>
                <td className="flag-key">
                  <code>{f.key}</code>
                </td>
                <td>
                  {f.description}
                  {f.customTargeting && <div className="muted">Has its own targeting rule; a change replaces it.</div>}
                </td>
                <td className="flag-value" data-value={String(f.value)} data-saving={saving.has(f.key) || undefined}>
                  {describeValue(f.value)}
                  {saving.has(f.key) && <span className="muted"> (saving…)</span>}
                </td>
                <td>
                  <FlagEditor flag={f} onChange={(value) => change.mutate({ key: f.key, value })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function FlagEditor(props: { flag: Flag; onChange: (value: FlagValue) => void }) {
  const { flag } = props;
  const control = flagControl(flag);
  if (control.kind === 'variants') {
    return (
      <select aria-label={flag.key} value={control.current} onChange={(e) => props.onChange(e.target.value)}>
        {control.variants.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  }
  return (
    <div className="flag-editor">
      <button
        type="button"
        role="switch"
        aria-checked={control.on}
        aria-label={flag.key}
        className={`switch ${control.on ? 'on' : ''}`}
        onClick={() => props.onChange(control.on ? 'off' : 'on')}
      >
        <span className="switch-knob" aria-hidden="true" />
      </button>
      <ShareSlider flag={flag} probability={control.probability ?? (control.on ? 1 : 0)} onChange={props.onChange} />
    </div>
  );
}

/** How long the slider waits after the last move before it sends the share. */
const SLIDER_SETTLE_MS = 400;

/**
 * The share of evaluations answering "on". Sent once the thumb has rested (not on every step),
 * and the server's value does not move the thumb while the user is still moving it.
 */
function ShareSlider(props: { flag: Flag; probability: number; onChange: (value: FlagValue) => void }) {
  const [draft, setDraft] = useState(props.probability * 100);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (timer.current === undefined) setDraft(props.probability * 100);
  }, [props.probability]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const commit = (percent: number): void => {
    window.clearTimeout(timer.current);
    timer.current = undefined;
    const p = probabilityFromPercent(percent);
    if (p !== props.probability) props.onChange(p === 1 ? 'on' : p === 0 ? 'off' : p);
  };
  return (
    <label className="flag-share">
      <input
        type="range"
        min={0}
        max={100}
        step={1}
        value={draft}
        aria-label={`${props.flag.key} share on`}
        aria-valuetext={`${formatPercent(draft / 100)} on`}
        onChange={(e) => {
          const percent = Number(e.target.value);
          setDraft(percent);
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => commit(percent), SLIDER_SETTLE_MS);
        }}
        onBlur={() => {
          if (timer.current !== undefined) commit(draft);
        }}
      />
      <span className="muted">{formatPercent(draft / 100)}</span>
    </label>
  );
}
