import { describe, expect, it } from 'vitest';
import { SERVICE_PALETTE, serviceColor } from './serviceColor.js';

describe('service colours', () => {
  it('are stable per name and spread over the palette', () => {
    expect(serviceColor('frontend')).toBe(serviceColor('frontend'));
    const names = [
      'frontend',
      'cartservice',
      'recommendationservice',
      'adservice',
      'productcatalogservice',
      'checkoutservice',
      'paymentservice',
      'emailservice',
    ];
    const colors = new Set(names.map(serviceColor));
    expect(colors.size).toBeGreaterThanOrEqual(6);
    for (const c of colors) expect(SERVICE_PALETTE).toContain(c);
    expect(new Set(SERVICE_PALETTE).size).toBe(SERVICE_PALETTE.length);
  });
});
