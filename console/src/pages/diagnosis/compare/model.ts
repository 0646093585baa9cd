// The comparison page's pure parts: its URL (the API's own parameters, so a page address and an
// API query are the same thing), the form read from it and checked, the spans drawn on the
// scatter plot, the brushed region, the bars and histograms, and the trace-search link a value
// opens.
import type { HistogramBin } from '../../../api/diagnosis.js';
import type { JaegerTrace } from '../../../api/traces.js';
import { parseDuration } from '../../search/duration.js';
import {
  checkDurations,
  checkScope,
  usText,
  windowParams,
  type DurationRange,
  type FieldErrorsOf,
  type SearchScope,
  type SearchWindow,
} from '../../search/form.js';
import { formatLogfmtTags, parseLogfmtTags } from '../../search/logfmt.js';
import { isErrorSpan, type TraceSummary } from '../../search/results.js';
import type { BrushRegion } from '../../search/scatter.js';

/** The comparison's pseudo-attribute for the span name (src/diagnosis/compare.ts). */
export const SPAN_NAME_KEY = 'span.name';

export type SelectKind = 'slowest' | 'errors' | 'duration' | 'region';
export const SELECT_KINDS: readonly { readonly value: SelectKind; readonly label: string }[] = [
  { value: 'slowest', label: 'Slowest %' },
  { value: 'errors', label: 'With errors' },
  { value: 'duration', label: 'Duration threshold' },
  { value: 'region', label: 'Brushed region' },
];

/** The search (the tags typed as logfmt; the URL holds the API's JSON) and a selection inside it. */
export interface CompareForm extends SearchScope, DurationRange {
  readonly select: SelectKind;
  readonly percent: string;
  /** µs since the epoch: the brushed region's start times */
  readonly regionStart: string;
  readonly regionEnd: string;
}

export const DEFAULT_COMPARE_FORM: CompareForm = {
  service: '',
  operation: '',
  tags: '',
  lookback: '15m',
  start: '',
  end: '',
  select: 'slowest',
  percent: '5',
  minDuration: '',
  maxDuration: '',
  regionStart: '',
  regionEnd: '',
};

function isSelectKind(s: string): s is SelectKind {
  return SELECT_KINDS.some((k) => k.value === s);
}

/** The API's tags (a JSON object) as logfmt text; text that is not such JSON is kept as it is. */
function tagsText(json: string): string {
  try {
    const v: unknown = JSON.parse(json);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const tags: Record<string, string> = {};
      for (const [k, x] of Object.entries(v)) tags[k] = typeof x === 'string' ? x : JSON.stringify(x);
      return formatLogfmtTags(tags);
    }
  } catch {
    // not JSON: shown as typed, the check below names what is wrong
  }
  return json;
}

/** The form as the page's URL holds it (missing parameters take the defaults). */
export function formFromParams(params: URLSearchParams): CompareForm {
  const get = (k: string, d: string): string => params.get(k) ?? d;
  const d = DEFAULT_COMPARE_FORM;
  const start = get('start', '');
  const end = get('end', '');
  const select = get('select', d.select);
  return {
    service: get('service', ''),
    operation: get('operation', ''),
    tags: tagsText(get('tags', '')),
    // a window given by start and end (a finding's link) is a custom range
    lookback: params.get('lookback') ?? (start !== '' && end !== '' ? 'custom' : d.lookback),
    start,
    end,
    select: isSelectKind(select) ? select : d.select,
    percent: get('percent', d.percent),
    minDuration: get('minDuration', ''),
    maxDuration: get('maxDuration', ''),
    regionStart: get('regionStart', ''),
    regionEnd: get('regionEnd', ''),
  };
}

export type FieldErrors = FieldErrorsOf<CompareForm>;

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldErrors };

export type { SearchWindow };

export interface CheckedForm {
  readonly window: SearchWindow;
  /** the /api/orrery/v1/compare query */
  readonly api: URLSearchParams;
}

