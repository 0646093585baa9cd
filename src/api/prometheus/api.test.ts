import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { HttpApp } from '../router.js';
import { registerPrometheusApi } from './api.js';
import { Head } from '../../tsdb/head.js';
import { labelsFromRecord } from '../../labels/labels.js';
import { QueryError, type QueryEngine, type QueryOptions, type QueryValue } from '../../promql/value.js';
import { parseExpr } from '../../promql/parser/index.js';
import type { Querier } from '../../storage/storage.js';

/** A stand-in engine: canned results by query text, parse errors from the real parser. */
class StubEngine implements QueryEngine {
  calls: { kind: string; query: string; args: number[]; opts?: QueryOptions }[] = [];
  instantQuery(_q: Querier, query: string, timeMs: number, opts?: QueryOptions): QueryValue {
    this.calls.push({ kind: 'instant', query, args: [timeMs], opts });
    return this.answer(query, timeMs);
  }
  rangeQuery(_q: Querier, query: string, s: number, e: number, step: number, opts?: QueryOptions): QueryValue {
    this.calls.push({ kind: 'range', query, args: [s, e, step], opts });
    const series = [];
    const t: number[] = [];
    const v: number[] = [];
    for (let x = s; x <= e; x += step) {
      t.push(x);
      v.push(x / 1000);
    }
    series.push({ metric: labelsFromRecord({ a: 'b' }), t, v });
    return { type: 'matrix', series };
  }
  private answer(query: string, t: number): QueryValue {
    if (query === 'boom') throw new QueryError('execution', 'something failed');
    if (query === 'slow') throw new QueryError('timeout', 'query timed out in expression evaluation');
    if (query === 'bug') throw new TypeError('x is undefined');
    parseExprOrThrow(query);
    if (query === 'scalar') return { type: 'scalar', t, v: 1e-7 };
    if (query === 'str') return { type: 'string', t, v: 'a<b>&"\n' };
    if (query === 'mat')
      return {
        type: 'matrix',
        series: [
          { metric: labelsFromRecord({ __name__: 'm', x: 'y' }), t: [1000, 1500, 2050], v: [1, NaN, -Infinity] },
        ],
      };
    return {
      type: 'vector',
      samples: [
        { metric: labelsFromRecord({ __name__: 'up', job: 'j' }), t, v: Infinity },
        { metric: labelsFromRecord({ z: '\u2028' }), t, v: 1e21 },
        { metric: labelsFromRecord({}), t, v: -0 },
        { metric: labelsFromRecord({}), t, v: 123456789.125 },
      ],
    };
  }
}

function parseExprOrThrow(q: string): void {
  try {
    parseExpr(q);
  } catch (e) {
    throw new QueryError('bad_data', (e as Error).message);
  }
}

let server: Server;
let base = '';
const engine = new StubEngine();
const head = new Head();

beforeAll(async () => {
  const app = new HttpApp();
  registerPrometheusApi(app, { storage: head, engine, now: () => 1_700_000_000_123 });
  const s = await app.listen('127.0.0.1', 0);
  server = s.server;
  base = `http://127.0.0.1:${s.port}`;
  const up1 = labelsFromRecord({ __name__: 'up', job: 'a', instance: 'i1' });
  const up2 = labelsFromRecord({ __name__: 'up', job: 'b', instance: 'i2' });
  const other = labelsFromRecord({ __name__: 'http_requests_total', job: 'a', code: '200' });
  for (let t = 0; t <= 100_000; t += 10_000) {
    head.append(up1, t, 1);
    head.append(up2, t + 200_000, 0);
    head.append(other, t, t / 100);
  }
  head.appendExemplar(other, { labels: labelsFromRecord({ trace_id: 'abc' }), value: 5, t: 10_500 });
  head.appendExemplar(other, { labels: labelsFromRecord({ trace_id: 'def' }), value: 1e-9, t: 20_000 });
  head.setMetadata('up', { type: 'gauge', help: 'Up <or> down', unit: '' });
  head.setMetadata('http_requests_total', { type: 'counter', help: 'Requests.', unit: '' });
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.text() };
}

async function post(path: string, form: string): Promise<{ status: number; body: string }> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: res.status, body: await res.text() };
}

const err = (type: string, msg: string): string => JSON.stringify({ status: 'error', errorType: type, error: msg });

