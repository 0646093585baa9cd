// The flag service: file validation, the fractional rule, atomic writes, live reload, last-good
// flags on a broken file, OFREP shapes and the management API's 400s.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import {
  applySetting,
  fractionalProbability,
  fractionalRule,
  parseFlagFile,
  parseSetting,
} from '../demo/flags/definitions.js';
import { FlagStore } from '../demo/flags/store.js';
import { createFlagServer } from '../demo/flags/server.js';
import { evaluateBulk, evaluateSingle } from '../demo/flags/ofrep.js';
import { FLAGS } from '../src/names/contract.js';

const DEFAULTS = readFileSync(new URL('../demo/flags/flags.json', import.meta.url), 'utf8');

const waitFor = async (cond: () => boolean | Promise<boolean>, ms: number): Promise<number> => {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await cond()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
};

describe('flag file validation', () => {
  it('accepts the bundled defaults with every contract flag and a description', () => {
    const r = parseFlagFile(DEFAULTS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const key of Object.values(FLAGS)) {
      expect(r.file.flags[key]?.defaultVariant).toBe('off');
      expect(String(r.file.flags[key]?.metadata?.description)).not.toBe('');
    }
  });

  it.each([
    ['{"flags": {', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"flag": {}}', /"flags"/],
    ['{"flags":{"a":{"state":"MAYBE","variants":{"on":true},"defaultVariant":"on"}}}', /flag a: state "MAYBE"/],
    [
      '{"flags":{"a":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"yes"}}}',
      /defaultVariant "yes" is not one of its variants on, off/,
    ],
    ['{"flags":{"a":{"state":"ENABLED","variants":{},"defaultVariant":"on"}}}', /non-empty/],
    ['{"flags":{"a":{"state":"ENABLED","variants":{"on":true,"off":1},"defaultVariant":"on"}}}', /mix types/],
    [
      '{"flags":{"a":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"on","targeting":{"fractional":[["maybe",50]]}}}}',
      /does not name a variant/,
    ],
  ])('rejects %s with a clear reason', (text, reason) => {
    const r = parseFlagFile(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  it('parses API values strictly', () => {
    expect(parseSetting('on')).toBe('on');
    expect(parseSetting(0.25)).toBe(0.25);
    expect(parseSetting('0.5')).toBe(0.5);
    for (const bad of ['maybe', 1.5, -0.1, '2', null, true, 'NaN'])
      expect(() => parseSetting(bad)).toThrow(/on|probability/);
  });
});

describe('fractional rule', () => {
  it('writes integer weights and reads the probability back', () => {
    expect(fractionalRule(0.5)).toEqual({
      fractional: [
        ['on', 50],
        ['off', 50],
      ],
    });
    expect(fractionalRule(0.125)).toEqual({
      fractional: [
        ['on', 1250],
        ['off', 8750],
      ],
    });
    expect(fractionalProbability(fractionalRule(0.3))).toBeCloseTo(0.3);
    expect(fractionalProbability({ if: [true, 'on', 'off'] })).toBeUndefined();
  });

  it('splits evaluations about evenly with a fresh targeting key each time', () => {
    const base = parseFlagFile(DEFAULTS);
    if (!base.ok) throw new Error(base.error);
    const flags = {
      ...base.file.flags,
      recommendationCache: applySetting('recommendationCache', base.file.flags.recommendationCache!, 0.5),
    };
    const r = parseFlagFile(JSON.stringify({ flags }));
    if (!r.ok) throw new Error(r.error);
    let on = 0;
    for (let i = 0; i < 2000; i++) {
      const res = evaluateSingle(r.core, 'recommendationCache', '{"context":{}}');
      if ((res.body as { value: boolean }).value === true) on++;
    }
    expect(on / 2000).toBeGreaterThan(0.44);
    expect(on / 2000).toBeLessThan(0.56);
    // on/off remove the rule again
    const off = applySetting('recommendationCache', flags.recommendationCache, 'on');
    expect(off.targeting).toBeUndefined();
    expect(off.defaultVariant).toBe('on');
  });
});

describe('OFREP shapes', () => {
  const parsed = parseFlagFile(DEFAULTS);
  if (!parsed.ok) throw new Error(parsed.error);
  const core = parsed.core;

  it('answers a single evaluation with key, value, reason, variant, metadata', () => {
    const r = evaluateSingle(core, 'adServiceFailure', JSON.stringify({ context: { targetingKey: 'u1' } }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: 'adServiceFailure', value: false, reason: 'STATIC', variant: 'off' });
    expect((r.body as { metadata: Record<string, unknown> }).metadata.description).toMatch(/ad service/);
  });

  it('maps errors to OFREP codes and HTTP statuses', () => {
    expect(evaluateSingle(core, 'nope', '{}')).toMatchObject({
      status: 404,
      body: { key: 'nope', errorCode: 'FLAG_NOT_FOUND' },
    });
    expect(evaluateSingle(core, 'adServiceFailure', '{oops')).toMatchObject({
      status: 400,
      body: { errorCode: 'PARSE_ERROR' },
    });
    expect(evaluateSingle(core, 'adServiceFailure', '{"context": 5}')).toMatchObject({
      status: 400,
      body: { errorCode: 'INVALID_CONTEXT' },
    });
    expect(evaluateSingle(core, 'adServiceFailure', '{"context": {"targetingKey": 5}}')).toMatchObject({
      status: 400,
      body: { errorCode: 'INVALID_CONTEXT' },
    });
  });

  it('evaluates every flag in bulk', () => {
    const r = evaluateBulk(core, '');
    expect(r.status).toBe(200);
    const flags = (r.body as { flags: Array<{ key: string }> }).flags;
    expect(flags.map((f) => f.key).sort()).toEqual(Object.values(FLAGS).sort());
  });
});

describe('flag store and API', () => {
  let dir: string;
  let file: string;
  let store: FlagStore;
  let server: http.Server;
  let base: string;
  let logs: string[];
  let annotations: Array<{ time: number; tags: string[]; text: string }>;
  let annoServer: http.Server;

  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'orrery-flags-test-'));
    file = path.join(dir, 'flags.json');
    await fsp.writeFile(file, DEFAULTS);
    logs = [];
    annotations = [];
    annoServer = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        annotations.push(JSON.parse(b) as { time: number; tags: string[]; text: string });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => annoServer.listen(0, '127.0.0.1', r));
    const annoUrl = `http://127.0.0.1:${(annoServer.address() as AddressInfo).port}/api/annotations`;
    store = await FlagStore.open({ file, fallbackText: DEFAULTS, log: (l) => logs.push(l), pollMs: 300 });
    store.watch();
    server = createFlagServer({ store, annotationsUrl: annoUrl, log: (l) => logs.push(l) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    store.close();
    server.closeAllConnections();
    annoServer.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => annoServer.close(r));
    await fsp.rm(dir, { recursive: true, force: true });
  });

  const put = (key: string, body: unknown): Promise<Response> =>
    fetch(`${base}/api/flags/${key}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('lists flags with description, state, variants, defaultVariant and value', async () => {
    const list = (await (await fetch(`${base}/api/flags`)).json()) as Array<Record<string, unknown>>;
    const rc = list.find((f) => f.key === 'recommendationCache');
    expect(rc).toMatchObject({
      state: 'ENABLED',
      defaultVariant: 'off',
      value: 'off',
      variants: { on: true, off: false },
    });
    expect(String(rc?.description)).toMatch(/leak/);
  });

  it('sets on, a probability and off; writes the file atomically and annotates', async () => {
    const inodeBefore = (await fsp.stat(file)).ino;
    let r = await put('recommendationCache', { value: 'on' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ key: 'recommendationCache', value: 'on', defaultVariant: 'on' });
    // atomic: a new inode (rename over the old file), no temp files left behind
    expect((await fsp.stat(file)).ino).not.toBe(inodeBefore);
    expect((await fsp.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const onDisk = JSON.parse(await fsp.readFile(file, 'utf8')) as {
      flags: Record<string, { defaultVariant: string; targeting?: unknown }>;
    };
    expect(onDisk.flags.recommendationCache?.defaultVariant).toBe('on');
    const ev = await fetch(`${base}/ofrep/v1/evaluate/flags/recommendationCache`, {
      method: 'POST',
      body: '{"context":{}}',
    });
    expect(await ev.json()).toMatchObject({ value: true, variant: 'on' });

    r = await put('recommendationCache', { value: 0.25 });
    expect(await r.json()).toMatchObject({ value: 0.25 });
    const frac = JSON.parse(await fsp.readFile(file, 'utf8')) as { flags: Record<string, { targeting?: unknown }> };
    expect(frac.flags.recommendationCache?.targeting).toEqual({
      fractional: [
        ['on', 25],
        ['off', 75],
      ],
    });

    r = await put('recommendationCache', { value: 'off' });
    expect(await r.json()).toMatchObject({ value: 'off' });
    await waitFor(() => annotations.length === 3, 2000);
    expect(annotations[0]).toMatchObject({ tags: ['flag', 'recommendationCache'], text: 'recommendationCache → on' });
    expect(annotations[1]?.text).toBe('recommendationCache → 25% on');
    expect(typeof annotations[0]?.time).toBe('number');
  });

  it('answers 400 with the reason for an unknown flag or a bad value', async () => {
    let r = await put('noSuchFlag', { value: 'on' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/unknown flag "noSuchFlag"/);
    r = await put('recommendationCache', { value: 7 });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/from 0 to 1/);
    r = await put('recommendationCache', { nothing: 1 });
    expect(r.status).toBe(400);
    r = await fetch(`${base}/api/flags/recommendationCache`, { method: 'PUT', body: 'not json' });
    expect(r.status).toBe(400);
  });

  it('reloads an edited file within 2 s', async () => {
    const edited = JSON.parse(DEFAULTS) as { flags: Record<string, { defaultVariant: string }> };
    edited.flags.paymentServiceFailure!.defaultVariant = 'on';
    await fsp.writeFile(file, JSON.stringify(edited));
    const ms = await waitFor(async () => {
      const f = (await (await fetch(`${base}/api/flags/paymentServiceFailure`)).json()) as { value: string };
      return f.value === 'on';
    }, 2000);
    console.log(`[flags] an edited flag file took effect after ${ms} ms (the README promises 2 s)`);
    expect(ms).toBeLessThan(2000);
  });

  it('keeps the last good flags when the file breaks, and reports why', async () => {
    await put('cartServiceFailure', { value: 'on' });
    const broken = DEFAULTS.replace('"defaultVariant": "off"', '"defaultVariant": "sometimes"');
    await fsp.writeFile(file, broken);
    await waitFor(async () => {
      const s = (await (await fetch(`${base}/api/flags/status`)).json()) as { error: { message: string } | null };
      return s.error !== null;
    }, 2000);
    const s = (await (await fetch(`${base}/api/flags/status`)).json()) as { error: { message: string } };
    expect(s.error.message).toMatch(/recommendationCache: defaultVariant "sometimes" is not one of its variants/);
    const listRes = await fetch(`${base}/api/flags`);
    expect(decodeURIComponent(listRes.headers.get('x-flags-error') ?? '')).toMatch(/sometimes/);
    const list = (await listRes.json()) as Array<{ key: string; value: string }>;
    expect(list.find((f) => f.key === 'cartServiceFailure')?.value).toBe('on'); // last good still in force
    expect(logs.some((l) => /error: .*sometimes.*keeping the last good flags/.test(l))).toBe(true);
    // a valid file again clears the error
    await fsp.writeFile(file, DEFAULTS);
    await waitFor(async () => {
      const st = (await (await fetch(`${base}/api/flags/status`)).json()) as { error: unknown };
      return st.error === null;
    }, 2000);
  });

  it('starts from the built-in defaults when the file is invalid at start', async () => {
    await fsp.writeFile(file, '{ broken');
    const s2 = await FlagStore.open({ file, fallbackText: DEFAULTS, log: () => undefined });
    expect(s2.status().error?.message).toMatch(/not valid JSON/);
    expect(s2.list()).toHaveLength(5);
    s2.close();
  });
});
