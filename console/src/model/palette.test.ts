import { describe, expect, it } from 'vitest';
import { PALETTE, FINDING_TAG, markerKind, seriesColor } from './palette.js';

/** CIE L*a*b* of an sRGB #rrggbb colour (D65). */
function lab(hex: string): [number, number, number] {
  const lin = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92;
  };
  const [r, g, b] = [lin(1), lin(3), lin(5)];
  const x = (r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047;
  const y = r * 0.2126 + g * 0.7152 + b * 0.0722;
  const z = (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883;
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

const deltaE = (a: string, b: string): number => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]!));

describe('series palette', () => {
  it('keeps every pair of the first 20 colours clearly apart', () => {
    let closest = Infinity;
    for (let i = 0; i < PALETTE.length; i++)
      for (let j = i + 1; j < PALETTE.length; j++) closest = Math.min(closest, deltaE(PALETTE[i]!, PALETTE[j]!));
    expect(PALETTE).toHaveLength(20);
    expect(closest).toBeGreaterThanOrEqual(20);
  });

  it('the old palette fails the same check (three near-identical yellows)', () => {
    expect(deltaE('#f2cc0c', '#fade2a')).toBeLessThan(20);
  });

  it('gives a colour to any series index without repeating the palette', () => {
    expect(seriesColor(3)).toBe(PALETTE[3]);
    expect(seriesColor(20)).toMatch(/^hsl\(/);
    expect(seriesColor(20)).not.toBe(seriesColor(21));
  });

  it('tells flag changes from restarts by their tags', () => {
    expect(markerKind(['flag', 'recommendationCache'])).toBe('flag');
    expect(markerKind(['restart', 'recommendationservice'])).toBe('restart');
    expect(markerKind(['deploy'])).toBe('other');
    expect(markerKind([FINDING_TAG, 'recommendationservice', 'memory_growth'])).toBe('finding');
  });
});
