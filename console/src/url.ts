// URL state on top of react-router: the URL is the state (page, dashboard, query, time range), so
// every view can be shared by copying the address.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export type ParamChanges = Readonly<Record<string, string | undefined>>;

/** The query string after applying changes (undefined or '' removes a parameter). */
export function withParams(current: URLSearchParams, changes: ParamChanges): URLSearchParams {
  const next = new URLSearchParams(current);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  return next;
}

/** The current query parameters and a setter that changes some of them (replacing history by default). */
export function useQueryParams(): [URLSearchParams, (changes: ParamChanges, opts?: { replace?: boolean }) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: ParamChanges, opts: { replace?: boolean } = { replace: true }) =>
      setParams((current) => withParams(current, changes), { replace: opts.replace ?? true }),
    [setParams],
  );
  return [params, update];
}
