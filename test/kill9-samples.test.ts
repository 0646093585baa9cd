// Every sample `orrery serve --data-dir` acknowledged with a 200 is still there after `kill -9`:
// senders push OTLP/HTTP metrics (unique series, one point per series per request, each a unique
// value at a unique whole-second timestamp) and record what was acknowledged; the built bin is
// SIGKILLed at random moments, or the instant a WAL checkpoint begins, and restarted; after each
// restart /api/v1/query_range (step 1 s, so each step lands on one sample's timestamp) must return
// every acknowledged sample with its value. Then a truncated and a corrupted segment: the start
// logs what was cut and serves the rest.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, serveBuilt, type ServedBin } from '../src/cli/testing/served-bin.js';

const ROUNDS = 20;
const SENDERS = 2;
const SERIES_PER_SENDER = 10;
/** timestamps run from 45 minutes ago, one second per request, never past the head's future window */
const T_START = Math.floor(Date.now() / 1000) * 1000 - 45 * 60_000;
const MAX_REQUESTS = 50 * 60;
/** small, so that checkpoints happen every few dozen requests */
const CHECKPOINT_SIZE = '16KB';

/** acknowledged samples: series name → (t ms → value) */
const acked = new Map<string, Map<number, number>>();

function body(sender: number, k: number): string {
  const timeUnixNano = `${T_START + k * 1000}000000`;
  const dataPoints = Array.from({ length: SERIES_PER_SENDER }, (_, i) => ({
    attributes: [{ key: 'series', value: { stringValue: `s${sender}-${i}` } }],
    timeUnixNano,
    asDouble: k * 1000 + sender * 100 + i,
  }));
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kill9' } }] },
        scopeMetrics: [{ scope: { name: 'kill9' }, metrics: [{ name: 'kill9_gauge', gauge: { dataPoints } }] }],
      },
    ],
  });
}

