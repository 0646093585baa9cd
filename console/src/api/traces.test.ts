import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchServices, fetchTrace, JaegerApiError, searchTraces } from './traces.js';

function answer(status: number, body: unknown): void {
  vi.stubGlobal('fetch', () =>
    Promise.resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })),
  );
}

const span = {
  traceID: 'ab',
  spanID: '01',
  operationName: 'GET',
  references: null,
  startTime: 1,
  duration: 2,
  tags: null,
  logs: null,
  processID: 'p1',
};

afterEach(() => vi.unstubAllGlobals());

describe('Jaeger API client', () => {
  it('reads the envelope; lists Jaeger sends as null become empty', async () => {
    answer(200, {
      data: [{ traceID: 'ab', spans: [span], processes: { p1: { serviceName: 's', tags: [] } } }],
      errors: null,
    });
    const [t] = await searchTraces(new URLSearchParams({ service: 's' }));
    expect(t!.spans[0]!.tags).toEqual([]);
    expect(t!.spans[0]!.references).toEqual([]);
    answer(200, { data: null, total: 0 });
    expect(await fetchServices()).toEqual([]);
  });

  it('a missing or malformed trace is null; other failures carry Jaeger’s message', async () => {
    answer(404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
    expect(await fetchTrace('ab')).toBeNull();
    answer(400, { data: null, errors: [{ code: 400, msg: 'bad id' }] });
    expect(await fetchTrace('zz')).toBeNull();
    answer(400, { data: null, errors: [{ code: 400, msg: "unable to parse param 'limit'" }] });
    await expect(searchTraces(new URLSearchParams())).rejects.toThrow("unable to parse param 'limit'");
    answer(502, '<html>bad gateway</html>');
    await expect(fetchServices()).rejects.toThrow('/api/services: HTTP 502, not JSON');
  });

  it('an answer of the wrong shape names the field', async () => {
    answer(200, { data: [{ traceID: 'ab', spans: [{ ...span, duration: 'long' }], processes: {} }] });
    const err = await searchTraces(new URLSearchParams()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JaegerApiError);
    expect((err as Error).message).toBe('/api/traces: unexpected answer at data.0.spans.0.duration: expected number');
  });
});
