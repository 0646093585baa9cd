import { describe, expect, it } from 'vitest';
import { SPAN_METRICS } from '../../../src/names/contract.js';
import { minDurationText, nearestSeries, pointTraces, pointTracesHref, SPAN_METRICS_BUCKETS_MS } from './pointLinks.js';

const LATENCY =
  'histogram_quantile(0.99, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket{service_name="cartservice"}[40s])))';
const ERRORS =
  '100 * sum by (service_name) (rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[1m])) / sum by (service_name) (rate(traces_span_metrics_calls_total[1m]))';

describe('from a chart point to its traces', () => {
  it('opens the traces of a latency point: the service the query pins, its rate window, above its value', () => {
    const t = pointTraces('latency', 'ms', {
      expr: LATENCY,
      metric: {},
      timeS: 1_700_000_100,
      value: 412.3456,
      stepMs: 10_000,
    });
    expect(t).toEqual({
      service: 'cartservice',
      operation: undefined,
      startMs: 1_700_000_060_000,
      endMs: 1_700_000_100_000,
      minDuration: '400000us',
      tags: undefined,
    });
    const href = new URL(pointTracesHref(t!), 'http://h');
    expect(href.pathname).toBe('/search');
    expect(Object.fromEntries(href.searchParams)).toEqual({
      service: 'cartservice',
      minDuration: '400000us',
      lookback: 'custom',
      start: '1700000060000000',
      end: '1700000100000000',
    });
  });

  it("takes service and span name from the series' labels, and the step when it is longer than the rate window", () => {
    const t = pointTraces('latency', 's', {
      expr: 'histogram_quantile(0.5, sum by (le, service_name, span_name) (rate(x_bucket[30s])))',
      metric: { service_name: 'ad & co', span_name: 'GetAds' },
      timeS: 600,
      value: 1.5,
      stepMs: 60_000,
    });
    expect(t).toMatchObject({
      service: 'ad & co',
      operation: 'GetAds',
      startMs: 540_000,
      endMs: 600_000,
      minDuration: '1400000us',
    });
    expect(new URL(pointTracesHref(t!), 'http://h').searchParams.get('service')).toBe('ad & co');
  });

  it('opens the error traces of an error-rate point of one service', () => {
    const t = pointTraces('errors', 'percent', {
      expr: ERRORS,
      metric: { service_name: 'paymentservice' },
      timeS: 100,
      value: 50,
      stepMs: 10_000,
    });
    expect(t).toMatchObject({ service: 'paymentservice', tags: 'error=true', minDuration: undefined, startMs: 40_000 });
    expect(new URL(pointTracesHref(t!), 'http://h').searchParams.get('tags')).toBe('error=true');
  });

  it('has no link when the panel has none, the series names no single service, or the value is not a latency', () => {
    const p = {
      expr: 'sum(rate(traces_span_metrics_calls_total[1m]))',
      metric: {},
      timeS: 1,
      value: 3,
      stepMs: 10_000,
    };
    expect(pointTraces('none', 'ms', { ...p, expr: LATENCY })).toBeUndefined();
    expect(pointTraces('latency', 'ms', p)).toBeUndefined();
    expect(pointTraces('latency', 'ms', { ...p, expr: 'x{service_name=~"a|b"}' })).toBeUndefined();
    expect(pointTraces('latency', 'percent', { ...p, expr: LATENCY })).toBeUndefined();
    expect(pointTraces('latency', 'ms', { ...p, expr: LATENCY, value: NaN })).toBeUndefined();
  });

  it("starts the search at the lower bound of the latency's histogram bucket (a quantile is interpolated inside it)", () => {
    expect(minDurationText(0.0015, 'ms')).toBe('0us');
    expect(minDurationText(99.441, 'ms')).toBe('50000us');
    expect(minDurationText(100, 'ms')).toBe('50000us');
    expect(minDurationText(2, 's')).toBe('1400000us');
    expect(minDurationText(60, 's')).toBe('15000000us');
    expect(minDurationText(-1, 'ms')).toBeUndefined();
  });

  it("uses the span-metrics connector's bucket bounds", () => {
    expect(SPAN_METRICS_BUCKETS_MS).toEqual(SPAN_METRICS.bucketsMs);
  });

  it('picks the series drawn nearest the cursor, skipping gaps', () => {
    expect(nearestSeries([100, null, 40, 52], 50)).toBe(3);
    expect(nearestSeries([null, null], 10)).toBe(-1);
  });
});
