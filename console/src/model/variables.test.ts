import { describe, expect, it } from 'vitest';
import { builtinVariables, interpolate, interpolateQuery, parseLabelValuesQuery } from './variables.js';
import { computeIntervalMs, formatDurationMs, parseDurationMs, resolveTime } from './time.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('variable substitution', () => {
  it('replaces $name, ${name} and [[name]], leaving unknown variables as written', () => {
    expect(interpolate('a{s="$service"} b{s="${service}"} c{s="[[service]]"} $nope', { service: 'frontend' })).toBe(
      'a{s="frontend"} b{s="frontend"} c{s="frontend"} $nope',
    );
  });

  it('does not let a short name eat a longer one', () => {
    expect(interpolate('$__rate_interval $__range', { __range: '1h', __rate_interval: '1m' })).toBe('1m 1h');
  });

  it('computes $__interval and $__rate_interval as Grafana does for a 10 s collection interval', () => {
    // 15 minutes over 900 px: 1 s raw, clamped to the 10 s collection interval; rate interval max(10+10, 40) = 40 s
    const small = builtinVariables({ fromMs: NOW - 15 * 60_000, toMs: NOW, maxDataPoints: 900, variables: {} });
    expect(small['__interval']).toBe('10s');
    expect(small['__rate_interval']).toBe('40s');
    // 6 hours over 600 px: 36 s raw -> 1 m nice step; rate interval 1m + 10s
    const big = builtinVariables({ fromMs: NOW - 6 * 3_600_000, toMs: NOW, maxDataPoints: 600, variables: {} });
    expect(big['__interval']).toBe('1m');
    expect(big['__rate_interval']).toBe('1m10s');
    expect(big['__range']).toBe('6h');
  });

  it('returns the step with the substituted query', () => {
    const q = interpolateQuery('rate(x{service_name="$service"}[$__rate_interval])', {
      fromMs: NOW - 3_600_000,
      toMs: NOW,
      maxDataPoints: 1000,
      variables: { service: 'recommendationservice' },
    });
    expect(q).toEqual({ expr: 'rate(x{service_name="recommendationservice"}[40s])', stepMs: 10_000 });
  });

  it('parses label_values queries', () => {
    expect(parseLabelValuesQuery('label_values(traces_span_metrics_calls_total, service_name)')).toEqual({
      metric: 'traces_span_metrics_calls_total',
      label: 'service_name',
    });
    expect(parseLabelValuesQuery('label_values(job)')).toEqual({ metric: undefined, label: 'job' });
    expect(parseLabelValuesQuery('up')).toBeUndefined();
  });
});

describe('time helpers', () => {
  it('parses and formats durations', () => {
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('5x')).toBeUndefined();
    expect(formatDurationMs(70_000)).toBe('1m10s');
  });

  it('resolves relative times', () => {
    expect(resolveTime('now-15m', NOW)).toBe(NOW - 900_000);
    expect(resolveTime('now', NOW)).toBe(NOW);
    expect(resolveTime('now-xyz', NOW)).toBeUndefined();
    expect(resolveTime('2026-11-24T12:00:00Z', 0)).toBe(NOW);
  });

  it('never steps below the collection interval', () => {
    expect(computeIntervalMs(60_000, 1000, 10_000)).toBe(10_000);
  });
});
