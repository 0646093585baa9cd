// The search form's state: read from and written to the page's URL (a search is a link), checked
// field by field, and turned into the /api/traces query.
import { parseDuration } from './duration.js';
import { parseLogfmtTags } from './logfmt.js';

export interface SearchForm {
  readonly service: string;
  /** '' for all operations */
  readonly operation: string;
  /** logfmt text as typed */
  readonly tags: string;
  /** a LOOKBACKS value, or 'custom' for start/end */
  readonly lookback: string;
  readonly minDuration: string;
  readonly maxDuration: string;
  readonly limit: string;
  /** µs since the epoch, with lookback 'custom' */
  readonly start: string;
  readonly end: string;
}

export const LOOKBACKS: readonly { readonly value: string; readonly label: string; readonly ms: number }[] = [
  { value: '5m', label: 'Last 5 Minutes', ms: 5 * 60_000 },
  { value: '15m', label: 'Last 15 Minutes', ms: 15 * 60_000 },
  { value: '30m', label: 'Last 30 Minutes', ms: 30 * 60_000 },
  { value: '1h', label: 'Last Hour', ms: 3600_000 },
  { value: '2h', label: 'Last 2 Hours', ms: 2 * 3600_000 },
  { value: '3h', label: 'Last 3 Hours', ms: 3 * 3600_000 },
  { value: '6h', label: 'Last 6 Hours', ms: 6 * 3600_000 },
  { value: '12h', label: 'Last 12 Hours', ms: 12 * 3600_000 },
  { value: '24h', label: 'Last 24 Hours', ms: 24 * 3600_000 },
  { value: '2d', label: 'Last 2 Days', ms: 2 * 86400_000 },
  { value: '7d', label: 'Last 7 Days', ms: 7 * 86400_000 },
];

export const DEFAULT_FORM: SearchForm = {
  service: '',
  operation: '',
  tags: '',
  lookback: '1h',
  minDuration: '',
  maxDuration: '',
  limit: '20',
  start: '',
  end: '',
};

const FIELDS = Object.keys(DEFAULT_FORM) as (keyof SearchForm)[];

/** The form as the URL holds it (missing parameters take the defaults). */
export function formFromParams(params: URLSearchParams): SearchForm {
  const out: Record<string, string> = { ...DEFAULT_FORM };
  for (const f of FIELDS) {
    const v = params.get(f);
    if (v !== null) out[f] = v;
  }
  // a link with a time window and no lookback (a dashboard's "View traces") means that window
  if (params.get('lookback') === null && out['start'] !== '' && out['end'] !== '') out['lookback'] = 'custom';
  return out as unknown as SearchForm;
}

/** The URL parameters of a form: only what differs from the defaults, so links stay short. */
export function paramsFromForm(form: SearchForm): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const f of FIELDS) out[f] = form[f] === DEFAULT_FORM[f] ? undefined : form[f];
  if (form.lookback !== 'custom') {
    out['start'] = undefined;
    out['end'] = undefined;
  }
  return out;
}

export type FieldErrors = Partial<Record<keyof SearchForm, string>>;

export type ApiQuery =
  { readonly ok: true; readonly params: URLSearchParams } | { readonly ok: false; readonly errors: FieldErrors };

/** The /api/traces query of a form at wall-clock nowMs, or what is wrong, field by field. */
export function apiQuery(form: SearchForm, nowMs: number): ApiQuery {
  const errors: FieldErrors = {};
  if (form.service === '') errors.service = 'choose a service';
  const tags = parseLogfmtTags(form.tags);
  if (!tags.ok) errors.tags = tags.error;
  const min = form.minDuration.trim() === '' ? undefined : parseDuration(form.minDuration);
  const max = form.maxDuration.trim() === '' ? undefined : parseDuration(form.maxDuration);
  if (min && !min.ok) errors.minDuration = min.error;
  if (max && !max.ok) errors.maxDuration = max.error;
  if (min?.ok && max?.ok && max.us < min.us) errors.maxDuration = 'must not be below Min Duration';
  const limit = Number(form.limit);
  if (!/^\d+$/.test(form.limit.trim()) || limit < 1 || limit > 1500) errors.limit = 'a whole number from 1 to 1500';
  let startUs: number;
  let endUs: number;
  if (form.lookback === 'custom') {
    startUs = Number(form.start);
    endUs = Number(form.end);
    if (!Number.isSafeInteger(startUs) || !Number.isSafeInteger(endUs) || startUs > endUs || form.start === '')
      errors.lookback = 'the custom range needs a start before its end';
  } else {
    const lb = LOOKBACKS.find((l) => l.value === form.lookback);
    if (!lb) errors.lookback = `unknown lookback "${form.lookback}"`;
    endUs = Math.floor(nowMs * 1000);
    startUs = endUs - (lb?.ms ?? 0) * 1000;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const p = new URLSearchParams();
  p.set('service', form.service);
  if (form.operation !== '') p.set('operation', form.operation);
  if (tags.ok && Object.keys(tags.tags).length > 0) p.set('tags', JSON.stringify(tags.tags));
  p.set('start', String(startUs));
  p.set('end', String(endUs));
  if (min?.ok) p.set('minDuration', `${Math.round(min.us)}us`);
  if (max?.ok) p.set('maxDuration', `${Math.round(max.us)}us`);
  p.set('limit', String(limit));
  return { ok: true, params: p };
}
