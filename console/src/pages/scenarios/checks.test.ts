import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Flag } from '../../api/flags.js';
import { conditionHolds, evaluateCheck, evaluateSteps } from './checks.js';

const flag = (value: string | number): Flag => ({
  key: 'recommendationCache',
  description: '',
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant: 'off',
  value,
  customTargeting: false,
});

const ctx = (over: Partial<Parameters<typeof evaluateCheck>[1]> = {}): Parameters<typeof evaluateCheck>[1] => ({
  sinceMs: 0,
  previousTickMs: 0,
  nowMs: 1_000_000,
  visits: [],
  flags: () => Promise.resolve([flag('on')]),
  ...over,
});

/** Answers fetch by path with a JSON body (the APIs the checks call). */
function serve(routes: Record<string, unknown>): void {
  vi.stubGlobal('fetch', async (url: string) => {
    const path = new URL(url, 'http://console').pathname;
    const body = routes[path];
    return new Response(JSON.stringify(body ?? { errors: [{ code: 404, msg: 'not found' }] }), {
      status: body === undefined ? 404 : 200,
      headers: { 'content-type': 'application/json' },
    });
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('scenario checks', () => {
  it('holds a PromQL condition when it returns a sample', () => {
    expect(conditionHolds({ resultType: 'vector', result: [{ metric: {}, value: [1, '250000'] }] })).toEqual({
      holds: true,
      detail: 'holds: 250000',
    });
    expect(conditionHolds({ resultType: 'vector', result: [] }).holds).toBe(false);
    expect(
      conditionHolds({ resultType: 'vector', result: [{ metric: {}, value: [1, '111874.14867435626'] }] }).detail,
    ).toBe('holds: 111900');
    expect(conditionHolds({ resultType: 'scalar', result: [1, '0'] }).holds).toBe(false);
  });

  it("compares a flag's value, and says what it is", async () => {
    expect(await evaluateCheck({ kind: 'flag', flag: 'recommendationCache', value: 'on' }, ctx())).toEqual({
      holds: true,
      detail: 'recommendationCache is on',
    });
    const half = await evaluateCheck(
      { kind: 'flag', flag: 'recommendationCache', value: 'on' },
      ctx({ flags: () => Promise.resolve([flag(0.5)]) }),
    );
    expect(half).toEqual({ holds: false, detail: 'recommendationCache is 50% on' });
    expect((await evaluateCheck({ kind: 'flag', flag: 'nope', value: 'on' }, ctx())).detail).toMatch(/no flag nope/);
  });

  it("runs a PromQL condition through the API and reports the query's error as not holding", async () => {
    vi.stubGlobal('fetch', async () =>
      Response.json(
        { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' },
        { status: 400 },
      ),
    );
    const r = await evaluateCheck({ kind: 'promql', expr: 'up >', description: 'd', afterMs: 0 }, ctx());
    expect(r).toEqual({ holds: false, detail: 'cannot check: 1:5: parse error: unexpected end of input' });
  });

  it('waits with a condition until its window lies after the step before', async () => {
    let queried = 0;
    vi.stubGlobal('fetch', async () => {
      queried++;
      return Response.json({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, '2e5'] }] },
      });
    });
    const c = { kind: 'promql' as const, expr: 'deriv(m[2m]) > 100000', description: 'rising', afterMs: 120_000 };
    expect(await evaluateCheck(c, ctx({ previousTickMs: null }))).toEqual({
      holds: false,
      detail: 'waits for the step before',
    });
    expect(await evaluateCheck(c, ctx({ previousTickMs: 1_000_000 - 30_000 }))).toEqual({
      holds: false,
      detail: 'checked in 90 s',
    });
    expect(queried).toBe(0);
    expect(await evaluateCheck(c, ctx({ previousTickMs: 1_000_000 - 120_000 }))).toEqual({
      holds: true,
      detail: 'holds: 200000',
    });
    expect(queried).toBe(1);
  });

  it('holds a trace visit only when a span of the service carries the tag', async () => {
    const trace = (id: string, hit: boolean) => ({
      data: [
        {
          traceID: id,
          spans: [
            {
              traceID: id,
              spanID: '01',
              operationName: 'get_product_list',
              references: [],
              startTime: 1,
              duration: 2,
              tags: [{ key: 'app.cache_hit', type: 'bool', value: hit }],
              logs: [],
              processID: 'p1',
            },
          ],
          processes: { p1: { serviceName: 'recommendationservice', tags: [] } },
        },
      ],
    });
    serve({ '/api/traces/aa01': trace('aa01', true), '/api/traces/bb02': trace('bb02', false) });
    const c = {
      kind: 'visit' as const,
      path: '/trace/',
      params: {},
      spanTag: { service: 'recommendationservice', key: 'app.cache_hit', value: 'false' },
    };
    const hitOnly = await evaluateCheck(c, ctx({ visits: [{ path: '/trace/aa01', search: '', at: 5 }] }));
    expect(hitOnly).toEqual({ holds: false, detail: '1 trace opened, none with app.cache_hit=false' });
    const both = await evaluateCheck(
      c,
      ctx({
        visits: [
          { path: '/trace/aa01', search: '', at: 5 },
          { path: '/trace/bb02', search: '', at: 6 },
        ],
      }),
    );
    expect(both).toEqual({ holds: true, detail: 'trace bb02 opened' });
    // before the scenario started, a visit does not count
    expect(
      (await evaluateCheck(c, ctx({ sinceMs: 10, visits: [{ path: '/trace/bb02', search: '', at: 6 }] }))).holds,
    ).toBe(false);
  });

  it('reads the flags once for all the steps', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', async () => {
      calls++;
      return Response.json([flag('off')]);
    });
    const results = await evaluateSteps(
      [
        { checks: [{ kind: 'flag', flag: 'recommendationCache', value: 'on' }] },
        { checks: [{ kind: 'flag', flag: 'recommendationCache', value: 'off' }] },
      ],
      { sinceMs: 0, nowMs: 0, visits: [] },
      [null, null],
    );
    expect(results.map((r) => r.map((c) => c.holds))).toEqual([[false], [true]]);
    expect(calls).toBe(1);
  });
});
