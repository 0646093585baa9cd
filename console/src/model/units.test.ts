import { describe, expect, it } from 'vitest';
import { formatValue } from './units.js';
import { seriesName } from './legend.js';

describe('formatValue', () => {
  it('formats each unit the way Grafana shows it', () => {
    expect(formatValue(12.345, 'percent')).toBe('12.3%');
    expect(formatValue(8 * 1024 * 1024, 'bytes')).toBe('8 MiB');
    expect(formatValue(512, 'bytes')).toBe('512 B');
    expect(formatValue(400, 'ms')).toBe('400 ms');
    expect(formatValue(1500, 'ms')).toBe('1.5 s');
    expect(formatValue(0.25, 'ms')).toBe('250 µs');
    expect(formatValue(0.3, 'reqps')).toBe('0.3 req/s');
    expect(formatValue(12_500, 'short')).toBe('12.5 K');
    expect(formatValue(3, 'short', 2)).toBe('3.00');
  });

  it('shows gaps and special floats as such', () => {
    expect(formatValue(null, 'ms')).toBe('—');
    expect(formatValue(Number.NaN, 'ms')).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY, 'short')).toBe('+Inf');
  });
});

describe('seriesName', () => {
  it('applies the legend format', () => {
    expect(seriesName({ cpu_mode: 'user', job: 'x' }, '{{cpu_mode}}', 'q')).toBe('user');
    expect(seriesName({ span_name: 'GET' }, '{{ span_name }} calls', 'q')).toBe('GET calls');
  });

  it('falls back to the label set, then the query', () => {
    expect(seriesName({ __name__: 'up', job: 'a', instance: 'b' }, '', 'q')).toBe('up{instance="b", job="a"}');
    expect(seriesName({}, '', 'sum(up)')).toBe('sum(up)');
  });
});
