// The load of the ingest-side benchmarks, as its own process pinned to core 1: demo-shaped traces
// (bench/demo-traces.ts) or OTLP metrics (bench/demo-metrics.ts) posted as OTLP/HTTP protobuf over
// several keep-alive connections for a fixed time, gzip-compressed with --gzip (as an SDK with
// compression on sends them; level 1, to keep the sender's own core from being the limit). Every value real traffic never repeats (IDs,
// timestamps, request IDs…) is fresh in every request. A refused request (429/503) is counted and
// followed by a 100 ms pause on its connection. Prints one JSON line: what was accepted, refused
// and failed.
//
// runSender() starts it; `node dist/bench/sender.js --url … --duration 10s` runs it.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';
import { parseArgs } from '../src/cli/args.js';
import { Template } from './demo-traces.js';
import { MetricsTemplate } from './demo-metrics.js';

export type SenderSignal = 'traces' | 'metrics';

export interface SenderOptions {
  /** e.g. http://127.0.0.1:4318/v1/traces */
  readonly url: string;
  readonly durationMs: number;
  readonly connections: number;
  /** spans per traces request; default 512 */
  readonly batch?: number;
  /** default traces */
  readonly signal?: SenderSignal;
  /** metrics: series per metric of each connection (8 metrics a request); default 50 */
  readonly seriesPerMetric?: number;
  /** default 1 */
  readonly cpu?: number;
  /** gzip every request (Content-Encoding: gzip); default false */
  readonly gzip?: boolean;
}

export interface SenderResult {
  /** items (spans or points) of requests answered 200 */
  readonly accepted: number;
  readonly refused: number;
  readonly failed: number;
  readonly requests: number;
  readonly secs: number;
  readonly avgBatchBytes: number;
  readonly bytes: number;
  readonly sentSpans: number;
  /** seconds spent making fresh requests */
  readonly genSecs: number;
  readonly senderCpu: number;
}

const SELF = fileURLToPath(import.meta.url);

/** Runs the sender as a process pinned with taskset; its tally once it is done. */
export async function runSender(opts: SenderOptions): Promise<SenderResult> {
  const snd = spawn(
    'taskset',
    [
      '-c',
      String(opts.cpu ?? 1),
      process.execPath,
      SELF,
      '--url',
      opts.url,
      '--signal',
      opts.signal ?? 'traces',
      '--duration',
      `${opts.durationMs}ms`,
      '--connections',
      String(opts.connections),
      '--batch',
      String(opts.batch ?? 512),
      '--series-per-metric',
      String(opts.seriesPerMetric ?? 50),
      ...(opts.gzip === true ? ['--gzip'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  snd.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => snd.once('exit', r));
  const last = out.trim().split('\n').pop();
  if (code !== 0 || !last) throw new Error(`sender exited with code ${code}`);
  return JSON.parse(last) as SenderResult;
}

async function send(opts: Required<Omit<SenderOptions, 'cpu'>>): Promise<SenderResult> {
  const { url, durationMs, connections, batch, signal, seriesPerMetric, gzip } = opts;
  // Templates give the requests their shapes; every send rewrites every value that real traffic
  // never repeats (bench/demo-traces.ts), so no two spans sent share an ID, a time or a request ID.
  // For metrics each connection owns one template (its series), so its timestamps only increase.
  const templates: { fresh(nowMs: number): Buffer; readonly spans: number }[] =
    signal === 'traces'
      ? Array.from({ length: 32 }, () => new Template(batch))
      : Array.from({ length: connections }, (_, w) => {
          const m = new MetricsTemplate(w, seriesPerMetric);
          return { fresh: (now: number) => m.fresh(now), spans: m.points };
        });
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  let accepted = 0;
  let refused = 0;
  let failed = 0;
  let requests = 0;
  let bytes = 0;
  let genMs = 0;
  const deadline = Date.now() + durationMs;
  const start = Date.now();
  const cpuStart = process.cpuUsage();
  const post = (body: Buffer): Promise<number> =>
    new Promise((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/x-protobuf',
            'content-length': body.length,
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const worker = async (w: number): Promise<void> => {
    let i = w;
    while (Date.now() < deadline) {
      const t = signal === 'traces' ? templates[i++ % templates.length]! : templates[w]!;
      const genStart = performance.now();
      const fresh = t.fresh(Date.now());
      const body = gzip ? gzipSync(fresh, { level: constants.Z_BEST_SPEED }) : fresh;
      genMs += performance.now() - genStart;
      const status = await post(body);
      requests++;
      bytes += body.length;
      const n = t.spans;
      if (status === 200) accepted += n;
      else if (status === 429 || status === 503) {
        refused += n;
        await new Promise((r) => setTimeout(r, 100));
      } else failed += n;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  const secs = (Date.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  agent.destroy();
  return {
    accepted,
    refused,
    failed,
    requests,
    bytes,
    secs,
    avgBatchBytes: Math.round(bytes / Math.max(1, requests)),
    sentSpans: accepted + refused + failed,
    genSecs: genMs / 1000,
    senderCpu: (cpu.user + cpu.system) / 1e6,
  };
}

if (process.argv[1] === SELF) {
  const { flags } = parseArgs(process.argv.slice(2), {
    url: { type: 'string', help: 'where to post' },
    signal: { type: 'string', default: 'traces', help: 'traces or metrics' },
    duration: { type: 'duration', default: '10s', help: 'how long to send' },
    connections: { type: 'int', default: 8, help: 'concurrent keep-alive connections' },
    batch: { type: 'int', default: 512, help: 'spans per request' },
    seriesPerMetric: { type: 'int', default: 50, help: 'metrics: series per metric of each connection' },
    gzip: { type: 'bool', default: false, help: 'gzip every request' },
  });
  if (flags.url === undefined) throw new Error('--url is required');
  const result = await send({
    url: flags.url,
    signal: flags.signal === 'metrics' ? 'metrics' : 'traces',
    durationMs: flags.duration,
    connections: flags.connections,
    batch: flags.batch,
    seriesPerMetric: flags.seriesPerMetric,
    gzip: flags.gzip,
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}
