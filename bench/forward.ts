// Scale-out benchmark (`npm run bench:forward`): what forwarding and remote write cost and how
// they behave when the upstream goes away. The backend (`orrery serve`, built) runs pinned to
// core 0; the sender (bench/ingest.ts's, demo-shaped traces with every ID, time and request ID
// fresh, 512 spans per OTLP/HTTP protobuf request) and the upstream sink run on core 1.
//
//   1. local ingest, the reference measured in this run: spans/s accepted and per backend CPU-second;
//   2. the same with --forward-otlp to the sink: spans/s in (accepted) and out (delivered), and the
//      ratio to 1 (goal: within 20 %);
//   3. remote write, in this process: samples/s through the store's appender with remote write to
//      the sink, against the store alone (unique series values and timestamps);
//   4. a full queue: the sink down, the backend (--forward-queue-size 100) fed for 15 s, past the
//      point where it answers 503; its RSS growth against the bytes the queue holds;
//   5. an outage: the sink down for --outage while the sender goes on (backing off 100 ms after
//      each 503), then back: the time until the queue is empty, and that every span accepted was
//      delivered (nothing lost).
//
//   npm run bench:forward                                   (defaults: 10 s runs, a 60 s outage)
//   node dist/bench/forward.js --duration 5s --outage 10s   (a quick run)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../src/cli/args.js';
import { freePort } from '../src/api/prometheus/testing/prometheus-process.js';
import { RemoteWriteExporter } from '../src/exporters/remotewrite/exporter.js';
import { labelsFromRecord, type Labels } from '../src/labels/labels.js';
import { Head } from '../src/tsdb/head.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(HERE, '..', 'src', 'cli', 'main.js');
const SENDER = path.resolve(HERE, 'ingest.js');

interface SenderResult {
  accepted: number;
  refused: number;
  failed: number;
  secs: number;
  bytes: number;
  sentSpans: number;
}

/** An upstream that takes every request (drains the body, answers 200), and can go down and come back. */
class Sink {
  requests = 0;
  bytes = 0;
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      req.on('data', (c: Buffer) => (this.bytes += c.length));
      req.on('end', () => {
        this.requests++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end();
      });
    });
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function metric(api: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!(line.startsWith(name + ' ') || line.startsWith(name + '{'))) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? sum : NaN;
}

