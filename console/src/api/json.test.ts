import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { ApiError, requestJson } from './json.js';

const schema = z.object({ items: z.array(z.object({ key: z.string() })) });

function answer(status: number, body: string): void {
  vi.stubGlobal('fetch', () => Promise.resolve(new Response(body, { status })));
}

describe('requestJson', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('returns the validated answer', async () => {
    answer(200, '{"items":[{"key":"a","extra":1}]}');
    expect(await requestJson('/api/x', schema)).toEqual({ items: [{ key: 'a' }] });
  });

  it('names the field of a malformed answer', async () => {
    answer(200, '{"items":[{"key":7}]}');
    await expect(requestJson('/api/x', schema)).rejects.toThrow(
      '/api/x: unexpected answer at items.0.key: expected string',
    );
  });

  it("keeps the server's own error text and status, and says when an answer is not JSON", async () => {
    answer(502, '{"error":"upstream unavailable"}');
    const e = await requestJson('/api/x', schema).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).message).toBe('upstream unavailable');
    expect((e as ApiError).status).toBe(502);
    answer(200, '<html>');
    await expect(requestJson('/api/x', schema)).rejects.toThrow('GET /api/x: HTTP 200, the answer is not JSON');
  });
});
