// Ingest benchmark: the backend (`orrery serve`, built) runs as its own process pinned to core 0;
// a sender process pinned to core 1 posts demo-shaped traces (~10 spans per trace, 8-12
// attributes per span, the shop's service and span names) as OTLP/HTTP protobuf, 512 spans per
// request over several keep-alive connections, for a fixed time. Prints accepted spans/s, the
// backend's peak RSS (VmHWM) and the memory per stored span (the trace store's own estimate and
// the RSS growth divided by spans).
//
//   npm run bench:ingest                       (defaults: 20 s, 8 connections)
//   node dist/bench/ingest.js --duration 30s --connections 4
//
// Requests are encoded up front by a small protobuf writer of our own (field numbers from
// opentelemetry-proto v1); each send rewrites the trace IDs in place so every trace is new.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../src/cli/args.js';
import { freePort } from '../src/api/prometheus/testing/prometheus-process.js';
import { PRODUCT_IDS } from '../src/names/contract.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(HERE, '..', 'src', 'cli', 'main.js');

// ---- a minimal protobuf writer ----

class Pb {
  private parts: Buffer[] = [];
  private len = 0;
  private push(b: Buffer): this {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }
  private varint(n: number): Buffer {
    const out: number[] = [];
    while (n > 127) {
      out.push((n & 127) | 128);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return Buffer.from(out);
  }
  tag(field: number, wire: number): this {
    return this.push(this.varint(field * 8 + wire));
  }
  bytes(field: number, b: Buffer): this {
    return this.tag(field, 2).push(this.varint(b.length)).push(b);
  }
  string(field: number, s: string): this {
    return s === '' ? this : this.bytes(field, Buffer.from(s, 'utf8'));
  }
  message(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  /** a varint field, omitted when 0 (proto3 default) */
  uint(field: number, n: number): this {
    return n === 0 ? this : this.varintField(field, n);
  }
  /** a varint field written even when 0 (inside a oneof, presence matters) */
  varintField(field: number, n: number): this {
    return this.tag(field, 0).push(this.varint(n));
  }
  fixed64(field: number, n: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(Math.round(n)));
    return this.tag(field, 1).push(b);
  }
  double(field: number, n: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(n);
    return this.tag(field, 1).push(b);
  }
  finish(): Buffer {
    return Buffer.concat(this.parts, this.len);
  }
}

type Attr = string | number | boolean;

function anyValue(v: Attr): Pb {
  const p = new Pb();
  if (typeof v === 'string') return p.string(1, v);
  if (typeof v === 'boolean') return p.varintField(2, v ? 1 : 0);
  if (Number.isInteger(v) && v >= 0) return p.varintField(3, v);
  return p.double(4, v);
}

function keyValues(p: Pb, field: number, attrs: Record<string, Attr>): Pb {
  for (const [k, v] of Object.entries(attrs)) p.message(field, new Pb().string(1, k).message(2, anyValue(v)));
  return p;
}

// ---- demo-shaped traces ----

interface SpanSpec {
  service: string;
  name: string;
  kind: number;
  parent: number; // index in the trace, -1 for root
  startMs: number;
  durMs: number;
  attrs: Record<string, Attr>;
  error: boolean;
}

const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)]!;
const rnd = (lo: number, hi: number): number => lo + Math.random() * (hi - lo);

function httpAttrs(
  method: string,
  route: string,
  status: number,
  extra: Record<string, Attr> = {},
): Record<string, Attr> {
  return {
    'http.request.method': method,
    'http.route': route,
    'url.path': route.replace(':id', pick(PRODUCT_IDS)),
    'http.response.status_code': status,
    'server.address': 'frontend',
    'server.port': 8080,
    'network.protocol.version': '1.1',
    'user_agent.original': 'python-requests/2.31.0',
    'client.address': '127.0.0.1',
    ...extra,
  };
}

function grpcAttrs(service: string, method: string, extra: Record<string, Attr> = {}): Record<string, Attr> {
  return {
    'rpc.system': 'grpc',
    'rpc.service': `hipstershop.${service}`,
    'rpc.method': method,
    'rpc.grpc.status_code': 0,
    'net.peer.name': service.toLowerCase(),
    'net.peer.port': 8090 + Math.floor(Math.random() * 10),
    'network.transport': 'tcp',
    'app.request.id': Math.random().toString(36).slice(2, 14),
    ...extra,
  };
}

