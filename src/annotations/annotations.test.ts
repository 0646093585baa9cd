import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { AnnotationStore } from './store.js';
import { HttpApp } from '../api/router.js';
import { registerAnnotationsApi } from '../api/annotations.js';

describe('AnnotationStore', () => {
  it('queries by overlap and tags, newest first, bounded', () => {
    const s = new AnnotationStore({ capacity: 3 });
    s.add({ time: 1000, tags: ['flag'], text: 'a' });
    s.add({ time: 2000, timeEnd: 5000, tags: ['flag', 'recommendationCache'], text: 'b' });
    s.add({ time: 3000, tags: ['restart'], text: 'c' });
    expect(s.query({ from: 4000, to: 6000 }).map((a) => a.text)).toEqual(['b']);
    expect(s.query({ tags: ['flag'] }).map((a) => a.text)).toEqual(['b', 'a']);
    expect(s.query({ tags: ['flag', 'recommendationCache'] }).map((a) => a.text)).toEqual(['b']);
    s.add({ time: 4000, tags: [], text: 'd' });
    expect(s.size).toBe(3);
    expect(s.dropped).toBe(1);
    expect(s.query().map((a) => a.text)).toEqual(['d', 'c', 'b']);
  });
});

describe('annotations API', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = new HttpApp();
    registerAnnotationsApi(app, new AnnotationStore({ now: () => 1234 }));
    const l = await app.listen('127.0.0.1', 0);
    server = l.server;
    base = `http://127.0.0.1:${l.port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = (body: string) =>
    fetch(`${base}/api/annotations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('adds and lists', async () => {
    const r = await post(
      JSON.stringify({ time: 1000, tags: ['flag', 'recommendationCache'], text: 'recommendationCache on' }),
    );
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ id: 1, message: 'Annotation added' });
    await post(JSON.stringify({ tags: ['restart'], text: 'recommendationservice restarted' }));
    const all = (await (await fetch(`${base}/api/annotations`)).json()) as { text: string; time: number }[];
    expect(all.map((a) => [a.text, a.time])).toEqual([
      ['recommendationservice restarted', 1234],
      ['recommendationCache on', 1000],
    ]);
    const flagged = (await (await fetch(`${base}/api/annotations?from=0&to=2000&tags=flag`)).json()) as unknown[];
    expect(flagged).toEqual([
      { id: 1, time: 1000, tags: ['flag', 'recommendationCache'], text: 'recommendationCache on' },
    ]);
  });

  it('rejects bad input with 400', async () => {
    for (const body of [
      '',
      'nope',
      '[]',
      '{}',
      '{"text":""}',
      '{"text":"x","time":"1"}',
      '{"text":"x","time":1e20}',
      '{"text":"x","tags":"a"}',
      '{"text":"x","tags":[1]}',
      `{"text":"${'x'.repeat(5000)}"}`,
      '{"text":"x","time":10,"timeEnd":5}',
    ]) {
      const r = await post(body);
      expect(r.status, body.slice(0, 40)).toBe(400);
      expect(((await r.json()) as { message: string }).message).toBeTruthy();
    }
    expect((await fetch(`${base}/api/annotations?from=abc`)).status).toBe(400);
  });
});
