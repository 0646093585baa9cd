import { describe, expect, it } from 'vitest';
import { Head } from './head.js';
import { labelsFromRecord } from './labels.js';
import { newMatcher } from './matcher.js';

describe('Head (basic)', () => {
  it('appends and selects', () => {
    const h = new Head();
    const a = labelsFromRecord({ __name__: 'up', job: 'a' });
    h.append(a, 1000, 1);
    h.append(a, 2000, 2);
    h.appendStale(a, 3000);
    const r = h.select([newMatcher('=', '__name__', 'up')], 0, 5000);
    expect(r.length).toBe(1);
    expect([...r[0]!.t]).toEqual([1000, 2000, 3000]);
    expect([...r[0]!.stale!]).toEqual([0, 0, 1]);
  });
});
