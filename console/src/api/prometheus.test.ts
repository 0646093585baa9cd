import { afterEach, describe, expect, it, vi } from 'vitest';
import { PrometheusError, queryInstant } from './prometheus.js';

function answer(status: number, type: string, body: string): void {
  vi.stubGlobal('fetch', () => Promise.resolve(new Response(body, { status, headers: { 'content-type': type } })));
}

describe("the console's Prometheus client", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('says what came back when the metrics source is not Prometheus', async () => {
    answer(200, 'text/html; charset=utf-8', '<!doctype html>\n<title>Sign in</title>');
    await expect(queryInstant('up', 0)).rejects.toThrow(
      'the metrics source answered HTTP 200 text/html "<!doctype html> <title>Sign in</title>", not JSON',
    );
    answer(200, 'application/json', '{"traces":[]}');
    await expect(queryInstant('up', 0)).rejects.toThrow('not a Prometheus API answer');
  });

  it("passes on the backend's own refusal and Prometheus's errors", async () => {
    answer(502, 'application/json', '{"error":"upstream http://p:9090 unavailable: connect ECONNREFUSED"}');
    await expect(queryInstant('up', 0)).rejects.toThrow('upstream http://p:9090 unavailable: connect ECONNREFUSED');
    answer(400, 'application/json', '{"status":"error","errorType":"bad_data","error":"parse error"}');
    const err = await queryInstant('up(', 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err).toMatchObject({ errorType: 'bad_data', message: 'parse error', status: 400 });
  });
});