/** Sends until the server dies; returns how many requests were acknowledged. */
async function sendUntilDead(server: ServedBin, sender: number, next: { k: number }): Promise<number> {
  let ok = 0;
  while (next.k < MAX_REQUESTS) {
    // Never reuse a timestamp: an unacknowledged request may still have been stored.
    const k = next.k++;
    let status: number;
    let text: string;
    try {
      const r = await fetch(`${server.otlpHttp}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(sender, k),
      });
      status = r.status;
      text = await r.text();
    } catch {
      return ok; // killed
    }
    if (status !== 200) continue; // refused (503/429): not acknowledged, nothing to find
    // A 200 with rejected points would be a partial acknowledgement; the test sends none such.
    expect(text).not.toMatch(/rejected/i);
    ok++;
    for (let i = 0; i < SERIES_PER_SENDER; i++) {
      const name = `s${sender}-${i}`;
      let m = acked.get(name);
      if (!m) acked.set(name, (m = new Map()));
      m.set(T_START + k * 1000, k * 1000 + sender * 100 + i);
    }
  }
  return ok;
}

interface QueryRange {
  data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/** How many acknowledged samples query_range returns with their value, and which are missing. */
async function check(server: ServedBin): Promise<{ found: number; missing: string[] }> {
  const end = T_START / 1000 + MAX_REQUESTS;
  const r = await fetch(
    `${server.base}/api/v1/query_range?query=kill9_gauge&start=${T_START / 1000}&end=${end}&step=1`,
  );
  expect(r.status).toBe(200);
  const got = new Map<string, Map<number, number>>();
  for (const s of ((await r.json()) as QueryRange).data.result) {
    got.set(s.metric['series']!, new Map(s.values.map(([t, v]) => [Math.round(t * 1000), Number(v)])));
  }
  let found = 0;
  const missing: string[] = [];
  for (const [name, samples] of acked) {
    const series = got.get(name);
    for (const [t, v] of samples) {
      if (series?.get(t) === v) found++;
      else missing.push(`${name}@${t}=${v} (got ${series?.get(t)})`);
    }
  }
  return { found, missing };
}

const ackedCount = (): number => [...acked.values()].reduce((n, m) => n + m.size, 0);

describe('orrery serve --data-dir: samples under kill -9', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-kill9-'));
  const dataDir = path.join(dir, 'data');
  const walDir = path.join(dataDir, 'wal');
  const running: ChildProcess[] = [];
  const args = ['--data-dir', dataDir, '--wal-checkpoint-size', CHECKPOINT_SIZE];
  afterAll(async () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(running.map(exited));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<ServedBin> => {
    const s = await serveBuilt(args);
    running.push(s.child);
    return s;
  };

  it(`finds every acknowledged sample after each of ${ROUNDS} kills, some during a checkpoint`, async () => {
    const next = Array.from({ length: SENDERS }, () => ({ k: 0 }));
    let midCheckpoint = 0;
    let afterCheckpoints = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await start();
      const { found, missing } = await check(server);
      console.log(`round ${round}: ${found} of ${ackedCount()} acknowledged samples found, ${missing.length} missing`);
      expect(missing.slice(0, 5)).toEqual([]);
      const senders = next.map((n, i) => sendUntilDead(server, i, n));
      const onCheckpoint = round % 2 === 1;
      await new Promise<void>((resolve) => {
        let watcher: ReturnType<typeof watch> | undefined;
        const kill = (): void => {
          watcher?.close();
          server.child.kill('SIGKILL');
          resolve();
        };
        if (onCheckpoint) {
          // Killed the instant a checkpoint directory appears (or after 3 s without one). After a
          // restart the segments of the earlier runs are over the checkpoint size, so that is the
          // first commit of this run: the kill lands while everything acknowledged before is
          // being rewritten into the checkpoint.
          watcher = watch(walDir, (_event, name) => {
            if (name !== null && name.endsWith('.tmp')) kill();
          });
          setTimeout(kill, 3000);
        } else {
          setTimeout(kill, 100 + Math.random() * 700);
        }
      });
      expect(await exited(server.child)).toBe('SIGKILL');
      const sent = await Promise.all(senders);
      const unfinished = readdirSync(walDir).filter((n) => n.endsWith('.tmp'));
      if (unfinished.length > 0) midCheckpoint++;
      if (/checkpoint of segments/.test(server.output())) afterCheckpoints++;
      console.log(
        `round ${round}: killed ${onCheckpoint ? 'as a checkpoint began' : 'at a random moment'} after ` +
          `${sent.join('+')} acknowledged requests${unfinished.length > 0 ? ' (checkpoint unfinished)' : ''}`,
      );
    }
    const last = await start();
    const { found, missing } = await check(last);
    console.log(
      `after ${ROUNDS} kills: ${found} of ${ackedCount()} acknowledged samples found, ${missing.length} missing; ` +
        `${midCheckpoint} kills left a checkpoint unfinished, ${afterCheckpoints} runs wrote checkpoints`,
    );
    expect(missing.slice(0, 5)).toEqual([]);
    expect(found).toBe(ackedCount());
    expect(ackedCount()).toBeGreaterThan(ROUNDS * SERIES_PER_SENDER);
    expect(afterCheckpoints).toBeGreaterThan(0);
    expect(midCheckpoint).toBeGreaterThan(0);
    expect(last.output()).toMatch(/samples WAL .*: replayed \d+ series, \d+ samples/);
    last.child.kill('SIGKILL');
    await exited(last.child);
  }, 600_000);

  it('starts on a truncated and a corrupted segment, logs what was cut and serves the rest', async () => {
    // Fresh data: one run writes, then its last segment is truncated mid-record and an earlier one corrupted.
    const own = path.join(dir, 'corrupt');
    const ownArgs = ['--data-dir', own, '--wal-checkpoint-size', '1GB'];
    const first = await serveBuilt(ownArgs);
    running.push(first.child);
    for (let k = 0; k < 30; k++) {
      const r = await fetch(`${first.otlpHttp}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(7, k),
      });
      expect(r.status).toBe(200);
    }
    first.child.kill('SIGKILL');
    await exited(first.child);
    const wal = path.join(own, 'wal');
    const segments = readdirSync(wal)
      .filter((n) => /^\d{8}$/.test(n) && statSync(path.join(wal, n)).size > 0)
      .sort();
    const lastSeg = path.join(wal, segments.at(-1)!);
    const bytes = readFileSync(lastSeg);
    // Corrupt a byte two thirds in, then drop the final 7 bytes (a torn write).
    bytes[Math.floor((bytes.length * 2) / 3)]! ^= 0xff;
    writeFileSync(lastSeg, bytes.subarray(0, bytes.length - 7));

    const second = await serveBuilt(ownArgs);
    running.push(second.child);
    expect(second.output()).toMatch(/write-ahead log: .*: cut \d+ bytes at offset \d+ \(/);
    const health = await fetch(`${second.base}/healthz`);
    expect(health.status).toBe(200);
    const r = await fetch(
      `${second.base}/api/v1/query_range?query=kill9_gauge&start=${T_START / 1000}&end=${T_START / 1000 + 40}&step=1`,
    );
    const result = ((await r.json()) as QueryRange).data.result;
    const points = result.reduce((n, s) => n + s.values.length, 0);
    console.log(`after the cut: ${result.length} series, ${points} points served`);
    expect(result.length).toBe(SERIES_PER_SENDER);
    expect(points).toBeGreaterThan(0);
    expect(existsSync(wal)).toBe(true);
    second.child.kill('SIGKILL');
    await exited(second.child);
  }, 120_000);
});