describe('/api/v1/query', () => {
  it('writes vectors as Prometheus does (values, timestamps, escapes)', async () => {
    const r = await get('/api/v1/query?query=up&time=1.5');
    expect(r.status).toBe(200);
    expect(r.body).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[' +
        '{"metric":{"__name__":"up","job":"j"},"value":[1.500,"+Inf"]},' +
        '{"metric":{"z":"\\u2028"},"value":[1.500,"1e+21"]},' +
        '{"metric":{},"value":[1.500,"-0"]},' +
        '{"metric":{},"value":[1.500,"123456789.125"]}]}}',
    );
  });

  it('defaults time to now and accepts RFC 3339', async () => {
    await get('/api/v1/query?query=up');
    expect(engine.calls.at(-1)!.args).toEqual([1_700_000_000_123]);
    await get('/api/v1/query?query=up&time=2015-07-01T20:10:51.781Z');
    expect(engine.calls.at(-1)!.args).toEqual([1435781451781]);
    await get('/api/v1/query?query=up&time=2015-07-01T20:10:51.7819999%2B01:00');
    expect(engine.calls.at(-1)!.args).toEqual([1435781451781 - 3_600_000]);
    await get('/api/v1/query?query=up&time=-0.0005');
    expect(engine.calls.at(-1)!.args).toEqual([-1]);
  });

  it('converts times to the engine milliseconds as Prometheus does (UnixNano wraps around)', async () => {
    // Figures read from Prometheus 2.42's answers to vector(1) at these times.
    const cases: [string, number][] = [
      ['1e300', 0],
      ['-1e300', 0],
      ['Inf', -9223372036854],
      ['NaN', -9223372036854],
      ['1e10', -8446744073709],
      ['1e11', 7766279631452],
      ['123456789012.3456', -5670419503620],
      ['2262-04-11T23:47:16.854775807Z', 9223372036854],
      ['2262-04-11T23:47:16.855Z', -9223372036854],
      ['9999-12-31T23:59:59Z', -4852116232933],
    ];
    for (const [time, ms] of cases) {
      await get(`/api/v1/query?query=up&time=${time}`);
      expect(engine.calls.at(-1)!.args, time).toEqual([ms]);
    }
    await get('/api/v1/query_range?query=up&start=1e300&end=1e300&step=1');
    expect(engine.calls.at(-1)!.args).toEqual([0, 0, 1000]);
  });

  it('writes scalars and strings', async () => {
    expect((await get('/api/v1/query?query=scalar&time=1.5')).body).toBe(
      '{"status":"success","data":{"resultType":"scalar","result":[1.5,"0.0000001"]}}',
    );
    expect((await get('/api/v1/query?query=str&time=1')).body).toBe(
      '{"status":"success","data":{"resultType":"string","result":[1,"a\\u003cb\\u003e\\u0026\\"\\n"]}}',
    );
  });

  it('writes matrices', async () => {
    expect((await get('/api/v1/query?query=mat&time=3')).body).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"m","x":"y"},"values":[[1,"1"],[1.500,"NaN"],[2.050,"-Inf"]]}]}}',
    );
  });

  it('rejects bad input with Prometheus wording', async () => {
    let r = await get('/api/v1/query?query=up&time=abc');
    expect(r.status).toBe(400);
    expect(r.body).toBe(
      err(
        'bad_data',
        `invalid parameter "time": Invalid time value for 'time': cannot parse "abc" to a valid timestamp`,
      ),
    );
    r = await get('/api/v1/query?query=up%2B&time=1');
    expect(r.status).toBe(400);
    expect(r.body).toBe(err('bad_data', 'invalid parameter "query": 1:4: parse error: unexpected end of input'));
    r = await get('/api/v1/query?query=up&timeout=abc');
    expect(r.body).toBe(err('bad_data', 'invalid parameter "timeout": cannot parse "abc" to a valid duration'));
    r = await get('/api/v1/query?query=up&time=2015-07-01t20:10:51Z');
    expect(r.status).toBe(400);
  });

  it('maps engine errors to HTTP codes', async () => {
    let r = await get('/api/v1/query?query=boom');
    expect(r.status).toBe(422);
    expect(r.body).toBe(err('execution', 'something failed'));
    r = await get('/api/v1/query?query=slow');
    expect(r.status).toBe(503);
    expect(r.body).toBe(err('timeout', 'query timed out in expression evaluation'));
    r = await get('/api/v1/query?query=bug');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body).errorType).toBe('internal');
  });

  it('passes the timeout parameter through', async () => {
    await get('/api/v1/query?query=up&timeout=1.5');
    expect(engine.calls.at(-1)!.opts).toEqual({ timeoutMs: 1500 });
    await get('/api/v1/query?query=up&timeout=2m');
    expect(engine.calls.at(-1)!.opts).toEqual({ timeoutMs: 120_000 });
  });

  it('reads POST form bodies, which take precedence over the URL', async () => {
    let r = await post('/api/v1/query?query=scalar&time=9', 'query=up&time=3');
    expect(r.status).toBe(200);
    expect(engine.calls.at(-1)).toMatchObject({ query: 'up', args: [3000] });
    r = await post('/api/v1/query?time=9', 'query=up');
    expect(engine.calls.at(-1)).toMatchObject({ query: 'up', args: [9000] });
  });
});

