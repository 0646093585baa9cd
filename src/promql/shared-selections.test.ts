import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../labels/labels.js';
import { newMatcher, type Matcher, type MatchType } from '../labels/matcher.js';
import type { SeriesSamples } from '../storage/storage.js';
import { countingQuerier } from '../storage/testing/counting-querier.js';
import { Head } from '../tsdb/head.js';
import { Engine } from './engine.js';
import { parseExpr } from './parser/parser.js';
import { planSelections, SharedSelections } from './shared-selections.js';
import { selectionPlan } from './snapshot.js';
import type { QueryValue } from './value.js';

const M = 60_000;

function m(name: string, type: MatchType, value: string): Matcher {
  return newMatcher(type, name, value);
}

/** calls{svc, code} for three services and three codes, one with an extra `zone` label. */
function head(): Head {
  const h = new Head();
  for (const svc of ['a', 'b', 'ab']) {
    for (const code of ['200', '500', '503']) {
      const record: Record<string, string> = { __name__: 'calls', svc, code };
      if (code === '503') record.zone = 'z1';
      const labels = labelsFromRecord(record);
      for (let t = 0; t <= 20 * M; t += 15_000) h.append(labels, t, (t / 1000) * (svc.length + Number(code) / 100));
    }
  }
  return h;
}

const plain = (ss: SeriesSamples[]): unknown => ss.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v] }));

describe('planSelections', () => {
  const range = { mint: 0, maxt: 100 };

  it('gives selectors with equal matcher sets (in any order) one base, and a broader one to a superset', () => {
    const calls = m('__name__', '=', 'calls');
    const err = m('code', '=', '500');
    const plan = planSelections(
      [[err, calls], [calls], [calls, err], [calls, m('svc', '=~', 'a|b'), err]],
      () => range,
    );
    expect(plan.map((p) => p.base)).toEqual([1, 1, 1, 1]);
    expect(plan[0]!.extra).toEqual([err]);
    expect(plan[1]!.extra).toEqual([]);
    expect(plan[3]!.extra.map((x) => x.name)).toEqual(['svc', 'code']);
  });

  it('shares nothing between different ranges, nor between sets that are not subsets', () => {
    const calls = m('__name__', '=', 'calls');
    const plan = planSelections(
      [[calls], [calls, m('code', '=', '500')], [m('__name__', '=', 'other'), m('code', '=', '500')]],
      (i) => (i === 0 ? range : { mint: 0, maxt: 200 }),
    );
    expect(plan.map((p) => p.base)).toEqual([0, 1, 2]);
  });

  it('past 64 different sets over one range shares only equal ones (no pairwise search)', () => {
    const calls = m('__name__', '=', 'calls');
    const many = Array.from({ length: 70 }, (_, i) => [calls, m('i', '=', String(i))]);
    const plan = planSelections([[calls], ...many, [calls]], () => range);
    expect(plan[1]!.base).toBe(1);
    expect(plan[71]!.base).toBe(0);
  });
});

