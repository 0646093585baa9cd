import { describe, expect, it } from 'vitest';
import { distinguishingNames, seriesName } from './legend.js';

describe('series names', () => {
  it('applies a legend format, or writes the label set as Prometheus does', () => {
    expect(seriesName({ service_name: 'cart' }, '{{service_name}} p99', 'x')).toBe('cart p99');
    expect(seriesName({ __name__: 'up', job: 'a' }, '', 'x')).toBe('up{job="a"}');
  });

  it('leaves out the labels every series shares, keeping the metric name', () => {
    const metrics = [
      { __name__: 'calls', span_name: 'GetProduct', service_name: 'cart', instance: 'cart-1' },
      { __name__: 'calls', span_name: 'GetProduct', service_name: 'ad', instance: 'ad-1' },
    ];
    expect(distinguishingNames(metrics, 'calls')).toEqual([
      'calls{instance="cart-1", service_name="cart"}',
      'calls{instance="ad-1", service_name="ad"}',
    ]);
    expect(distinguishingNames([metrics[0]!], 'calls')).toEqual([seriesName(metrics[0]!, '', 'calls')]);
  });
});