describe('/api/v1/query_range', () => {
  it('evaluates with step as seconds or duration', async () => {
    const r = await get('/api/v1/query_range?query=up&start=1&end=4&step=1.5');
    expect(r.body).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"1"],[2.500,"2.5"],[4,"4"]]}]}}',
    );
    await get('/api/v1/query_range?query=up&start=0&end=60&step=15s');
    expect(engine.calls.at(-1)!.args).toEqual([0, 60_000, 15_000]);
    await post('/api/v1/query_range', 'query=up&start=2015-07-01T20:10:30.781Z&end=2015-07-01T20:11:00.781Z&step=15');
    expect(engine.calls.at(-1)!.args).toEqual([1435781430781, 1435781460781, 15_000]);
  });

  it('rejects bad input with Prometheus wording', async () => {
    const cases: [string, string][] = [
      ['start=abc&end=2&step=1', 'invalid parameter "start": cannot parse "abc" to a valid timestamp'],
      ['start=1&end=&step=1', 'invalid parameter "end": cannot parse "" to a valid timestamp'],
      ['start=3&end=2&step=1', 'invalid parameter "end": end timestamp must not be before start time'],
      [
        'start=1&end=2&step=0',
        'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
      ],
      [
        'start=1&end=2&step=-1',
        'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
      ],
      ['start=1&end=2&step=x', 'invalid parameter "step": cannot parse "x" to a valid duration'],
      ['start=1&end=2&step=-1s', 'invalid parameter "step": cannot parse "-1s" to a valid duration'],
      ['start=1&end=2', 'invalid parameter "step": cannot parse "" to a valid duration'],
      [
        'start=1&end=11002&step=1',
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      ],
      ['start=1&end=2&step=1&timeout=x', 'invalid parameter "timeout": cannot parse "x" to a valid duration'],
    ];
    for (const [qs, msg] of cases) {
      const r = await get('/api/v1/query_range?query=up&' + qs);
      expect(r.status, qs).toBe(400);
      expect(r.body, qs).toBe(err('bad_data', msg));
    }
    // Exactly 11,000 steps is allowed.
    expect((await get('/api/v1/query_range?query=up&start=1&end=11001&step=1')).status).toBe(200);
  });
});