/** One "get recommendations" trace of ~10 spans across four services. */
function demoTrace(): SpanSpec[] {
  const user = `user-${Math.floor(Math.random() * 10000)}`;
  const product = pick(PRODUCT_IDS);
  const total = rnd(20, 120);
  const rec = total * 0.6;
  const s: SpanSpec[] = [];
  const add = (x: Omit<SpanSpec, 'error'> & { error?: boolean }): number => s.push({ error: false, ...x }) - 1;
  const root = add({
    service: 'loadgenerator',
    name: 'get recommendations',
    kind: 3,
    parent: -1,
    startMs: 0,
    durMs: total + 4,
    attrs: {
      'app.user.id': user,
      'app.session.id': Math.random().toString(36).slice(2),
      'locust.task': 'get_recommendations',
      'app.product.id': product,
      'http.request.method': 'GET',
      'server.address': 'frontend',
      'server.port': 8080,
      'url.full': `http://frontend:8080/api/recommendations?productIds=${product}`,
    },
  });
  const fe = add({
    service: 'frontend',
    name: 'GET /api/recommendations',
    kind: 2,
    parent: root,
    startMs: 1,
    durMs: total,
    attrs: httpAttrs('GET', '/api/recommendations', 200, { 'app.user.id': user, 'app.product.id': product }),
  });
  add({
    service: 'frontend',
    name: 'GET /api/products/:id',
    kind: 1,
    parent: fe,
    startMs: 2,
    durMs: 3,
    attrs: {
      'app.product.id': product,
      'app.user.id': user,
      'code.function': 'getProduct',
      'code.namespace': 'frontend.handlers',
      'app.cache': 'miss',
      'thread.id': 1,
      'app.currency': 'USD',
      'app.region': 'eu-west-1',
    },
  });
  const cli = add({
    service: 'frontend',
    name: 'grpc.hipstershop.RecommendationService/ListRecommendations',
    kind: 3,
    parent: fe,
    startMs: 6,
    durMs: rec + 2,
    attrs: grpcAttrs('RecommendationService', 'ListRecommendations'),
  });
  const rs = add({
    service: 'recommendationservice',
    name: 'grpc.hipstershop.RecommendationService/ListRecommendations',
    kind: 2,
    parent: cli,
    startMs: 7,
    durMs: rec,
    attrs: grpcAttrs('RecommendationService', 'ListRecommendations', { 'app.products.count': 10 }),
  });
  const gpl = add({
    service: 'recommendationservice',
    name: 'get_product_list',
    kind: 1,
    parent: rs,
    startMs: 8,
    durMs: rec - 3,
    attrs: {
      'app.recommendation.cache_enabled': Math.random() < 0.5,
      'app.cache_hit': Math.random() < 0.3,
      'app.products.count': 10,
      'app.filtered_products.count': 5,
      'app.filtered_products.list': PRODUCT_IDS.slice(0, 5).join(','),
      'app.products_recommended.count': 5,
      'code.function': 'get_product_list',
      'code.namespace': 'recommendation',
      'thread.id': 7,
    },
  });
  const pcli = add({
    service: 'recommendationservice',
    name: 'grpc.hipstershop.ProductCatalogService/ListProducts',
    kind: 3,
    parent: gpl,
    startMs: 9,
    durMs: rec * 0.5,
    attrs: grpcAttrs('ProductCatalogService', 'ListProducts'),
  });
  add({
    service: 'productcatalogservice',
    name: 'grpc.hipstershop.ProductCatalogService/ListProducts',
    kind: 2,
    parent: pcli,
    startMs: 10,
    durMs: rec * 0.45,
    attrs: grpcAttrs('ProductCatalogService', 'ListProducts', {
      'app.products.count': 10,
      'app.feature_flag.productCatalogFailure': false,
    }),
  });
  const fa = add({
    service: 'frontend',
    name: 'grpc.hipstershop.AdService/GetAds',
    kind: 3,
    parent: fe,
    startMs: rec + 9,
    durMs: 6,
    attrs: grpcAttrs('AdService', 'GetAds'),
    error: Math.random() < 0.05,
  });
  add({
    service: 'adservice',
    name: 'grpc.hipstershop.AdService/GetAds',
    kind: 2,
    parent: fa,
    startMs: rec + 10,
    durMs: 4,
    attrs: grpcAttrs('AdService', 'GetAds', {
      'app.ads.contextKeys': 'kitchen',
      'app.ads.count': 2,
      'app.ads.ad_request_type': 'TARGETED',
    }),
  });
  return s;
}

/**
 * One request of ~batchSpans spans (whole traces); returns the bytes and, for each trace, the
 * offsets of its trace_id bytes so a sender can make every trace new by rewriting them.
 */
