import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchComparison, fetchFindings } from './diagnosis.js';

function answer(status: number, body: unknown): string[] {
  const urls: string[] = [];
  vi.stubGlobal('fetch', (url: string) => {
    urls.push(url);
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  return urls;
}

describe('the diagnosis API client', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads a comparison in the documented shape, both kinds of attribute', async () => {
    const urls = answer(200, {
      data: {
        selected: 20,
        baseline: 380,
        attributes: [
          {
            key: 'app.cache_hit',
            kind: 'categorical',
            score: 0.9,
            explanation: 'app.cache_hit=false is on 100% …',
            values: [
              { value: 'false', label: 'false', selected: 20, baseline: 80, selectedShare: 1, baselineShare: 0.21 },
              { value: null, label: '(not set)', selected: 0, baseline: 3, selectedShare: 0, baselineShare: 0.01 },
            ],
          },
          {
            key: 'app.products.count',
            kind: 'numeric',
            score: 0.7,
            explanation: 'The median …',
            values: [{ from: 1, to: 2, selected: 3, baseline: 4 }],
            quantiles: { selected: null, baseline: { p0: 1, p25: 1, p50: 1, p75: 1, p90: 1, p99: 1, p100: 1 } },
          },
        ],
      },
    });
    const c = await fetchComparison(new URLSearchParams('service=s&select=errors'));
    expect(urls).toEqual(['/api/orrery/v1/compare?service=s&select=errors']);
    expect(c.attributes.map((a) => a.kind)).toEqual(['categorical', 'numeric']);
    expect(c.message).toBeUndefined();
  });

  it("says the server's message on a refusal", async () => {
    answer(400, { message: "'percent' must be a number above 0 and below 100" });
    await expect(fetchComparison(new URLSearchParams('select=slowest&percent=100'))).rejects.toThrow(
      "'percent' must be a number above 0 and below 100",
    );
  });

  it('refuses a malformed answer, naming where', async () => {
    answer(200, { data: { selected: 'many', baseline: 1, attributes: [] } });
    await expect(fetchComparison(new URLSearchParams())).rejects.toThrow(/unexpected answer at data\.selected/);
  });

  it('reads findings for a lookback', async () => {
    const urls = answer(200, { data: [] });
    expect(await fetchFindings('15m')).toEqual([]);
    expect(urls).toEqual(['/api/orrery/v1/findings?lookback=15m']);
  });
});
