// Log records acknowledged with a 200 survive `kill -9` of `orrery serve --data-dir`, round after
// round on the same data directory: senders post OTLP/HTTP log requests, each record with a
// unique line, the built bin is killed with SIGKILL at a random moment or the instant a log WAL
// checkpoint begins (a small --wal-checkpoint-size makes them frequent), started again, and
// every line a 200 acknowledged must be back through /loki/api/v1/query_range.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, serveBuilt, type ServedBin } from '../src/cli/testing/served-bin.js';
import { firstAck, sendAcked, type FirstAck } from './support/acked-sender.js';

const ROUNDS = 12;
const SENDERS = 3;
const RECORDS_PER_REQUEST = 10;
/** Loki's max_entries_limit_per_query, the largest page query_range gives */
const PAGE = 5000;
/** small, so that the log store checkpoints every second or so of sending */
const CHECKPOINT_SIZE = '256KB';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** One request of RECORDS_PER_REQUEST records, each with a unique line. */
function request(): { body: string; items: string[] } {
  const lines: string[] = [];
  const logRecords = Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => {
    const line = `kill9 order ${hex(8)} handled in ${i * 7} ms`;
    lines.push(line);
    return {
      timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i * 1000)),
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: line },
      traceId: hex(16),
      spanId: hex(8),
      attributes: [{ key: 'app.payload', value: { stringValue: hex(40) } }],
    };
  });
  const body = JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kill9' } }] },
        scopeLogs: [{ scope: { name: 'kill9-sender' }, logRecords }],
      },
    ],
  });
  return { body, items: lines };
}

/** Posts requests until stopped, adding to `acked` the lines of every request a 200 answered. */
function send(otlp: string, acked: Set<string>, stop: { stopped: boolean }, first: FirstAck): Promise<number> {
  return sendAcked({
    url: `${otlp}/v1/logs`,
    next: request,
    onAck: (lines) => {
      first.open();
      for (const l of lines) acked.add(l);
    },
    stop,
  });
}

interface QueryRange {
  data: { result: { values: [string, string][] }[] };
}

/** Every line of service kill9 in [startNs, endNs], read forward a page at a time. */
async function allLines(api: string, startNs: bigint, endNs: bigint): Promise<Set<string>> {
  const found = new Set<string>();
  let from = startNs;
  for (;;) {
    const q = new URLSearchParams({
      query: '{service_name="kill9"}',
      start: String(from),
      end: String(endNs),
      limit: String(PAGE),
      direction: 'forward',
    });
    const r = await fetch(`${api}/loki/api/v1/query_range?${q}`);
    if (r.status !== 200) throw new Error(`query_range: ${r.status} ${await r.text()}`);
    const body = (await r.json()) as QueryRange;
    let n = 0;
    let last = from;
    for (const s of body.data.result)
      for (const [ts, line] of s.values) {
        n++;
        found.add(line);
        if (BigInt(ts) > last) last = BigInt(ts);
      }
    if (n < PAGE) return found;
    // the next page starts at the last time seen (lines there are read again, and deduplicated)
    from = last > from ? last : from + 1000n;
  }
}

describe('orrery serve --data-dir: logs under kill -9', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-kill9-logs-'));
  const running: ServedBin[] = [];
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(running.map((s) => exited(s.child)));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`finds every acknowledged log record after ${ROUNDS} kills, at random moments and during checkpoints`, async () => {
    const dataDir = path.join(dir, 'data');
    const walDir = path.join(dataDir, 'logs', 'wal');
    const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
    const acked = new Set<string>();
    let ackedBefore = 0;
    let midCheckpoint = 0;
    let checkpointsWritten = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const srv = await serveBuilt(['--data-dir', dataDir, '--wal-checkpoint-size', CHECKPOINT_SIZE], 60_000);
      running.push(srv);
      const found = await allLines(srv.base, startNs, BigInt(Date.now() + 60_000) * 1_000_000n);
      const lost = [...acked].filter((l) => !found.has(l));
      console.log(
        `kill9-logs round ${round}: ${acked.size} records acknowledged so far (${acked.size - ackedBefore} in the last round); ` +
          `${found.size} found through query_range, ${lost.length} missing`,
      );
      expect(lost.slice(0, 5), srv.output()).toEqual([]);
      if (round > 0) {
        const replay = /log store: replayed .*/.exec(srv.output());
        expect(replay?.[0], srv.output()).toBeDefined();
        console.log(`kill9-logs round ${round}: ${replay![0]}`);
      }
      if (round === ROUNDS) {
        srv.child.kill('SIGKILL');
        await exited(srv.child);
        break;
      }
      ackedBefore = acked.size;
      const stop = { stopped: false };
      const first = firstAck();
      const senders = Array.from({ length: SENDERS }, () => send(srv.otlpHttp, acked, stop, first));
      const onCheckpoint = round % 2 === 1;
      // a random moment comes after the first acknowledgement; a checkpoint runs inside the
      // append that takes the log past its bound, before that request's 200, so when the log
      // carried over from the last round sits just below the bound it begins with the round's
      // first request and the kill comes before any 200
      if (!onCheckpoint) await first.opened(30_000);
      const hit = await killAt(srv, onCheckpoint ? walDir : undefined);
      expect(await exited(srv.child)).toBe('SIGKILL');
      stop.stopped = true;
      const requests = (await Promise.all(senders)).reduce((a, b) => a + b, 0);
      if (!onCheckpoint) expect(requests).toBeGreaterThan(0);
      const unfinished = readdirSync(walDir).some((n) => n.endsWith('.tmp'));
      if (unfinished) midCheckpoint++;
      checkpointsWritten += srv.output().split('log store: checkpoint of').length - 1;
      console.log(
        `kill9-logs round ${round}: killed ${onCheckpoint ? (hit ? 'as a checkpoint began' : 'after 8 s without a checkpoint') : 'at a random moment'} after ` +
          `${requests} acknowledged requests${unfinished ? ' (checkpoint unfinished)' : ''}`,
      );
    }
    console.log(
      `kill9-logs: ${midCheckpoint} kills left a checkpoint unfinished; ${checkpointsWritten} checkpoints completed`,
    );
    expect(acked.size).toBeGreaterThan(ROUNDS * RECORDS_PER_REQUEST);
    expect(midCheckpoint).toBeGreaterThan(0);
    expect(checkpointsWritten).toBeGreaterThan(0);
  }, 600_000);
});

/**
 * SIGKILLs the server the instant a checkpoint's temp directory appears in walDir (or after 8 s
 * without one: resolves false), or without walDir at a random moment in the next 0.2-1.4 s.
 */
function killAt(srv: ServedBin, walDir: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const kill = (hit: boolean): void => {
      watcher?.close();
      clearTimeout(timer);
      srv.child.kill('SIGKILL');
      resolve(hit);
    };
    const timer = setTimeout(
      () => kill(walDir === undefined),
      walDir === undefined ? 200 + Math.random() * 1200 : 8000,
    );
    if (walDir !== undefined)
      watcher = watch(walDir, (_event, name) => {
        if (name !== null && name.endsWith('.tmp')) kill(true);
      });
  });
}
