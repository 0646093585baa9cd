// Console visits, recorded by the console itself for the scenarios' visit checks: each page
// opened (path and query string, with the time), the last few hundred kept in localStorage.
import { useEffect } from 'react';
import { useLocation } from 'react-router';
import type { JaegerTrace } from '../../api/traces.js';
import type { SpanTag, VisitCheck } from './model.js';

export interface Visit {
  readonly path: string;
  readonly search: string;
  /** ms */
  readonly at: number;
}

export const VISITS_KEY = 'orrery.visits';
const MAX_VISITS = 300;

/** The stored visits (an unreadable store reads as none). */
export function readVisits(raw: string | null): Visit[] {
  if (raw === null) return [];
  try {
    const v = JSON.parse(raw) as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter(
      (x): x is Visit =>
        typeof x === 'object' &&
        x !== null &&
        typeof (x as Visit).path === 'string' &&
        typeof (x as Visit).search === 'string' &&
        typeof (x as Visit).at === 'number',
    );
  } catch {
    return [];
  }
}

/** The visits after adding one: a reload of the same page within a second is not a new visit. */
export function addVisit(visits: readonly Visit[], visit: Visit): Visit[] {
  const last = visits.at(-1);
  if (last && last.path === visit.path && last.search === visit.search && visit.at - last.at < 1000) return [...visits];
  return [...visits, visit].slice(-MAX_VISITS);
}

/** The visits since `sinceMs` that match a check's page and parameters, latest first. */
export function matchingVisits(check: VisitCheck, visits: readonly Visit[], sinceMs: number): Visit[] {
  return visits
    .filter((v) => {
      if (v.at < sinceMs) return false;
      if (check.path.endsWith('/') ? !v.path.startsWith(check.path) : v.path !== check.path) return false;
      const q = new URLSearchParams(v.search);
      return Object.entries(check.params).every(([k, want]) => q.get(k) === want);
    })
    .reverse();
}

/** The trace ID of a /trace/<id> visit. */
export function visitedTraceId(v: Visit): string | undefined {
  const m = /^\/trace\/([^/]+)$/.exec(v.path);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

/** Whether a span of the trace (of the tag's service, when it names one) carries the tag. */
export function traceHasSpanTag(trace: JaegerTrace, tag: SpanTag): boolean {
  return trace.spans.some(
    (s) =>
      (tag.service === undefined || trace.processes[s.processID]?.serviceName === tag.service) &&
      s.tags.some((t) => t.key === tag.key && String(t.value) === tag.value),
  );
}

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage refused (private mode, policy): nothing is recorded
  }
}

export function loadVisits(): Visit[] {
  return readVisits(storage()?.getItem(VISITS_KEY) ?? null);
}

/** Records every page the console opens; mounted once in the shell. */
export function useRecordVisits(): void {
  const { pathname, search } = useLocation();
  useEffect(() => {
    const store = storage();
    if (!store) return;
    const next = addVisit(readVisits(store.getItem(VISITS_KEY)), { path: pathname, search, at: Date.now() });
    try {
      store.setItem(VISITS_KEY, JSON.stringify(next));
    } catch {
      /* quota: the visit is not recorded */
    }
  }, [pathname, search]);
}