describe('SharedSelections', () => {
  const h = head();
  const calls = m('__name__', '=', 'calls');

  /** Each narrower selector's answer equals the storage's own answer to it, from one selection. */
  function expectAnswersAsStorage(narrower: Matcher[][]): void {
    const selectors = [[calls], ...narrower];
    const plan = planSelections(selectors, () => ({ mint: 2 * M, maxt: 10 * M }));
    const storage = countingQuerier(h);
    const shared = new SharedSelections(storage, selectors, plan);
    // The broad selector last: the first narrower one made the selection.
    for (const ms of [...narrower, selectors[0]!]) {
      expect(plain(shared.select(ms, 2 * M, 10 * M))).toEqual(plain(h.select(ms, 2 * M, 10 * M)));
    }
    expect(storage.selects).toBe(1);
  }

  it('answers superset selectors by filtering: =, !=, anchored regexes', () => {
    expectAnswersAsStorage([
      [calls, m('code', '=', '500')],
      [m('code', '!=', '500'), calls],
      // Anchored: `a` must not match svc="ab".
      [calls, m('svc', '=~', 'a')],
      [calls, m('svc', '!~', 'a|b')],
      [calls, m('svc', '=~', 'a.*'), m('code', '!~', '5..')],
    ]);
  });

  it('answers empty-value matchers as the storage does: "" matches an absent label', () => {
    expectAnswersAsStorage([
      [calls, m('zone', '=', '')],
      [calls, m('zone', '!=', '')],
      [calls, m('zone', '=~', 'z1|')],
      [calls, m('zone', '!~', '')],
      [calls, m('nothing', '=', '')],
    ]);
  });

  it('goes to the storage for a range other than the planned one', () => {
    const narrow = [calls, m('code', '=', '500')];
    const selectors = [[calls], narrow];
    const storage = countingQuerier(h);
    const shared = new SharedSelections(
      storage,
      selectors,
      planSelections(selectors, () => ({ mint: 0, maxt: M })),
    );
    expect(plain(shared.select(narrow, 0, 2 * M))).toEqual(plain(h.select(narrow, 0, 2 * M)));
    expect(plain(shared.select(selectors[0]!, 0, M))).toEqual(plain(h.select(selectors[0]!, 0, M)));
    expect(plain(shared.select(narrow, 0, M))).toEqual(plain(h.select(narrow, 0, M)));
    expect(storage.selects).toBe(2);
  });
});

describe('the engine with shared selections', () => {
  const h = head();
  const engine = new Engine();

  function selectsOf(query: string): number {
    return readsOf(query).selects;
  }

  function readsOf(query: string): { selects: number; scans: number } {
    const storage = countingQuerier(h);
    engine.rangeQuery(storage, query, 5 * M, 20 * M, 30_000);
    return { selects: storage.selects, scans: storage.scans };
  }

  function values(v: QueryValue): Map<string, readonly number[]> {
    if (v.type !== 'matrix') throw new Error(v.type);
    return new Map(v.series.map((s) => [JSON.stringify(s.metric), s.v]));
  }

  it('selects a metric read by several selectors once', () => {
    expect(selectsOf('calls{code="500"} / calls')).toBe(1);
    expect(selectsOf('rate(calls{code="500"}[1m]) / rate(calls[1m])')).toBe(1);
    expect(selectsOf('100 * (calls{code="500"} or 0 * calls) / calls')).toBe(1);
  });

  it('scans a sum of rates series by series, unless its metric is shared: the error ratio selects once', () => {
    const errors = 'sum by (svc) (rate(calls{code="500"}[1m]))';
    const all = 'sum by (svc) (rate(calls[1m]))';
    const ratio = `100 * (${errors} or 0 * ${all}) / ${all}`;
    expect(readsOf(errors)).toEqual({ selects: 0, scans: 1 });
    expect(readsOf(ratio)).toEqual({ selects: 1, scans: 0 });
    const e = values(engine.rangeQuery(h, errors, 5 * M, 20 * M, 30_000));
    const a = values(engine.rangeQuery(h, all, 5 * M, 20 * M, 30_000));
    const r = values(engine.rangeQuery(h, ratio, 5 * M, 20 * M, 30_000));
    expect([...r.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, vs] of r) expect(vs).toEqual(e.get(k)!.map((x, i) => (100 * x) / a.get(k)![i]!));
  });

  it('selects again for other ranges, offsets and @', () => {
    expect(selectsOf('rate(calls{code="500"}[1m]) / rate(calls[2m])')).toBe(2);
    expect(selectsOf('calls{code="500"} / calls offset 1m')).toBe(2);
    expect(selectsOf('calls{code="500"} / calls @ 600')).toBe(2);
    expect(selectsOf('calls @ 600 / calls @ 600')).toBe(1);
    expect(selectsOf('calls offset 1m + calls offset 1m')).toBe(1);
  });

  it('plans with the snapshot’s ranges: a subquery’s selector is planned over its whole range', () => {
    const expr = parseExpr('max_over_time(calls[5m:1m]) > calls');
    const { plan } = selectionPlan(expr, 5 * M, 20 * M, 5 * M);
    expect(plan.map((p) => p.base)).toEqual([0, 1]);
  });
});
