import { describe, expect, it } from 'vitest';
import type { Finding } from '../api/diagnosis.js';
import { concernsService, findingMarkers, findingsLookback } from './findingMarkers.js';
import { groupMarkers } from './markers.js';
import { markerKind } from './palette.js';

const finding = (service: string, since: number, consoleUrl = `/diagnosis/compare?service=${service}`): Finding => ({
  service,
  kind: 'memory_growth',
  since,
  summary: `${service}: memory rising 14 MB/min since 14:02; recommendationCache was switched on at 14:01`,
  slopeBytesPerMin: 14e6,
  restarts: 0,
  flagChanges: [],
  compareUrl: `/api/orrery/v1/compare?service=${service}`,
  consoleUrl,
});

const MEMORY = 'process_memory_usage{service_name="recommendationservice"}';
const ERRORS_BY_SERVICE =
  'sum by (service_name) (rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[1m]))';

describe('finding markers', () => {
  it("shows a service's findings on the panels about that service, and every finding on panels about no one service", () => {
    const all = [finding('recommendationservice', 2000), finding('cartservice', 3000)];
    expect(findingMarkers(all, [MEMORY], 0, 10_000).map((m) => m.service)).toEqual(['recommendationservice']);
    expect(findingMarkers(all, [ERRORS_BY_SERVICE], 0, 10_000).map((m) => m.service)).toEqual([
      'recommendationservice',
      'cartservice',
    ]);
    expect(concernsService(['a{service_name=~"cart.*"}', MEMORY], 'cartservice')).toBe(true);
    expect(concernsService(['a{service_name!="cartservice"}'], 'cartservice')).toBe(false);
  });

  it('is a marker of its own kind, named by its summary, opening its comparison page', () => {
    const [m] = findingMarkers([finding('recommendationservice', 2000)], [MEMORY], 0, 10_000);
    expect(markerKind(m!.tags)).toBe('finding');
    expect(m!.text).toMatch(/^recommendationservice: memory rising/);
    expect(m!.href).toBe('/diagnosis/compare?service=recommendationservice');
    // beside a flag change at the same time, it stays its own marker
    const groups = groupMarkers([m!, { time: 2000, tags: ['flag', 'recommendationCache'], text: 'on' }], (t) => t, 6);
    expect(groups.map((g) => g.kind)).toEqual(['finding', 'flag']);
  });

  it("asks the findings API for the chart's range, within the lookbacks it takes", () => {
    expect(findingsLookback(0, 15 * 60_000)).toBe('900s');
    expect(findingsLookback(0, 10_000)).toBe('60s');
    expect(findingsLookback(0, 7 * 86_400_000)).toBe('86400s');
  });

  it('leaves out findings outside the range and never links outside the console', () => {
    expect(findingMarkers([finding('a', 50_000)], ['up'], 0, 10_000)).toEqual([]);
    const [m] = findingMarkers([finding('a', 10, 'javascript:alert(1)')], ['up'], 0, 10_000);
    expect(m!.href).toBeUndefined();
  });
});