/** Checks the form field by field; with lookback, the window ends at nowMs. */
export function checkForm(form: CompareForm, nowMs: number): Checked<CheckedForm> {
  const errors: FieldErrors = {};
  const window = checkScope(form, nowMs, errors);
  const api = windowParams(window);
  api.set('select', form.select);
  if (form.select === 'slowest') {
    const p = Number(form.percent);
    if (!/^\d+(\.\d+)?$/.test(form.percent.trim()) || !(p > 0 && p < 100))
      errors.percent = 'a number above 0 and below 100';
    else api.set('percent', form.percent.trim());
  } else if (form.select === 'duration' || form.select === 'region') {
    const { minUs, maxUs } = checkDurations(form, errors, form.select === 'duration');
    if (minUs !== undefined) api.set('minDuration', usText(minUs));
    if (maxUs !== undefined) api.set('maxDuration', usText(maxUs));
    if (form.select === 'region') {
      const a = Number(form.regionStart);
      const b = Number(form.regionEnd);
      if (!/^\d+$/.test(form.regionStart) || !/^\d+$/.test(form.regionEnd) || b < a)
        errors.regionStart = 'brush a region on the scatter plot';
      else {
        api.set('regionStart', form.regionStart);
        api.set('regionEnd', form.regionEnd);
      }
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { window, api } };
}

/** The URL parameters of a form: the API's own, only what the selection uses, defaults left out. */
export function paramsFromForm(form: CompareForm): Record<string, string | undefined> {
  const tags = parseLogfmtTags(form.tags);
  const custom = form.lookback === 'custom';
  const uses = (k: SelectKind[]): boolean => k.includes(form.select);
  return {
    service: form.service || undefined,
    operation: form.operation || undefined,
    // tags that do not parse stay as typed, so the page can say what is wrong with them
    tags: !tags.ok ? form.tags : Object.keys(tags.tags).length > 0 ? JSON.stringify(tags.tags) : undefined,
    lookback: custom ? undefined : form.lookback,
    start: custom ? form.start : undefined,
    end: custom ? form.end : undefined,
    select: form.select,
    percent: uses(['slowest']) ? form.percent : undefined,
    minDuration: uses(['duration', 'region']) ? form.minDuration : undefined,
    maxDuration: uses(['duration', 'region']) ? form.maxDuration : undefined,
    regionStart: uses(['region']) ? form.regionStart : undefined,
    regionEnd: uses(['region']) ? form.regionEnd : undefined,
  };
}

/** The /api/traces query whose spans the scatter plot draws: the same service, window and tags. */
export function scatterSearch(w: SearchWindow, limit = 500): URLSearchParams {
  const p = windowParams(w);
  p.set('limit', String(limit));
  return p;
}

/** A dot of the scatter plot: one span (its `traceID` is a key unique per span). */
export interface SpanDot extends TraceSummary {
  /** the trace the span belongs to (what a click opens) */
  readonly trace: string;
}

/** The spans of the search's service (and operation) in the found traces, as scatter-plot dots. */
export function spanDots(traces: readonly JaegerTrace[], service: string, operation: string): SpanDot[] {
  const out: SpanDot[] = [];
  for (const t of traces) {
    for (const s of t.spans) {
      if (t.processes[s.processID]?.serviceName !== service) continue;
      if (operation !== '' && s.operationName !== operation) continue;
      out.push({
        traceID: `${s.traceID}-${s.spanID}`,
        trace: s.traceID,
        shortID: s.traceID.slice(0, 7),
        rootService: service,
        rootOperation: s.operationName,
        startUs: s.startTime,
        durationUs: s.duration,
        spanCount: 1,
        errorCount: isErrorSpan(s) ? 1 : 0,
        services: [],
      });
    }
  }
  return out;
}

/** The form with a brushed region as its selection. */
export function withRegion(form: CompareForm, r: BrushRegion): CompareForm {
  return {
    ...form,
    select: 'region',
    regionStart: String(Math.floor(r.fromUs)),
    regionEnd: String(Math.ceil(r.toUs)),
    minDuration: usText(Math.floor(r.minUs)),
    maxDuration: usText(Math.ceil(r.maxUs)),
  };
}

/** The region a checked form selects, if it selects one (to dim the dots outside it). */
export function regionOfForm(form: CompareForm): BrushRegion | undefined {
  if (form.select !== 'region') return undefined;
  const fromUs = Number(form.regionStart);
  const toUs = Number(form.regionEnd);
  const min = form.minDuration.trim() === '' ? { ok: true as const, us: 0 } : parseDuration(form.minDuration);
  const max = form.maxDuration.trim() === '' ? { ok: true as const, us: Infinity } : parseDuration(form.maxDuration);
  if (!Number.isFinite(fromUs) || !Number.isFinite(toUs) || form.regionStart === '' || !min.ok || !max.ok)
    return undefined;
  return { fromUs, toUs, minUs: min.us, maxUs: max.us };
}

/** The dots inside a region (as the API selects: both ends included). */
export function dotsInRegion(dots: readonly SpanDot[], r: BrushRegion): Set<string> {
  return new Set(
    dots
      .filter((d) => d.startUs >= r.fromUs && d.startUs <= r.toUs && d.durationUs >= r.minUs && d.durationUs <= r.maxUs)
      .map((d) => d.traceID),
  );
}

/** The trace search (/search) over the same service and window with one more Tags filter. */
export function searchLink(w: SearchWindow, key: string, value: string): string {
  const p = new URLSearchParams();
  p.set('service', w.service);
  // the span name is the comparison's pseudo-attribute: the search names it as the operation
  const byName = key === SPAN_NAME_KEY;
  if (byName || w.operation !== '') p.set('operation', byName ? value : w.operation);
  const tags = byName ? w.tags : { ...w.tags, [key]: value };
  if (Object.keys(tags).length > 0) p.set('tags', formatLogfmtTags(tags));
  p.set('lookback', 'custom');
  p.set('start', String(w.startUs));
  p.set('end', String(w.endUs));
  return `/search?${p.toString()}`;
}

/** A share (0..1) as a percentage for a bar's width: always a finite number in [0, 100]. */
export function barPercent(share: number): number {
  return Number.isFinite(share) ? Math.min(100, Math.max(0, share * 100)) : 0;
}

/** A share as text: "12.5%", "<0.1%" for a tiny non-zero share. */
export function shareText(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0%';
  const p = share * 100;
  if (p < 0.1) return '<0.1%';
  return `${Number(p.toFixed(p < 10 ? 1 : 0))}%`;
}

/** A number for a label: short, exact for small integers, scientific for the very large or small. */
export function numberText(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-3)) return x.toExponential(2);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

/** One group's histogram: each bin's share of the group (0 when the group is empty). */
export function histogramShares(bins: readonly HistogramBin[], group: 'selected' | 'baseline'): number[] {
  const total = bins.reduce((s, b) => s + b[group], 0);
  return bins.map((b) => (total === 0 ? 0 : b[group] / total));
}
