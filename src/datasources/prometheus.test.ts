import { describe, expect, it } from 'vitest';
import { QueryError } from '../promql/value.js';
import { decodeQueryAnswer } from './prometheus.js';

const ENGINE = 'http://prom:9090';

describe('decodeQueryAnswer', () => {
  it('reads vectors, matrices and scalars as the embedded engine returns them', () => {
    expect(
      decodeQueryAnswer(
        {
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: { a: 'b' }, value: [1700000000.5, '+Inf'] }] },
        },
        200,
        ENGINE,
      ),
    ).toEqual({ type: 'vector', samples: [{ metric: [{ name: 'a', value: 'b' }], t: 1700000000500, v: Infinity }] });
    expect(
      decodeQueryAnswer(
        {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: {},
                values: [
                  [1, '1'],
                  [2, 'NaN'],
                ],
              },
            ],
          },
        },
        200,
        ENGINE,
      ),
    ).toEqual({ type: 'matrix', series: [{ metric: [], t: [1000, 2000], v: [1, NaN] }] });
    expect(
      decodeQueryAnswer({ status: 'success', data: { resultType: 'scalar', result: [3, '2.5'] } }, 200, ENGINE),
    ).toEqual({
      type: 'scalar',
      t: 3000,
      v: 2.5,
    });
  });

  it("keeps Prometheus's error type and text", () => {
    const err = (() => {
      try {
        decodeQueryAnswer({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }, 400, ENGINE);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(QueryError);
    expect(err).toMatchObject({ errorType: 'bad_data', message: 'parse error at char 3' });
  });

  it('names the engine and what was wrong when the answer is not a query result', () => {
    expect(() => decodeQueryAnswer({ hello: 'world' }, 200, ENGINE)).toThrow(
      'http://prom:9090 answered HTTP 200 with an object without status "success" and data, not a Prometheus query result',
    );
    expect(() =>
      decodeQueryAnswer(
        { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 2] }] } },
        200,
        ENGINE,
      ),
    ).toThrow('a sample that is not [time, "value"]');
    expect(() =>
      decodeQueryAnswer(
        { status: 'success', data: { resultType: 'vector', result: [{ metric: { a: 1 }, value: [1, '2'] }] } },
        200,
        ENGINE,
      ),
    ).toThrow('a label "a" that is not a string');
  });
});
