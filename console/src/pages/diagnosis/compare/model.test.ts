import { describe, expect, it } from 'vitest';
import type { JaegerTrace } from '../../../api/traces.js';
import {
  barPercent,
  checkForm,
  DEFAULT_COMPARE_FORM,
  dotsInRegion,
  formFromParams,
  histogramShares,
  numberText,
  paramsFromForm,
  regionOfForm,
  scatterSearch,
  searchLink,
  shareText,
  spanDots,
  withRegion,
  type CompareForm,
} from './model.js';

const NOW = Date.UTC(2026, 11, 1, 14, 30);

describe('the comparison page URL', () => {
  it('reads a finding link (start/end, no lookback) as a custom range with the API parameters', () => {
    const form = formFromParams(
      new URLSearchParams('service=recommendationservice&start=1000&end=2000&select=slowest&percent=5'),
    );
    expect(form).toMatchObject({ service: 'recommendationservice', lookback: 'custom', start: '1000', end: '2000' });
    const checked = checkForm(form, NOW);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.api.toString()).toBe(
      'service=recommendationservice&start=1000&end=2000&select=slowest&percent=5',
    );
  });

  it('turns the API tags (JSON) into the Tags box (logfmt) and back', () => {
    const form = formFromParams(new URLSearchParams({ service: 's', tags: '{"app.cache_hit":"false","note":"a b"}' }));
    expect(form.tags).toBe('app.cache_hit=false note="a b"');
    expect(paramsFromForm(form).tags).toBe('{"app.cache_hit":"false","note":"a b"}');
    const checked = checkForm(form, NOW);
    expect(checked.ok && checked.value.api.get('tags')).toBe('{"app.cache_hit":"false","note":"a b"}');
  });

  it('fixes a relative lookback at the given clock', () => {
    const checked = checkForm({ ...DEFAULT_COMPARE_FORM, service: 's', lookback: '15m' }, NOW);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.window.endUs).toBe(NOW * 1000);
    expect(checked.value.window.startUs).toBe((NOW - 15 * 60_000) * 1000);
  });

  it('writes only what the selection uses, and the defaults nowhere but select', () => {
    const form: CompareForm = {
      ...DEFAULT_COMPARE_FORM,
      service: 's',
      select: 'errors',
      percent: '7',
      minDuration: '1s',
    };
    expect(paramsFromForm(form)).toEqual({
      service: 's',
      operation: undefined,
      tags: undefined,
      lookback: '15m',
      start: undefined,
      end: undefined,
      select: 'errors',
      percent: undefined,
      minDuration: undefined,
      maxDuration: undefined,
      regionStart: undefined,
      regionEnd: undefined,
    });
  });

  it('names each field at fault', () => {
    const bad = checkForm(
      { ...DEFAULT_COMPARE_FORM, service: '', tags: 'a="open', select: 'slowest', percent: '100' },
      NOW,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(Object.keys(bad.errors).sort()).toEqual(['percent', 'service', 'tags']);
    const duration = checkForm({ ...DEFAULT_COMPARE_FORM, service: 's', select: 'duration' }, NOW);
    expect(!duration.ok && duration.errors.minDuration).toMatch(/duration/);
    const inverted = checkForm(
      { ...DEFAULT_COMPARE_FORM, service: 's', select: 'duration', minDuration: '2s', maxDuration: '1s' },
      NOW,
    );
    expect(!inverted.ok && inverted.errors.maxDuration).toMatch(/below/);
    const region = checkForm({ ...DEFAULT_COMPARE_FORM, service: 's', select: 'region' }, NOW);
    expect(!region.ok && region.errors.regionStart).toMatch(/brush/);
    const range = checkForm({ ...DEFAULT_COMPARE_FORM, service: 's', lookback: 'custom', start: '9', end: '1' }, NOW);
    expect(!range.ok && range.errors.lookback).toMatch(/start before its end/);
  });
});

function trace(id: string, spans: { id: string; op: string; p: string; start: number; dur: number; err?: boolean }[]) {
  return {
    traceID: id,
    spans: spans.map((s) => ({
      traceID: id,
      spanID: s.id,
      operationName: s.op,
      references: [],
      startTime: s.start,
      duration: s.dur,
      tags: s.err ? [{ key: 'error', type: 'bool', value: true }] : [],
      logs: [],
      processID: s.p,
    })),
    processes: { p1: { serviceName: 'frontend' }, p2: { serviceName: 'recommendationservice' } },
  } as JaegerTrace;
}

