// Step 1 of bench:demo-day: the demo's real telemetry at N users, measured in a short run of
// `orrery demo --ephemeral`. The services export through a pass-through proxy of ours (the demo's
// --otlp-endpoint) that forwards every request to the demo's own backend and keeps, for the
// measured window, the metric and log requests (to be replayed later) and the spans and traces it
// saw; the backend's self-metrics and its RSS over the window are read as well.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../src/server/paths.js';
import { demoPorts } from '../../src/names/ports.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from '../../src/otlp/decode-protobuf.js';
import type { LogsData, MetricsData } from '../../src/otlp/model.js';
import { freeDemoPort } from '../../test/support/demo-ports.js';
import { holdWholeDemo } from '../../test/support/whole-demo.js';
import { resident, type Resident } from './proc.js';

export interface Captured<T> {
  /** ms after the start of the measured window */
  readonly atMs: number;
  readonly data: T;
}

export interface DemoShape {
  readonly users: number;
  readonly windowMs: number;
  /** real time of the window's start: the captured requests' own times are around it */
  readonly windowStartMs: number;
  readonly spans: number;
  readonly traces: number;
  readonly spanBytes: number;
  readonly logRecords: number;
  readonly metricPoints: number;
  readonly metricRequests: readonly Captured<MetricsData>[];
  readonly logRequests: readonly Captured<LogsData>[];
  /** from the backend's own APIs at the end of the window */
  readonly backend: {
    readonly series: number;
    readonly samplesPerSec: number;
    readonly spansPerMin: number;
    readonly logRecordsPerMin: number;
  };
  /** the demo process (backend, console, supervisor) every 10 s over the window */
  readonly rss: readonly { readonly atMs: number; readonly memory: Resident }[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** One instant value of a PromQL query on `base` (0 when it has no result). */
export async function instant(base: string, query: string, timeMs?: number): Promise<number> {
  const params = new URLSearchParams({ query, ...(timeMs !== undefined ? { time: String(timeMs / 1000) } : {}) });
  const res = await fetch(`${base}/api/v1/query?${params}`);
  const json = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result?: { value: [number, string] }[] };
  };
  if (json.status !== 'success') throw new Error(`${query}: ${json.error ?? res.status}`);
  return Number(json.data?.result?.[0]?.value[1] ?? 0);
}

export async function measureDemo(opts: {
  readonly users: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  /** how long to wait for the tests' whole-demo lock */
  readonly lockWaitMs: number;
  readonly log: (line: string) => void;
}): Promise<DemoShape> {
  // a whole demo on two shared cores: not at the same time as the tests that run one, unless they
  // hold the machine longer than the benchmark can wait
  let release = (): void => undefined;
  try {
    release = await holdWholeDemo(opts.lockWaitMs);
  } catch {
    opts.log(`  another whole demo held the lock for ${opts.lockWaitMs / 1000} s: measuring alongside it`);
  }
  try {
    return await measureHeld(opts);
  } finally {
    release();
  }
}

