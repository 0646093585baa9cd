// Findings on dashboard charts: each finding of /api/orrery/v1/findings is an event of its own
// kind at its `since`, on the panels whose queries concern its service (every panel whose queries
// pin no service shows them all), named by its summary and opening its comparison page.
import type { Finding } from '../api/diagnosis.js';
import { inConsole } from './links.js';
import { labelMatchers, matchesAll } from './matchers.js';
import type { MarkerEvent } from './markers.js';
import { FINDING_TAG } from './palette.js';
import { SERVICE_LABEL } from './pointLinks.js';

export interface FindingMarker extends MarkerEvent {
  readonly service: string;
  readonly kind: string;
  /** the comparison page of the finding, inside the console */
  readonly href: string | undefined;
}

/** The findings API's lookback (between 1m and 24h) for a chart's range. */
export function findingsLookback(fromMs: number, toMs: number): string {
  return `${Math.min(24 * 3600, Math.max(60, Math.ceil((toMs - fromMs) / 1000)))}s`;
}

/**
 * Whether a panel (its queries, variables substituted) concerns a service: a query without a
 * service_name matcher concerns every service (it groups by service, or is about no service).
 */
export function concernsService(exprs: readonly string[], service: string): boolean {
  return exprs.some((expr) => matchesAll(labelMatchers(expr, SERVICE_LABEL), service));
}

/** The findings of [fromMs, toMs] a panel with these queries shows, as chart events. */
export function findingMarkers(
  findings: readonly Finding[],
  exprs: readonly string[],
  fromMs: number,
  toMs: number,
): FindingMarker[] {
  return findings
    .filter((f) => f.since >= fromMs && f.since <= toMs && concernsService(exprs, f.service))
    .map((f) => ({
      time: f.since,
      tags: [FINDING_TAG, f.service, f.kind],
      text: f.summary,
      service: f.service,
      kind: f.kind,
      href: inConsole(f.consoleUrl) ? f.consoleUrl : undefined,
    }));
}
