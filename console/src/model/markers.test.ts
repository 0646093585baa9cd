import { describe, expect, it } from 'vitest';
import { countKinds, groupMarkers } from './markers.js';

const restart = (time: number) => ({ time, tags: ['restart', 'recommendationservice'], text: 'restarted' });
const flag = (time: number) => ({ time, tags: ['flag', 'recommendationCache'], text: 'recommendationCache → on' });

describe('chart markers', () => {
  it('draws a burst of restarts as one marker with its count, apart from a flag change at the same time', () => {
    const events = [restart(1000), restart(1002), restart(1004), flag(1001), restart(2000)];
    const groups = groupMarkers(events, (t) => t / 2, 6); // 1 px per 2 ms
    expect(groups.map((g) => [g.kind, g.x, g.events.length])).toEqual([
      ['restart', 500, 3],
      ['flag', 500.5, 1],
      ['restart', 1000, 1],
    ]);
  });

  it('counts the events of each kind for the legend', () => {
    const counts = countKinds([restart(1), restart(2), flag(3), { time: 4, tags: [], text: 'x' }]);
    expect(Object.fromEntries(counts)).toEqual({ restart: 2, flag: 1, other: 1 });
  });
});