async function measureHeld(opts: Parameters<typeof measureDemo>[0]): Promise<DemoShape> {
  const port = await freeDemoPort();
  const ports = demoPorts(port);
  const upstream = `http://127.0.0.1:${ports.otlpHttp}`;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  const counts = { spans: 0, spanBytes: 0, logRecords: 0, metricPoints: 0, undecoded: 0 };
  const traceIds = new Set<string>();
  const metricRequests: Captured<MetricsData>[] = [];
  const logRequests: Captured<LogsData>[] = [];

  const keep = (url: string, raw: Buffer, encoding: string | undefined, type: string | undefined): void => {
    const now = Date.now();
    if (now < windowStart || now >= windowEnd) return;
    if (!(type ?? '').startsWith('application/x-protobuf')) {
      counts.undecoded++;
      return;
    }
    const bytes = encoding === 'gzip' ? gunzipSync(raw) : raw;
    const atMs = now - windowStart;
    if (url === '/v1/traces') {
      for (const rs of decodeTracesRequest(bytes).resourceSpans)
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) {
            counts.spans++;
            traceIds.add(s.traceId);
          }
      counts.spanBytes += bytes.length;
    } else if (url === '/v1/metrics') {
      const data = decodeMetricsRequest(bytes);
      for (const rm of data.resourceMetrics)
        for (const sm of rm.scopeMetrics)
          for (const m of sm.metrics) counts.metricPoints += m.data.type === 'empty' ? 0 : m.data.dataPoints.length;
      metricRequests.push({ atMs, data });
    } else if (url === '/v1/logs') {
      const data = decodeLogsRequest(bytes);
      for (const rl of data.resourceLogs) for (const sl of rl.scopeLogs) counts.logRecords += sl.logRecords.length;
      logRequests.push({ atMs, data });
    }
  };

  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const raw = await body(req);
      const type = req.headers['content-type'];
      const encoding = req.headers['content-encoding'];
      try {
        keep(req.url ?? '', raw, encoding, type);
      } catch (e) {
        counts.undecoded++;
        opts.log(`  proxy: could not read a ${req.url} request: ${(e as Error).message}`);
      }
      const up = await fetch(upstream + (req.url ?? '/'), {
        method: req.method ?? 'POST',
        headers: { ...(type ? { 'content-type': type } : {}), ...(encoding ? { 'content-encoding': encoding } : {}) },
        body: raw,
      });
      const answer = Buffer.from(await up.arrayBuffer());
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/x-protobuf' });
      res.end(answer);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502).end(String(e));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;

  const args = ['demo', '--port', String(port), '--users', String(opts.users), '--ephemeral'];
  args.push('--otlp-endpoint', `http://127.0.0.1:${proxyPort}`);
  const demo = spawn(process.execPath, [`${packageRoot()}/dist/demo/cli/main.js`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
  demo.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  demo.once('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  try {
    const t0 = Date.now();
    while (!/ready in [\d.]+ s/.test(output)) {
      if (exited) throw new Error(`orrery demo exited:\n${output}`);
      if (Date.now() - t0 > 240_000) throw new Error(`orrery demo not ready in 240 s:\n${output}`);
      await sleep(200);
    }
    opts.log(`  demo ready after ${((Date.now() - t0) / 1000).toFixed(1)} s; warming up ${opts.warmupMs / 1000} s`);
    await sleep(opts.warmupMs);
    windowStart = Date.now();
    windowEnd = windowStart + opts.windowMs;
    const rss: { atMs: number; memory: Resident }[] = [];
    while (Date.now() < windowEnd) {
      rss.push({ atMs: Date.now() - windowStart, memory: resident(demo.pid!) });
      await sleep(Math.min(10_000, Math.max(0, windowEnd - Date.now())));
    }
    rss.push({ atMs: Date.now() - windowStart, memory: resident(demo.pid!) });
    const range = `${Math.round(opts.windowMs / 1000)}s`;
    const perMin = 60_000 / opts.windowMs;
    const backend = {
      series: await instant(base, 'count({__name__=~".+"})'),
      samplesPerSec: await instant(base, `sum(rate(orrery_tsdb_head_samples_appended_total[${range}]))`),
      spansPerMin: perMin * (await instant(base, `sum(increase(otelcol_receiver_accepted_spans_total[${range}]))`)),
      logRecordsPerMin:
        perMin * (await instant(base, `sum(increase(otelcol_receiver_accepted_log_records_total[${range}]))`)),
    };
    if (counts.undecoded > 0) opts.log(`  proxy: ${counts.undecoded} requests not read (not protobuf or malformed)`);
    return {
      users: opts.users,
      windowMs: opts.windowMs,
      windowStartMs: windowStart,
      spans: counts.spans,
      traces: traceIds.size,
      spanBytes: counts.spanBytes,
      logRecords: counts.logRecords,
      metricPoints: counts.metricPoints,
      metricRequests,
      logRequests,
      backend,
      rss,
    };
  } finally {
    demo.kill('SIGTERM');
    const deadline = Date.now() + 30_000;
    while (!exited && Date.now() < deadline) await sleep(100);
    if (!exited) demo.kill('SIGKILL');
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }
}