describe('the scatter plot of the search spans', () => {
  const traces = [
    trace('t1', [
      { id: 'a', op: 'GET', p: 'p1', start: 1_000, dur: 900 },
      { id: 'b', op: 'get_product_list', p: 'p2', start: 1_100, dur: 500, err: true },
      { id: 'c', op: 'ListRecommendations', p: 'p2', start: 1_050, dur: 700 },
    ]),
    trace('t2', [{ id: 'd', op: 'get_product_list', p: 'p2', start: 5_000, dur: 40 }]),
  ];

  it("draws one dot per span of the search's service and operation, keyed per span", () => {
    const dots = spanDots(traces, 'recommendationservice', 'get_product_list');
    expect(dots.map((d) => [d.traceID, d.trace, d.durationUs, d.errorCount])).toEqual([
      ['t1-b', 't1', 500, 1],
      ['t2-d', 't2', 40, 0],
    ]);
    expect(spanDots(traces, 'recommendationservice', '')).toHaveLength(3);
  });

  it('turns a brushed rectangle into a region selection and dims the dots outside it', () => {
    const form = withRegion(
      { ...DEFAULT_COMPARE_FORM, service: 'recommendationservice', select: 'slowest' },
      { fromUs: 999.6, toUs: 2000.2, minUs: 100.7, maxUs: 800.1 },
    );
    expect(form).toMatchObject({
      select: 'region',
      regionStart: '999',
      regionEnd: '2001',
      minDuration: '100us',
      maxDuration: '801us',
    });
    const params = new URLSearchParams(
      Object.entries(paramsFromForm(form)).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const again = formFromParams(params);
    const region = regionOfForm(again)!;
    expect([...dotsInRegion(spanDots(traces, 'recommendationservice', ''), region)].sort()).toEqual(['t1-b', 't1-c']);
    const checked = checkForm(again, NOW);
    expect(checked.ok && checked.value.api.get('regionEnd')).toBe('2001');
    expect(checked.ok && checked.value.api.get('percent')).toBe(null);
  });

  it('searches the same service, window and tags as the comparison', () => {
    const q = scatterSearch({ service: 's', operation: 'o', tags: { k: 'v' }, startUs: 1, endUs: 2 });
    expect(q.toString()).toBe('service=s&operation=o&tags=%7B%22k%22%3A%22v%22%7D&start=1&end=2&limit=500');
  });
});

describe('a value opens the trace search', () => {
  const w = { service: 'recommendationservice', operation: '', tags: { 'rpc.system': 'grpc' }, startUs: 10, endUs: 20 };

  it('with the value as one more Tags filter over the same service and window', () => {
    const url = searchLink(w, 'app.cache_hit', 'false');
    const q = new URLSearchParams(url.slice('/search?'.length));
    expect(url.startsWith('/search?')).toBe(true);
    expect(Object.fromEntries(q)).toEqual({
      service: 'recommendationservice',
      tags: 'rpc.system=grpc app.cache_hit=false',
      lookback: 'custom',
      start: '10',
      end: '20',
    });
    // markup and quotes stay data: quoted in logfmt, encoded in the URL
    const odd = new URLSearchParams(searchLink(w, 'note', '<b>"x"</b>').split('?')[1]);
    expect(odd.get('tags')).toBe('rpc.system=grpc note="<b>\\"x\\"</b>"');
  });

  it('as the operation for the span name', () => {
    const q = new URLSearchParams(searchLink(w, 'span.name', 'get_product_list').split('?')[1]);
    expect(q.get('operation')).toBe('get_product_list');
    expect(q.get('tags')).toBe('rpc.system=grpc');
  });
});

describe('bars and labels', () => {
  it('never give NaN or a width outside 0..100', () => {
    expect(barPercent(Number.NaN)).toBe(0);
    expect(barPercent(1.5)).toBe(100);
    expect(barPercent(0.25)).toBe(25);
    expect(shareText(Number.NaN)).toBe('0%');
    expect(shareText(0.0004)).toBe('<0.1%');
    expect(shareText(0.0525)).toBe('5.3%');
    expect(shareText(0.5)).toBe('50%');
    expect(numberText(1234)).toBe('1234');
    expect(numberText(0.123456)).toBe('0.1235');
    expect(numberText(1.5e12)).toBe('1.50e+12');
  });

  it('give each histogram bin its share of its own group, 0 for an empty group', () => {
    const bins = [
      { from: 0, to: 1, selected: 1, baseline: 0 },
      { from: 1, to: 2, selected: 3, baseline: 0 },
    ];
    expect(histogramShares(bins, 'selected')).toEqual([0.25, 0.75]);
    expect(histogramShares(bins, 'baseline')).toEqual([0, 0]);
  });
});