function encodeBatch(batchSpans: number, baseMs: number): { body: Buffer; traceOffsets: number[][] } {
  const traces: { id: Buffer; spans: SpanSpec[]; spanIds: Buffer[] }[] = [];
  let n = 0;
  while (n < batchSpans) {
    const spans = demoTrace();
    const spanIds = spans.map(() => randomFillSync(Buffer.alloc(8)));
    // random 16 bytes: found again by search after encoding (a false match is ~2^-128)
    const id = randomFillSync(Buffer.alloc(16));
    traces.push({ id, spans, spanIds });
    n += spans.length;
  }
  const byService = new Map<string, Pb[]>();
  for (const t of traces) {
    const startBase = baseMs + rnd(0, 1000);
    t.spans.forEach((sp, i) => {
      const p = new Pb()
        .bytes(1, t.id)
        .bytes(2, t.spanIds[i]!)
        .bytes(4, sp.parent >= 0 ? t.spanIds[sp.parent]! : Buffer.alloc(0))
        .string(5, sp.name)
        .uint(6, sp.kind)
        .fixed64(7, (startBase + sp.startMs) * 1e6)
        .fixed64(8, (startBase + sp.startMs + sp.durMs) * 1e6);
      keyValues(p, 9, sp.attrs);
      if (sp.error) {
        p.message(
          11,
          keyValues(new Pb().fixed64(1, (startBase + sp.startMs + sp.durMs) * 1e6).string(2, 'exception'), 3, {
            'exception.type': 'Error',
            'exception.message': '13 INTERNAL: ad service failure',
          }),
        );
        p.message(15, new Pb().string(2, 'ad service failure').uint(3, 2));
      }
      const list = byService.get(sp.service) ?? [];
      list.push(p);
      byService.set(sp.service, list);
    });
  }
  const req = new Pb();
  for (const [service, spans] of byService) {
    const resource = keyValues(new Pb(), 1, {
      'service.name': service,
      'service.namespace': 'opentelemetry-demo',
      'service.instance.id': `${service}-1`,
      'service.version': '1.10.0',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.version': '2.12.0',
      'host.name': 'laptop',
      'process.pid': 4242,
    });
    const scope = new Pb().string(1, '@opentelemetry/instrumentation-grpc').string(2, '0.223.0');
    const ss = new Pb().message(1, scope);
    for (const sp of spans) ss.message(2, sp);
    req.message(1, new Pb().message(1, resource).message(2, ss));
  }
  const body = req.finish();
  const traceOffsets = traces.map((t) => {
    const offs: number[] = [];
    for (let at = body.indexOf(t.id); at >= 0; at = body.indexOf(t.id, at + 16)) offs.push(at);
    return offs;
  });
  return { body, traceOffsets };
}

// ---- sender (core 1) ----

async function sender(url: string, durationMs: number, connections: number, batchSpans: number): Promise<void> {
  const templates = Array.from({ length: 16 }, () => encodeBatch(batchSpans, Date.now()));
  const spanCounts = templates.map((t) => countSpans(t.body));
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  let accepted = 0;
  let refused = 0;
  let failed = 0;
  let requests = 0;
  let bytes = 0;
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
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
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
      const t = templates[i++ % templates.length]!;
      const body = Buffer.from(t.body); // own copy: rewrite trace IDs so every trace is new
      for (const offs of t.traceOffsets) {
        const id = randomFillSync(Buffer.alloc(16));
        for (const o of offs) id.copy(body, o);
      }
      const status = await post(body);
      requests++;
      bytes += body.length;
      const n = spanCounts[(i - 1) % templates.length]!;
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
  process.stdout.write(
    JSON.stringify({
      accepted,
      refused,
      failed,
      requests,
      bytes,
      secs,
      avgBatchBytes: Math.round(bytes / Math.max(1, requests)),
      senderCpu: (cpu.user + cpu.system) / 1e6,
    }) + '\n',
  );
}

function countSpans(body: Buffer): number {
  // spans are field 2 inside scope_spans; count by decoding just the nesting we wrote
  let n = 0;
  const readVarint = (b: Buffer, at: number): [number, number] => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const x = b[at++]!;
      v += (x & 127) * mul;
      if (x < 128) return [v, at];
      mul *= 128;
    }
  };
  const fields = (b: Buffer, from: number, to: number, cb: (field: number, s: number, e: number) => void): void => {
    let at = from;
    while (at < to) {
      const [key, a1] = readVarint(b, at);
      const wire = key & 7;
      if (wire === 2) {
        const [len, a2] = readVarint(b, a1);
        cb(key >>> 3, a2, a2 + len);
        at = a2 + len;
      } else if (wire === 0) at = readVarint(b, a1)[1];
      else if (wire === 1) at = a1 + 8;
      else at = a1 + 4;
    }
  };
  fields(body, 0, body.length, (f, s, e) => {
    if (f === 1)
      fields(body, s, e, (f2, s2, e2) => {
        if (f2 === 2)
          fields(body, s2, e2, (f3) => {
            if (f3 === 2) n++;
          });
      });
  });
  return n;
}

