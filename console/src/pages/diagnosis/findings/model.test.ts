import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../api/diagnosis.js';
import { clockText, compareLink, findingsLookback, kindLabel, lookbackLabel, slopeText } from './model.js';

const finding: Finding = {
  service: 'recommendationservice',
  kind: 'memory_growth',
  since: Date.UTC(2026, 11, 1, 14, 2),
  summary: 'recommendationservice: memory rising 14 MB/min since 14:02',
  slopeBytesPerMin: 14_250_000,
  restarts: 3,
  flagChanges: [{ flag: 'recommendationCache', value: 'on', at: Date.UTC(2026, 11, 1, 14, 1) }],
  compareUrl: '/api/orrery/v1/compare?service=recommendationservice&select=slowest&percent=5',
  consoleUrl: '/diagnosis/compare?service=recommendationservice&start=1&end=2&select=slowest&percent=5',
};

describe('the findings page', () => {
  it('reads its window from the URL, an unknown one as the default', () => {
    expect(findingsLookback(new URLSearchParams('lookback=1h'))).toBe('1h');
    expect(findingsLookback(new URLSearchParams('lookback=<script>'))).toBe('15m');
    expect(findingsLookback(new URLSearchParams())).toBe('15m');
    expect(lookbackLabel('1h')).toBe('last hour');
  });

  it('writes slopes in MB/min and nothing for the kinds without one', () => {
    expect(slopeText(finding.slopeBytesPerMin)).toBe('14 MB/min');
    expect(slopeText(2_340_000)).toBe('2.3 MB/min');
    expect(slopeText(0)).toBe('');
    expect(slopeText(Number.NaN)).toBe('');
    expect(kindLabel('memory_growth')).toBe('Memory growth');
    expect(kindLabel('something_new')).toBe('something_new');
  });

  it('links only to the comparison page of the console', () => {
    expect(compareLink(finding)).toBe(finding.consoleUrl);
    expect(compareLink({ ...finding, consoleUrl: 'javascript:alert(1)' })).toBeUndefined();
    expect(compareLink({ ...finding, consoleUrl: 'https://elsewhere.example/diagnosis/compare?x' })).toBeUndefined();
    expect(compareLink({ ...finding, consoleUrl: '//elsewhere/diagnosis/compare?x' })).toBeUndefined();
  });

  it('prints times as a clock, nothing for a value that is no time', () => {
    expect(clockText(finding.since)).toMatch(/^\d\d:\d\d:00$/);
    expect(clockText(Number.NaN)).toBe('');
  });
});
