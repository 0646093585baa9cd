// Traces acknowledged with a 200 survive `kill -9` of `orrery serve --data-dir`, at random
// moments under load, round after round on the same data directory: the built bin is killed
// with SIGKILL while senders post OTLP/HTTP trace requests, started again, and every span of
// every trace a 200 acknowledged must be back through the Jaeger API. Some requests add spans
// to traces acknowledged earlier, so a trace's records span restarts, segment files and the log.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, serveBuilt } from '../src/cli/testing/served-bin.js';
import { firstAck, sendAcked, type FirstAck } from './support/acked-sender.js';

const ROUNDS = 20;
const SENDERS = 3;

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

/** One request: two new traces of three spans, and a span added to a trace acknowledged before. */
function request(acked: Acked): { body: string; items: OtlpSpan[] } {
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
  return { body, items: spans };
}

/** Posts requests until stopped; only what a 200 answered is recorded. */
function send(otlp: string, acked: Acked, stop: { stopped: boolean }, first: FirstAck): Promise<number> {
  return sendAcked({
    url: `${otlp}/v1/traces`,
    next: () => request(acked),
    onAck: (spans) => {
      first.open();
      for (const s of spans) {
        let set = acked.get(s.traceId);
        if (!set) acked.set(s.traceId, (set = new Set()));
        set.add(s.spanId);
      }
    },
    stop,
  });
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
      const srv = await serveBuilt(['--data-dir', dataDir], 60_000);
      running.push(srv.child);
      // every trace acknowledged in every earlier round
      const check = [...acked.keys()];
      const last = check.filter((id) => !ackedBefore.has(id));
      const lost = await missing(srv.base, acked, check);
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
      const first = firstAck();
      const senders = Array.from({ length: SENDERS }, () => send(srv.otlpHttp, acked, stop, first));
      // a random moment of sending, after the first acknowledgement
      await first.opened(30_000);
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