// ---- orchestration ----

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function metricValue(api: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) {
      if (labels && !line.includes(labels)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  return found ? sum : NaN;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    duration: { type: 'duration', default: '20s', help: 'how long to send' },
    connections: { type: 'int', default: 8, help: 'concurrent keep-alive connections' },
    batch: { type: 'int', default: 512, help: 'spans per request' },
    sender: { type: 'string', help: 'internal: run as the sender against this URL' },
    traceBudget: { type: 'string', default: '4GiB', help: 'backend --trace-budget' },
  });
  if (flags.sender) {
    await sender(flags.sender, flags.duration, flags.connections, flags.batch);
    return;
  }
  const [port, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const backend: ChildProcess = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--max-old-space-size=8192',
      MAIN,
      'serve',
      '--port',
      String(port),
      '--otlp-http-port',
      String(httpPort),
      '--otlp-grpc-port',
      String(grpcPort),
      '--trace-budget',
      flags.traceBudget,
      '--retention',
      '2h',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const api = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (backend.exitCode !== null) throw new Error('backend exited');
      const ok = await fetch(`${api}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 200) throw new Error('backend not ready after 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = backend.pid!;
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = procStatus(pid, 'VmRSS');
    const cpuBefore = await metricValue(api, 'process_cpu_seconds_total');
    console.log(
      `backend pid ${pid} on core 0, RSS at rest ${(rssBefore / 2 ** 20).toFixed(1)} MiB; sending for ${flags.duration / 1000}s over ${flags.connections} connections, ${flags.batch} spans per request (sender on core 1)`,
    );
    const snd = spawn(
      'taskset',
      [
        '-c',
        '1',
        process.execPath,
        fileURLToPath(import.meta.url),
        '--sender',
        `http://127.0.0.1:${httpPort}/v1/traces`,
        '--duration',
        `${flags.duration}ms`,
        '--connections',
        String(flags.connections),
        '--batch',
        String(flags.batch),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    snd.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => snd.once('exit', r));
    const s = JSON.parse(out.trim().split('\n').pop()!) as {
      accepted: number;
      refused: number;
      failed: number;
      requests: number;
      secs: number;
      avgBatchBytes: number;
      senderCpu: number;
    };
    const backendAccepted = await metricValue(api, 'otelcol_receiver_accepted_spans_total', 'transport="http"');
    const storedSpans = await metricValue(api, 'orrery_trace_store_spans');
    const storeBytes = await metricValue(api, 'orrery_trace_store_bytes');
    const dropped = await metricValue(api, 'orrery_trace_store_dropped_spans_total');
    const rssAfter = procStatus(pid, 'VmRSS');
    const hwm = procStatus(pid, 'VmHWM');
    const cpu = await metricValue(api, 'process_cpu_seconds_total');
    const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
    console.log(
      `requests ${s.requests} (avg ${(s.avgBatchBytes / 1024).toFixed(0)} KiB), refused spans ${s.refused}, failed spans ${s.failed}; sender CPU ${s.senderCpu.toFixed(1)} s`,
    );
    console.log(
      `accepted: ${s.accepted} spans in ${s.secs.toFixed(1)} s = ${Math.round(s.accepted / s.secs)} spans/s (backend counted ${backendAccepted})`,
    );
    const busy = cpu - cpuBefore;
    console.log(
      `backend CPU while sending: ${busy.toFixed(1)} s of ${s.secs.toFixed(1)} s (${((busy / s.secs) * 100).toFixed(0)}% of its core) → ${Math.round(s.accepted / busy)} spans per backend CPU-second (capacity on one idle core)`,
    );
    if (busy / s.secs < 0.8)
      console.log(
        'note: the backend core was not saturated (sender-bound or a loaded machine); spans/s above understates capacity',
      );
    console.log(
      `trace store: ${storedSpans} spans, ${mib(storeBytes)} MiB by its estimate = ${Math.round(storeBytes / storedSpans)} bytes/span; dropped ${dropped}`,
    );
    console.log(
      `backend RSS: ${mib(rssBefore)} → ${mib(rssAfter)} MiB, peak (VmHWM) ${mib(hwm)} MiB; RSS growth per stored span ${Math.round((rssAfter - rssBefore) / storedSpans)} bytes (includes span metrics, GC headroom and allocator slack)`,
    );
  } finally {
    const exited = new Promise((r) => backend.once('exit', r));
    if (backend.exitCode === null) backend.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (backend.exitCode === null) backend.kill('SIGKILL');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