describe('/api/v1/series, labels, label values', () => {
  it('lists series for match[], merged and sorted', async () => {
    let r = await get('/api/v1/series?match[]=up');
    expect(JSON.parse(r.body)).toEqual({
      status: 'success',
      data: [
        { __name__: 'up', instance: 'i1', job: 'a' },
        { __name__: 'up', instance: 'i2', job: 'b' },
      ],
    });
    r = await get('/api/v1/series?match[]=up&match[]={job="a"}&start=0&end=100');
    expect(JSON.parse(r.body).data).toEqual([
      { __name__: 'http_requests_total', code: '200', job: 'a' },
      { __name__: 'up', instance: 'i1', job: 'a' },
    ]);
    r = await post('/api/v1/series', 'match[]=up{job="b"}');
    expect(JSON.parse(r.body).data).toEqual([{ __name__: 'up', instance: 'i2', job: 'b' }]);
  });

  it('rejects bad series requests', async () => {
    let r = await get('/api/v1/series');
    expect(r.body).toBe(err('bad_data', 'no match[] parameter provided'));
    r = await get('/api/v1/series?match[]=up{');
    expect(r.status).toBe(400);
    expect(r.body).toBe(
      err('bad_data', 'invalid parameter "match[]": 1:4: parse error: unexpected end of input inside braces'),
    );
    r = await get('/api/v1/series?match[]={a=""}');
    expect(r.body).toBe(
      err('bad_data', 'invalid parameter "match[]": match[] must contain at least one non-empty matcher'),
    );
    r = await get('/api/v1/series?match[]=up&start=x');
    expect(r.body).toBe(
      err(
        'bad_data',
        `invalid parameter "start": Invalid time value for 'start': cannot parse "x" to a valid timestamp`,
      ),
    );
  });

  it('lists label names and values', async () => {
    expect((await get('/api/v1/labels')).body).toBe('{"status":"success","data":["__name__","code","instance","job"]}');
    expect((await get('/api/v1/labels?match[]=up')).body).toBe(
      '{"status":"success","data":["__name__","instance","job"]}',
    );
    expect((await post('/api/v1/labels', 'match[]=http_requests_total')).body).toBe(
      '{"status":"success","data":["__name__","code","job"]}',
    );
    expect((await get('/api/v1/label/job/values')).body).toBe('{"status":"success","data":["a","b"]}');
    expect((await get('/api/v1/label/job/values?match[]=up&start=150&end=400')).body).toBe(
      '{"status":"success","data":["b"]}',
    );
    expect((await get('/api/v1/label/nope/values')).body).toBe('{"status":"success","data":[]}');
  });

  it('rejects bad label requests', async () => {
    let r = await get('/api/v1/label/foo-bar/values');
    expect(r.status).toBe(400);
    expect(r.body).toBe(err('bad_data', 'invalid label name: "foo-bar"'));
    r = await get('/api/v1/label/1abc/values');
    expect(r.body).toBe(err('bad_data', 'invalid label name: "1abc"'));
    r = await get('/api/v1/labels?match[]=up{');
    expect(r.body).toBe(err('bad_data', '1:4: parse error: unexpected end of input inside braces'));
    r = await get('/api/v1/label/job/values?match[]={a=~".*"}');
    expect(r.body).toBe(err('bad_data', 'match[] must contain at least one non-empty matcher'));
    r = await get('/api/v1/label/job/values?start=abc');
    expect(r.body).toBe(
      err(
        'bad_data',
        `invalid parameter "start": Invalid time value for 'start': cannot parse "abc" to a valid timestamp`,
      ),
    );
  });
});

describe('exemplars, metadata, buildinfo', () => {
  it('answers query_exemplars', async () => {
    let r = await get('/api/v1/query_exemplars?query=rate(http_requests_total[1m])&start=0&end=100');
    expect(r.body).toBe(
      '{"status":"success","data":[{"seriesLabels":{"__name__":"http_requests_total","code":"200","job":"a"},"exemplars":[' +
        '{"labels":{"trace_id":"abc"},"value":"5","timestamp":10.500},{"labels":{"trace_id":"def"},"value":"1e-09","timestamp":20}]}]}',
    );
    r = await get('/api/v1/query_exemplars?query=up');
    expect(r.body).toBe('{"status":"success","data":[]}');
    r = await get('/api/v1/query_exemplars?query=1');
    expect(r.status).toBe(204);
    r = await get('/api/v1/query_exemplars?query=up&start=5&end=1');
    expect(r.body).toBe(err('bad_data', 'end timestamp must not be before start timestamp'));
    r = await get('/api/v1/query_exemplars?query=up{');
    expect(r.body).toBe(err('bad_data', '1:4: parse error: unexpected end of input inside braces'));
  });

  it('finds the selectors of a 100,000-term chain for query_exemplars', async () => {
    const q = 'up' + ' + up'.repeat(50_000) + ' + http_requests_total' + ' + up'.repeat(50_000);
    const r = await post(
      '/api/v1/query_exemplars',
      new URLSearchParams({ query: q, start: '0', end: '100' }).toString(),
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).data).toHaveLength(1);
  });

  it('answers metadata', async () => {
    let r = await get('/api/v1/metadata?metric=up');
    expect(r.body).toBe(
      '{"status":"success","data":{"up":[{"type":"gauge","help":"Up \\u003cor\\u003e down","unit":""}]}}',
    );
    r = await get('/api/v1/metadata?limit=1');
    expect(Object.keys(JSON.parse(r.body).data).length).toBe(1);
    r = await get('/api/v1/metadata?limit=x');
    expect(r.body).toBe(err('bad_data', 'limit must be a number'));
    expect((await get('/api/v1/metadata?metric=nope')).body).toBe('{"status":"success","data":{}}');
  });

  it('answers buildinfo', async () => {
    const r = JSON.parse((await get('/api/v1/status/buildinfo')).body);
    expect(r.status).toBe('success');
    expect(Object.keys(r.data)).toEqual(['version', 'revision', 'branch', 'buildUser', 'buildDate', 'goVersion']);
    expect(r.data.version).toBe('2.42.0');
  });
});
