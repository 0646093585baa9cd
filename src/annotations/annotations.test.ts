import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ANNOTATIONS_FILE, ANNOTATIONS_WAL_DIR, AnnotationStore } from './store.js';
import { WriteAheadLog } from '../wal/wal.js';
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

describe('AnnotationStore with a data directory', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'orrery-annotations-'));
    dirs.push(d);
    return d;
  };
  /** The records of the annotation log as parsed JSON, read as a restart would. */
  const logged = (dir: string): unknown[] => {
    const out: unknown[] = [];
    new WriteAheadLog({ dir: path.join(dir, ANNOTATIONS_WAL_DIR), log: () => {} }).replay((r) =>
      out.push(JSON.parse(new TextDecoder().decode(r))),
    );
    return out;
  };

  it('writes each annotation to the log before add() returns', async () => {
    const dir = tempDir();
    const s = new AnnotationStore({ dataDir: dir });
    await s.start();
    const a = s.add({ time: 1000, tags: ['flag'], text: 'on' });
    // No shutdown: what a kill -9 right after the 200 would leave behind.
    expect(logged(dir)).toEqual([{ id: a.id, time: 1000, tags: ['flag'], text: 'on' }]);
    const back = new AnnotationStore({ dataDir: dir });
    await back.start();
    expect(back.query()).toEqual([a]);
    expect(back.add({ time: 2000, text: 'next' }).id).toBe(a.id + 1);
    s.shutdown();
    back.shutdown();
  });

  it('cuts a torn tail of the log, counts and logs it, and keeps the rest', async () => {
    const dir = tempDir();
    const s = new AnnotationStore({ dataDir: dir });
    await s.start();
    s.add({ time: 1000, text: 'a' });
    s.add({ time: 2000, text: 'b' });
    s.shutdown();
    const walDir = path.join(dir, ANNOTATIONS_WAL_DIR);
    const newest = readdirSync(walDir)
      .filter((n) => /^\d{8}$/.test(n) && statSync(path.join(walDir, n)).size > 0)
      .sort()
      .at(-1)!;
    appendFileSync(path.join(walDir, newest), Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 123])); // a torn frame
    const lines: string[] = [];
    const back = new AnnotationStore({ dataDir: dir, log: (l) => lines.push(l) });
    await back.start();
    expect(back.query().map((x) => x.text)).toEqual(['b', 'a']);
    expect(back.unreadableRecords).toBe(1);
    expect(lines.join('\n')).toMatch(/cut 9 bytes/);
    back.shutdown();
  });

  it('imports the annotations.jsonl of earlier versions once, skipping unreadable lines', async () => {
    const dir = tempDir();
    const file = path.join(dir, ANNOTATIONS_FILE);
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 1, time: 1000, tags: [], text: 'a' }),
        '{"id":2,"time":"yesterday","tags":[],"text":"b"}',
        JSON.stringify({ id: 3, time: 3000, timeEnd: 4000, tags: ['x'], text: 'c' }),
        '{"id":4,"time":4000,"ta',
      ].join('\n'),
    );
    const lines: string[] = [];
    const s = new AnnotationStore({ dataDir: dir, log: (l) => lines.push(l) });
    await s.start();
    expect(s.query().map((a) => a.text)).toEqual(['c', 'a']);
    expect(s.unreadableRecords).toBe(2);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('torn last line');
    expect(existsSync(file)).toBe(false);
    expect(s.add({ time: 5000, text: 'd' }).id).toBe(4);
    s.shutdown();
    const back = new AnnotationStore({ dataDir: dir });
    await back.start();
    expect(back.query().map((a) => a.text)).toEqual(['d', 'c', 'a']);
    back.shutdown();
  });

  it('imports the annotations.json of earlier versions once', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'annotations.json'),
      JSON.stringify([{ id: 7, time: 1000, tags: ['restart'], text: 'old' }, { bogus: true }]),
    );
    const s = new AnnotationStore({ dataDir: dir });
    await s.start();
    expect(s.query().map((a) => [a.id, a.text])).toEqual([[1, 'old']]);
    expect(existsSync(path.join(dir, 'annotations.json'))).toBe(false);
    expect(logged(dir)).toEqual([{ id: 1, time: 1000, tags: ['restart'], text: 'old' }]);
    s.shutdown();
  });

  it('keeps the log bounded by replacing it with a checkpoint once it holds twice the capacity', async () => {
    const dir = tempDir();
    const s = new AnnotationStore({ dataDir: dir, capacity: 3 });
    await s.start();
    for (let i = 0; i < 7; i++) s.add({ time: 1000 + i, text: `n${i}` });
    expect(logged(dir).length).toBeLessThanOrEqual(6);
    s.shutdown();
    const back = new AnnotationStore({ dataDir: dir, capacity: 3 });
    await back.start();
    expect(back.query().map((a) => a.text)).toEqual(['n6', 'n5', 'n4']);
    back.shutdown();
  });
});
