// The search form's state: read from and written to the page's URL (a search is a link), checked
// field by field, and turned into the /api/traces query. The scope (service, operation, tags,
// window) and the duration range are checked here for the attribute comparison's form too.
import { parseDuration } from './duration.js';
import { parseLogfmtTags } from './logfmt.js';

/** The fields every span search has (the trace search's and the attribute comparison's). */
export interface SearchScope {
  readonly service: string;
  /** '' for all operations */
  readonly operation: string;
  /** logfmt text as typed */
  readonly tags: string;
  /** a LOOKBACKS value, or 'custom' for start/end */
  readonly lookback: string;
  /** µs since the epoch, with lookback 'custom' */
  readonly start: string;
  readonly end: string;
}

/** Min/Max Duration as typed: Go-style durations (1.2s, 300ms, 500us). */
export interface DurationRange {
  readonly minDuration: string;
  readonly maxDuration: string;
}

/** A checked SearchScope: the spans of a service (and operation) with these tags in a window. */
export interface SearchWindow {
  readonly service: string;
  readonly operation: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly startUs: number;
  readonly endUs: number;
}

export interface SearchForm extends SearchScope, DurationRange {
  readonly limit: string;
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

/** What is wrong with a form's fields, by field. */
export type FieldErrorsOf<F> = Partial<Record<keyof F, string>>;

export type FieldErrors = FieldErrorsOf<SearchForm>;

/**
 * The window a scope searches, a relative lookback ending at nowMs; what is wrong goes into
 * `errors` by field (the window is then not to be used).
 */
export function checkScope(form: SearchScope, nowMs: number, errors: FieldErrorsOf<SearchScope>): SearchWindow {
  if (form.service === '') errors.service = 'choose a service';
  const tags = parseLogfmtTags(form.tags);
  if (!tags.ok) errors.tags = tags.error;
  let startUs = 0;
  let endUs = 0;
  if (form.lookback === 'custom') {
    startUs = Number(form.start);
    endUs = Number(form.end);
    if (!/^\d+$/.test(form.start) || !/^\d+$/.test(form.end) || !Number.isSafeInteger(endUs) || startUs > endUs)
      errors.lookback = 'the custom range needs a start before its end (µs since the epoch)';
  } else {
    const lb = LOOKBACKS.find((l) => l.value === form.lookback);
    if (!lb) errors.lookback = `unknown lookback "${form.lookback}"`;
    endUs = Math.floor(nowMs * 1000);
    startUs = endUs - (lb?.ms ?? 0) * 1000;
  }
  return { service: form.service, operation: form.operation, tags: tags.ok ? tags.tags : {}, startUs, endUs };
}

/** The API parameters of a window (/api/traces and /api/orrery/v1/compare read them alike). */
export function windowParams(w: SearchWindow): URLSearchParams {
  const p = new URLSearchParams();
  p.set('service', w.service);
  if (w.operation !== '') p.set('operation', w.operation);
  if (Object.keys(w.tags).length > 0) p.set('tags', JSON.stringify(w.tags));
  p.set('start', String(w.startUs));
  p.set('end', String(w.endUs));
  return p;
}

/** Min and Max Duration in µs (undefined when empty or wrong; what is wrong goes into `errors`). */
export function checkDurations(
  form: DurationRange,
  errors: FieldErrorsOf<DurationRange>,
  minRequired = false,
): { readonly minUs?: number; readonly maxUs?: number } {
  const us = (k: keyof DurationRange, required: boolean): number | undefined => {
    if (form[k].trim() === '') {
      if (required) errors[k] = 'a duration, e.g. 1.2s or 300ms';
      return undefined;
    }
    const d = parseDuration(form[k]);
    if (!d.ok) errors[k] = d.error;
    return d.ok ? d.us : undefined;
  };
  const minUs = us('minDuration', minRequired);
  const maxUs = us('maxDuration', false);
  if (minUs !== undefined && maxUs !== undefined && maxUs < minUs)
    errors.maxDuration = 'must not be below Min Duration';
  return { minUs, maxUs };
}

/** A duration in µs as the APIs read it. */
export const usText = (us: number): string => `${Math.round(us)}us`;

export type ApiQuery =
  { readonly ok: true; readonly params: URLSearchParams } | { readonly ok: false; readonly errors: FieldErrors };

/** The /api/traces query of a form at wall-clock nowMs, or what is wrong, field by field. */
export function apiQuery(form: SearchForm, nowMs: number): ApiQuery {
  const errors: FieldErrors = {};
  const window = checkScope(form, nowMs, errors);
  const { minUs, maxUs } = checkDurations(form, errors);
  const limit = Number(form.limit);
  if (!/^\d+$/.test(form.limit.trim()) || limit < 1 || limit > 1500) errors.limit = 'a whole number from 1 to 1500';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const p = windowParams(window);
  if (minUs !== undefined) p.set('minDuration', usText(minUs));
  if (maxUs !== undefined) p.set('maxDuration', usText(maxUs));
  p.set('limit', String(limit));
  return { ok: true, params: p };
}
