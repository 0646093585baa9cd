import { describe, expect, it } from 'vitest';
import type { TraceSummary } from './results.js';
import { brushRegion, dotAt, niceStep, scatterLayout, tracesInBrush } from './scatter.js';

function row(id: string, startUs: number, durationUs: number, spanCount: number, errorCount = 0): TraceSummary {
  return {
    traceID: id,
    shortID: id,
    rootService: 's',
    rootOperation: 'o',
    startUs,
    durationUs,
    spanCount,
    errorCount,
    services: [],
  };
}

describe('scatter plot', () => {
  const traces = [row('a', 0, 100_000, 1), row('b', 10_000_000, 400_000, 20, 1), row('c', 5_000_000, 0, 10)];
  const layout = scatterLayout(traces, { width: 580, height: 240 });

  it('puts time on x and duration on y within the plot area, dot size by span count', () => {
    const [a, b, c] = layout.dots;
    expect(a!.x).toBe(layout.plot.left);
    expect(b!.x).toBe(layout.plot.right);
    expect(c!.x).toBeCloseTo((layout.plot.left + layout.plot.right) / 2, 9);
    expect(c!.y).toBe(layout.plot.bottom); // 0 duration on the axis
    expect(b!.y).toBeLessThan(a!.y); // longer is higher
    expect(a!.r).toBeLessThan(c!.r);
    expect(c!.r).toBeLessThan(b!.r);
    expect(layout.dots.map((d) => d.error)).toEqual([false, true, false]);
  });

  it('labels the duration axis with round steps reaching past the longest', () => {
    expect(layout.yTicks.map((t) => t.label)).toEqual(['0μs', '100ms', '200ms', '300ms', '400ms']);
    expect(layout.yTicks.at(-1)!.at).toBeCloseTo(layout.plot.top, 9);
    expect(layout.xTicks.length).toBeGreaterThanOrEqual(3);
    expect(niceStep(7, 5)).toBe(2);
    expect(niceStep(0.03, 4)).toBe(0.01);
  });

  it('a brushed rectangle selects the dots inside it; a click finds the dot under it', () => {
    const [a, b] = layout.dots;
    expect(tracesInBrush(layout.dots, { x0: b!.x + 1, y0: b!.y + 1, x1: b!.x - 1, y1: b!.y - 1 })).toEqual(
      new Set(['b']),
    );
    expect(tracesInBrush(layout.dots, { x0: 0, y0: 0, x1: 580, y1: 240 }).size).toBe(3);
    expect(dotAt(layout.dots, a!.x + 2, a!.y)?.traceID).toBe('a');
    expect(dotAt(layout.dots, a!.x + 100, a!.y - 100)).toBeUndefined();
  });

  it('draws nothing for no traces and a single trace in the middle', () => {
    expect(scatterLayout([], { width: 300, height: 200 }).dots).toEqual([]);
    const one = scatterLayout([row('a', 5, 10, 1)], { width: 300, height: 200 });
    expect(one.dots[0]!.x).toBeCloseTo((one.plot.left + one.plot.right) / 2, 6);
  });

  it('turns a brushed rectangle into start-time and duration ranges (corners in any order, clamped to the plot)', () => {
    const { plot, domain } = layout;
    const midX = (plot.left + plot.right) / 2;
    const midY = (plot.top + plot.bottom) / 2;
    const r = brushRegion(layout, { x0: plot.right + 50, y0: midY, x1: midX, y1: plot.bottom + 50 });
    expect(r.fromUs).toBeCloseTo(5_000_000, 6);
    expect(r.toUs).toBe(10_000_000);
    expect(r.minUs).toBe(0);
    expect(r.maxUs).toBeCloseTo(domain.yMaxUs / 2, 6);
  });
});
