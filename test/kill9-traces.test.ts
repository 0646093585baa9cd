// Traces acknowledged with a 200 survive `kill -9` of `orrery serve --data-dir`, at random
// moments under load, round after round on the same data directory: the built bin is killed
// with SIGKILL while senders post OTLP/HTTP trace requests, started again, and every span of
// every trace a 200 acknowledged must be back through the Jaeger API. Some requests add spans
// to traces acknowledged earlier, so a trace's records span restarts, segment files and the log.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ORRERY_BIN, PACKAGE_ROOT } from '../src/cli/testing/built-bin.js';

const ROUNDS = 20;
const SENDERS = 3;

interface Served {
  readonly child: ChildProcess;
  readonly api: string;
  readonly otlp: string;
  output(): string;
}

async function serve(dataDir: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    [ORRERY_BIN, 'serve', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', dataDir],
    { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/OTLP\/gRPC on/.test(out) && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 50));
  const api = /query APIs on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
  const otlp = /OTLP\/HTTP on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
  if (!api || !otlp) throw new Error(`orrery serve did not start:\n${out}`);
  return { child, api: api[1]!, otlp: otlp[1]!, output: () => out };
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (_code, signal) => resolve(signal));
  });
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** trace id → the span ids of it a 200 acknowledged */
type Acked = Map<string, Set<string>>;

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue: string } }[];
}

function otlpSpan(traceId: string, parentSpanId: string, name: string): OtlpSpan {
  const startNs = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6));
  return {
    traceId,
    spanId: hex(8),
    parentSpanId,
    name,
    kind: 2,
    startTimeUnixNano: String(startNs),
    endTimeUnixNano: String(startNs + BigInt(Math.floor(Math.random() * 5e7))),
    attributes: [
      { key: 'http.route', value: { stringValue: `/api/products/${hex(5)}` } },
      // unique text, so that segments fill (and are sealed and written) within the rounds
      { key: 'payload', value: { stringValue: hex(150) } },
    ],
  };
}

/**
 * Posts requests until stopped: each has two new traces of three spans, and a span added to a
 * trace acknowledged before. Only what a 200 answered is recorded.
 */
async function send(otlp: string, acked: Acked, stop: { stopped: boolean }): Promise<number> {
  let requests = 0;
  while (!stop.stopped) {
    const spans: OtlpSpan[] = [];
    for (let t = 0; t < 2; t++) {
      const traceId = hex(16);
      const root = otlpSpan(traceId, '', 'GET /api/products');
      spans.push(root, otlpSpan(traceId, root.spanId, 'GetProduct'), otlpSpan(traceId, root.spanId, 'HGET'));
    }
    const earlier = [...acked.keys()];
    if (earlier.length > 0) spans.push(otlpSpan(earlier[Math.floor(Math.random() * earlier.length)]!, '', 'late'));
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kill9' } }] },
          scopeSpans: [{ scope: { name: 'kill9-sender' }, spans }],
        },
      ],
    });
    let status = 0;
    try {
      const r = await fetch(`${otlp}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      status = r.status;
      await r.arrayBuffer();
    } catch {
      return requests; // the server is gone
    }
    if (status !== 200) continue;
    requests++;
    for (const s of spans) {
      let set = acked.get(s.traceId);
      if (!set) acked.set(s.traceId, (set = new Set()));
      set.add(s.spanId);
    }
  }
  return requests;
}

/** Reads traces by ID (a few at a time); returns the IDs missing any acknowledged span. */
async function missing(api: string, acked: Acked, ids: readonly string[]): Promise<string[]> {
  const lost: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const r = await fetch(`${api}/api/traces/${id}`);
      const got = new Set<string>();
      if (r.status === 200) {
        const body = (await r.json()) as { data: { spans: { spanID: string }[] }[] };
        for (const s of body.data[0]?.spans ?? []) got.add(s.spanID);
      } else await r.arrayBuffer();
      for (const spanId of acked.get(id)!) if (!got.has(spanId)) lost.push(id);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return [...new Set(lost)];
}

describe('orrery serve --data-dir: traces under kill -9', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-kill9-traces-'));
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(running.map(exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`finds every acknowledged trace after ${ROUNDS} kills at random moments under load`, async () => {
    const dataDir = path.join(dir, 'data');
    const acked: Acked = new Map();
    let ackedBefore = new Set<string>();
    for (let round = 0; round <= ROUNDS; round++) {
      const srv = await serve(dataDir);
      running.push(srv.child);
      // every trace acknowledged in every earlier round
      const check = [...acked.keys()];
      const last = check.filter((id) => !ackedBefore.has(id));
      const lost = await missing(srv.api, acked, check);
      const spans = [...acked.values()].reduce((n, s) => n + s.size, 0);
      console.log(
        `kill9-traces round ${round}: ${acked.size} traces (${spans} spans) acknowledged so far; ` +
          `checked ${check.length} by ID (${last.length} from the last round), ${lost.length} missing`,
      );
      expect(lost, srv.output()).toEqual([]);
      if (round === ROUNDS) {
        srv.child.kill('SIGKILL');
        await exited(srv.child);
        break;
      }
      ackedBefore = new Set(acked.keys());
      const stop = { stopped: false };
      const senders = Array.from({ length: SENDERS }, () => send(srv.otlp, acked, stop));
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1200));
      srv.child.kill('SIGKILL');
      expect(await exited(srv.child)).toBe('SIGKILL');
      stop.stopped = true;
      const requests = (await Promise.all(senders)).reduce((a, b) => a + b, 0);
      expect(requests).toBeGreaterThan(0);
    }
    expect(acked.size).toBeGreaterThan(ROUNDS * 10);
  }, 600_000);
});
