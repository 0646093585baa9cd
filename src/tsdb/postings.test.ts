import { describe, expect, it } from 'vitest';
import { MemPostings, intersect, merge, without, postingsForMatchers } from './postings.js';
import { getLabel, labelsFromRecord, type Labels } from '../labels/labels.js';
import { newMatcher, type MatchType } from '../labels/matcher.js';

describe('postings set algebra', () => {
  it('intersects, merges and subtracts sorted lists', () => {
    expect(
      intersect([
        [1, 2, 3, 5, 8, 13],
        [2, 3, 4, 13, 14],
        [3, 13, 20],
      ]),
    ).toEqual([3, 13]);
    expect(intersect([[1, 2], []])).toEqual([]);
    expect(merge([[1, 4], [2, 4, 9], [3], []])).toEqual([1, 2, 3, 4, 9]);
    expect(without([1, 2, 3, 4, 5], [2, 4, 6])).toEqual([1, 3, 5]);
    const long = Array.from({ length: 10_000 }, (_, i) => i * 2);
    expect(intersect([long, [3, 4, 5000, 19998, 20000]])).toEqual([4, 5000, 19998]);
  });
});

describe('postingsForMatchers', () => {
  const series: Labels[] = [
    labelsFromRecord({ __name__: 'a', job: 'x', env: 'prod' }),
    labelsFromRecord({ __name__: 'a', job: 'y' }),
    labelsFromRecord({ __name__: 'b', job: 'x', env: 'dev' }),
    labelsFromRecord({ __name__: 'b', env: '', other: 'foo' }),
    labelsFromRecord({ __name__: 'c', job: 'z|y', env: 'prod' }),
  ];
  const ix = new MemPostings();
  series.forEach((l, i) => ix.add(i + 1, l));

  const cases: [MatchType, string, string][][] = [
    [['=', '__name__', 'a']],
    [['=', 'env', '']],
    [['!=', 'env', '']],
    [['!=', 'env', 'prod']],
    [['=~', 'env', 'prod|']],
    [['=~', 'env', '.*']],
    [['=~', 'env', '.+']],
    [['!~', 'env', '.+']],
    [['!~', 'env', 'prod']],
    [['!~', 'env', '']],
    [['=~', 'job', 'x|y']],
    [['=~', 'job', 'z|y']],
    [['=~', 'job', 'z\\|y']],
    [
      ['=', '__name__', 'a'],
      ['!=', 'job', 'y'],
    ],
    [
      ['=', '__name__', 'b'],
      ['=', 'env', ''],
    ],
    [
      ['=~', '__name__', '.+'],
      ['!~', 'job', 'x|y'],
    ],
    [['=', 'nolabel', '']],
    [['!=', 'nolabel', 'q']],
    [['=', 'nolabel', 'q']],
    [
      ['=~', 'job', 'x'],
      ['=~', 'job', '.*'],
    ],
  ];
  for (const c of cases) {
    it(JSON.stringify(c), () => {
      const ms = c.map(([t, n, v]) => newMatcher(t, n, v));
      const expected = series.flatMap((l, i) => (ms.every((m) => m.matches(getLabel(l, m.name))) ? [i + 1] : []));
      expect([...postingsForMatchers(ix, ms)]).toEqual(expected);
    });
  }

  it('selects nothing without matchers', () => {
    expect(postingsForMatchers(ix, [])).toEqual([]);
  });

  it('forgets deleted series', () => {
    const p = new MemPostings();
    series.forEach((l, i) => p.add(i + 1, l));
    p.delete(new Set([1, 5]), (r) => series[r - 1]!);
    expect(p.labelValues('env')).toEqual(['dev']);
    expect([...p.allPostings()]).toEqual([2, 3, 4]);
  });
});