interface RunningBackend {
  readonly api: string;
  readonly otlp: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startBackend(extra: string[]): Promise<RunningBackend> {
  const [port, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--max-old-space-size=4096',
      MAIN,
      'serve',
      '--port',
      String(port),
      '--otlp-http-port',
      String(httpPort),
      '--otlp-grpc-port',
      String(grpcPort),
      '--trace-budget',
      '1GiB',
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const api = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('backend exited');
    if (
      await fetch(`${api}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 200) throw new Error('backend not ready after 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  return {
    api,
    otlp: `http://127.0.0.1:${httpPort}/v1/traces`,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** bench/ingest.ts's sender on core 1 for durationMs; refused requests are counted, and it backs off 100 ms */
async function send(url: string, durationMs: number, connections: number): Promise<SenderResult> {
  const snd = spawn(
    'taskset',
    [
      '-c',
      '1',
      process.execPath,
      SENDER,
      '--sender',
      url,
      '--duration',
      `${durationMs}ms`,
      '--connections',
      String(connections),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  snd.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => snd.once('exit', r));
  return JSON.parse(out.trim().split('\n').pop()!) as SenderResult;
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

async function ingestRun(label: string, extra: string[], durationMs: number, connections: number) {
  const b = await startBackend(extra);
  try {
    const cpu0 = await metric(b.api, 'process_cpu_seconds_total');
    const s = await send(b.otlp, durationMs, connections);
    const cpu = (await metric(b.api, 'process_cpu_seconds_total')) - cpu0;
    const sentOut = await metric(b.api, 'otelcol_exporter_sent_spans_total');
    const perSec = s.accepted / s.secs;
    const perCpu = s.accepted / cpu;
    console.log(
      `${label}: in ${Math.round(perSec)} spans/s (${s.accepted} accepted, ${s.refused} refused), ${Math.round(perCpu)} spans per backend CPU-second (${((cpu / s.secs) * 100).toFixed(0)}% of its core)` +
        (Number.isNaN(sentOut) ? '' : `; out ${Math.round(sentOut / s.secs)} spans/s delivered during the run`),
    );
    return { perSec, perCpu, accepted: s.accepted, api: b.api, backend: b };
  } catch (err) {
    await b.stop();
    throw err;
  }
}

function remoteWriteBench(sinkUrl: string, seriesCount: number, steps: number): Promise<void> {
  const series: Labels[] = [];
  for (let i = 0; i < seriesCount; i++) {
    series.push(
      labelsFromRecord({
        __name__: 'traces_span_metrics_calls_total',
        service_name: `service-${i % 17}`,
        span_name: `GET /api/products/${i}`,
        span_kind: 'SPAN_KIND_SERVER',
        status_code: i % 9 === 0 ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
        instance: `pod-${(i * 7919) % 1000}`,
      }),
    );
  }
  const t0 = Date.now() - steps * 1000;
  const feed = (app: { append(l: Labels, t: number, v: number): unknown }): number => {
    const start = performance.now();
    for (let s = 0; s < steps; s++)
      for (let i = 0; i < seriesCount; i++)
        app.append(series[i]!, t0 + s * 1000 + (i % 997), s * 3.7 + i * 0.001 + Math.random());
    return (performance.now() - start) / 1000;
  };
  const samples = seriesCount * steps;
  const alone = feed(new Head({ retentionMs: 3600_000 }));
  const rw = new RemoteWriteExporter({ url: sinkUrl, capacityPerShard: 100_000, capacityBytesPerShard: 2 ** 30 });
  return (async () => {
    await rw.start();
    const wall0 = performance.now();
    const appendSecs = feed(rw.wrap(new Head({ retentionMs: 3600_000 })));
    await rw.idle();
    const wall = (performance.now() - wall0) / 1000;
    await rw.shutdown();
    console.log(
      `remote write: ${samples} samples (${seriesCount} series × ${steps}) stored and sent in ${wall.toFixed(2)} s = ${Math.round(samples / wall)} samples/s delivered; appending with remote write ${Math.round(samples / appendSecs)} samples/s against ${Math.round(samples / alone)} samples/s into the store alone (${(alone / appendSecs).toFixed(2)}x)`,
    );
  })();
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    duration: { type: 'duration', default: '10s', help: 'length of each ingest run' },
    outage: { type: 'duration', default: '60s', help: 'how long the upstream is down in the outage run' },
    connections: { type: 'int', default: 8, help: 'concurrent keep-alive connections of the sender' },
    fullQueue: { type: 'int', default: 100, help: '--forward-queue-size of the full-queue run (requests)' },
  });
  const sink = new Sink();
  await sink.start();
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  console.log(
    `forwarding bench: backend on core 0, sender and sink on core 1; ${flags.duration / 1000} s per run, ${flags.connections} connections, 512 spans per request`,
  );

  // 1 and 2: local ingest as the reference, then forwarding, in the same run.
  const local = await ingestRun('local ingest (reference)', [], flags.duration, flags.connections);
  await local.backend.stop();
  const fwd = await ingestRun('with --forward-otlp', ['--forward-otlp', sinkUrl], flags.duration, flags.connections);
  const drained = await waitFor(
    'forwarding queue empty',
    async () => (await metric(fwd.api, 'otelcol_exporter_queue_size', 'data_type="traces"')) === 0,
    60_000,
  );
  const out = await metric(fwd.api, 'otelcol_exporter_sent_spans_total');
  await fwd.backend.stop();
  console.log(
    `forwarding: in/local ${(fwd.perSec / local.perSec).toFixed(2)}x spans/s, ${(fwd.perCpu / local.perCpu).toFixed(2)}x spans per CPU-second (goal ≥ 0.80); delivered ${out} of ${fwd.accepted} accepted (queue empty ${(drained / 1000).toFixed(1)} s after the sender stopped)`,
  );

  // 3: remote write in this process.
  await remoteWriteBench(`${sinkUrl}/api/v1/write`, 5000, 40);

  // 4: a full queue.
  await sink.stop();
  const full = await startBackend(['--forward-otlp', sinkUrl, '--forward-queue-size', String(flags.fullQueue)]);
  try {
    const rss0 = procStatus(full.pid, 'VmRSS');
    const s = await send(full.otlp, 15_000, flags.connections);
    const held = await metric(full.api, 'orrery_exporter_queue_bytes', 'data_type="traces"');
    const size = await metric(full.api, 'otelcol_exporter_queue_size', 'data_type="traces"');
    const rss = procStatus(full.pid, 'VmRSS');
    console.log(
      `full queue (upstream down): ${size} requests, ${mib(held)} MiB queued (${s.accepted} spans) before senders got 503 (${s.refused} spans refused); backend RSS ${mib(rss0)} → ${mib(rss)} MiB, growth ${((rss - rss0) / held).toFixed(2)}x the queued bytes (the trace store keeps its copy too)`,
    );
  } finally {
    await full.stop();
  }

  // 5: an outage with the sender going on.
  await sink.start();
  const o = await startBackend(['--forward-otlp', sinkUrl, '--trace-budget', '256MB']);
  try {
    const sending = send(o.otlp, flags.outage + 10_000, 2);
    await new Promise((r) => setTimeout(r, 5000));
    await sink.stop();
    console.log(`outage: upstream down for ${flags.outage / 1000} s while the sender goes on`);
    await new Promise((r) => setTimeout(r, flags.outage));
    const queued = await metric(o.api, 'otelcol_exporter_queue_size', 'data_type="traces"');
    await sink.start();
    const recovery = await waitFor(
      'queue empty after the outage',
      async () => (await metric(o.api, 'otelcol_exporter_queue_size', 'data_type="traces"')) === 0,
      600_000,
    );
    const s = await sending;
    await waitFor(
      'queue empty after the sender stopped',
      async () => (await metric(o.api, 'otelcol_exporter_queue_size', 'data_type="traces"')) === 0,
      60_000,
    );
    const accepted = await metric(o.api, 'otelcol_receiver_accepted_spans_total', 'transport="http"');
    const delivered = await metric(o.api, 'otelcol_exporter_sent_spans_total');
    const failed = await metric(o.api, 'otelcol_exporter_send_failed_spans_total');
    console.log(
      `outage: ${queued} requests queued when the upstream came back; queue empty ${(recovery / 1000).toFixed(1)} s later; accepted ${accepted} spans (${s.refused} refused with 503 during the outage), delivered ${delivered}, failed ${failed}: ${delivered === accepted && failed === 0 ? 'nothing lost' : `LOST ${accepted - delivered}`}`,
    );
  } finally {
    await o.stop();
    await sink.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
