// Log store benchmark, in one process on one core (the main thread; nothing here uses workers):
//  1. ingest: OTLP/protobuf log batches (demo-shaped records: ten services, a message template per
//     kind of event with unique request IDs, users, products, durations and timestamps, trace and
//     span IDs on most records, 2-5 attributes) decoded and stored, in records/s, against decoding
//     the same batches alone as the reference measured in the same run;
//  2. bytes per stored record: the store's estimate once every chunk is cut, against the OTLP
//     protobuf bytes per record;
//  3. a LogQL line-filter query's p50 over a store of --records records (default 2 M; 10 M needs
//     about 3 GB of heap and several minutes here), against inflating every chunk of the
//     selected streams as the reference.
//
//   npm run bench:logs
//   node dist/bench/logs.js --records 10000000 --ingest-records 500000
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LogStore } from '../src/logs/store.js';
import { decodeLogsRequest } from '../src/otlp/decode-protobuf.js';
import type { LogsData } from '../src/otlp/model.js';
import { LogQLEngine } from '../src/logql/engine.js';
import { parseQuery } from '../src/logql/parser.js';
import { newMatcher } from '../src/labels/matcher.js';
import type { LogQuery } from '../src/logql/ast.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const RECORDS = arg('records', 2_000_000);
const INGEST_RECORDS = arg('ingest-records', 300_000);
const BATCH = 1000;
const SERVICES = [
  'frontend',
  'recommendationservice',
  'productcatalogservice',
  'cartservice',
  'checkoutservice',
  'currencyservice',
  'paymentservice',
  'shippingservice',
  'adservice',
  'featureflagservice',
];
const PRODUCTS = [
  'OLJCESPC7Z',
  '66VCHSJNUP',
  '1YMWWN1N4O',
  'L9ECAV7KIM',
  '2ZYFJ3GM2N',
  '0PUK6V6EV0',
  'LS4PSXUNUM',
  '9SIQT8TOJO',
  '6E92ZMYYFZ',
  'HQTGWGPNH4',
];

/** A tiny deterministic PRNG, so runs compare. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += ((r() * 16) | 0).toString(16);
  return s;
};

interface Rec {
  timeNs: number;
  severity: number;
  text: string;
  body: string;
  traceId: string;
  spanId: string;
  attrs: Record<string, string | number | boolean>;
}

/** One demo-shaped record: what the shop's services log per request, cache lookup, flag or error. */
function makeRecord(r: () => number, timeNs: number, seq: number): Rec {
  const kind = r();
  const product = PRODUCTS[(r() * PRODUCTS.length) | 0]!;
  const user = `user-${(r() * 1e6) | 0}`;
  const ms = (r() * 400).toFixed(1);
  const req = hex(r, 12);
  const traced = r() < 0.8;
  let severity = 9;
  let body: string;
  let attrs: Record<string, string | number | boolean>;
  if (kind < 0.55) {
    body = `request handled GET /api/products/${product} status=200 duration=${ms}ms request_id=${req}`;
    attrs = { 'http.route': '/api/products/:id', 'http.response.status_code': 200, 'app.user.id': user };
  } else if (kind < 0.8) {
    const hit = r() < 0.7;
    body = `recommendation cache ${hit ? 'hit' : 'miss'} for ${product} (${(r() * 10) | 0} products) request_id=${req}`;
    attrs = { 'app.cache_hit': hit, 'app.products.count': (r() * 10) | 0, 'app.product.id': product };
  } else if (kind < 0.95) {
    body = `flag evaluated recommendationCache variant=${r() < 0.5 ? 'on' : 'off'} targeting_key=${user}`;
    attrs = { 'feature_flag.key': 'recommendationCache', 'feature_flag.variant': r() < 0.5 ? 'on' : 'off' };
    severity = 5;
  } else {
    body = `failed to charge card: payment declined for order ${hex(r, 8)}-${seq} after ${ms}ms`;
    attrs = {
      'exception.type': 'PaymentDeclinedError',
      'exception.message': 'payment declined',
      'app.order.id': `${seq}`,
    };
    severity = 17;
  }
  return {
    timeNs,
    severity,
    text: severity === 17 ? 'ERROR' : severity === 5 ? 'DEBUG' : 'INFO',
    body,
    traceId: traced ? hex(r, 32) : '',
    spanId: traced ? hex(r, 16) : '',
    attrs,
  };
}

const resources = SERVICES.map((s) =>
  resourceFromAttributes({
    'service.name': s,
    'service.namespace': 'opentelemetry-demo',
    'service.instance.id': `${s}-1`,
    'host.name': 'lab',
    'process.pid': 4242,
  }),
);
const SCOPE = { name: 'orrery-demo', version: '1.0.0' };

function protobufBatch(r: () => number, startNs: number, seq0: number): Uint8Array {
  const records: ReadableLogRecord[] = [];
  for (let i = 0; i < BATCH; i++) {
    const rec = makeRecord(r, startNs + i * 1000 + ((r() * 1000) | 0), seq0 + i);
    const sec = Math.floor(rec.timeNs / 1e9);
    const svc = (r() * SERVICES.length) | 0;
    records.push({
      hrTime: [sec, rec.timeNs - sec * 1e9],
      hrTimeObserved: [sec, rec.timeNs - sec * 1e9],
      ...(rec.traceId ? { spanContext: { traceId: rec.traceId, spanId: rec.spanId, traceFlags: 1 } } : {}),
      severityNumber: rec.severity,
      severityText: rec.text,
      body: rec.body,
      resource: resources[svc]!,
      instrumentationScope: SCOPE,
      attributes: rec.attrs,
      droppedAttributesCount: 0,
    } as ReadableLogRecord);
  }
  return ProtobufLogsSerializer.serializeRequest(records)!;
}

/** A decoded batch built directly (for filling the query store fast); same shapes as above. */
function decodedBatch(r: () => number, startNs: number, seq0: number): LogsData {
  const perService = SERVICES.map(() => [] as Rec[]);
  for (let i = 0; i < BATCH; i++)
    perService[(r() * SERVICES.length) | 0]!.push(makeRecord(r, startNs + i * 1000 + ((r() * 1000) | 0), seq0 + i));
  return {
    resourceLogs: SERVICES.map((s, k) => ({
      resource: {
        attributes: [
          { key: 'service.name', value: { kind: 'string', value: s } },
          { key: 'service.namespace', value: { kind: 'string', value: 'opentelemetry-demo' } },
          { key: 'service.instance.id', value: { kind: 'string', value: `${s}-1` } },
          { key: 'host.name', value: { kind: 'string', value: 'lab' } },
          { key: 'process.pid', value: { kind: 'int', value: 4242 } },
        ],
        droppedAttributesCount: 0,
      },
      schemaUrl: '',
      scopeLogs: [
        {
          scope: { ...SCOPE, attributes: [] },
          schemaUrl: '',
          logRecords: perService[k]!.map((rec) => ({
            timeUnixNano: rec.timeNs,
            observedTimeUnixNano: rec.timeNs,
            severityNumber: rec.severity,
            severityText: rec.text,
            body: { kind: 'string', value: rec.body },
            traceId: rec.traceId,
            spanId: rec.spanId,
            attributes: Object.entries(rec.attrs).map(([key, v]) => ({
              key,
              value:
                typeof v === 'string'
                  ? { kind: 'string', value: v }
                  : typeof v === 'boolean'
                    ? { kind: 'bool', value: v }
                    : { kind: 'int', value: v },
            })),
          })),
        },
      ],
    })),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---- 1 + 2: ingest and bytes per record ----
{
  const r = rng(1);
  const t0 = Date.UTC(2026, 0, 1) * 1e6;
  const nBatches = Math.ceil(INGEST_RECORDS / BATCH);
  const bodies: Uint8Array[] = [];
  for (let b = 0; b < nBatches; b++) bodies.push(protobufBatch(r, t0 + b * BATCH * 1000, b * BATCH));
  const otlpBytes = bodies.reduce((n, b) => n + b.length, 0);
  const total = nBatches * BATCH;
  // warm-up of both paths on a few batches
  const warm = new LogStore({ budgetBytes: 1 << 30 });
  for (const b of bodies.slice(0, 20)) warm.consumeLogs(decodeLogsRequest(b));

  let t = performance.now();
  let kept = 0;
  for (const b of bodies) kept += decodeLogsRequest(b).resourceLogs.length;
  const decodeMs = performance.now() - t;

  const store = new LogStore({ budgetBytes: 8 * 1024 ** 3, retentionMs: 1e12 });
  t = performance.now();
  for (const b of bodies) store.consumeLogs(decodeLogsRequest(b));
  const ingestMs = performance.now() - t;
  store.flush();
  const st = store.stats();
  const decodeRate = total / (decodeMs / 1000);
  const ingestRate = total / (ingestMs / 1000);
  console.log(
    `ingest (${fmt(total)} records, ${BATCH} per OTLP/protobuf batch, one core, ${kept > 0 ? 'decoded' : ''})`,
  );
  console.log(`  decode only (reference):  ${fmt(decodeRate)} records/s`);
  console.log(
    `  decode + store:           ${fmt(ingestRate)} records/s   (${fmt(ingestRate / decodeRate, 2)} × the reference)`,
  );
  console.log(`bytes per stored record (every chunk cut)`);
  console.log(`  OTLP protobuf (reference): ${fmt(otlpBytes / total, 1)} B`);
  console.log(`  lines alone:               ${fmt(st.lineBytes / total, 1)} B`);
  console.log(
    `  store estimate:            ${fmt(st.bytes / st.records, 1)} B   (${fmt(st.bytes / otlpBytes, 3)} × OTLP)`,
  );
}

// ---- 3: line-filter query p50 ----
{
  const r = rng(2);
  const t0 = Date.UTC(2026, 0, 2) * 1e6;
  const store = new LogStore({ budgetBytes: 64 * 1024 ** 3, retentionMs: 1e12 });
  const fillStart = performance.now();
  const nBatches = Math.ceil(RECORDS / BATCH);
  for (let b = 0; b < nBatches; b++) store.consumeLogs(decodedBatch(r, t0 + b * BATCH * 1000, b * BATCH));
  store.flush();
  const endNs = t0 + nBatches * BATCH * 1000 + 1e9;
  const st = store.stats();
  console.log(
    `query store: ${fmt(st.records)} records in ${fmt(st.streams)} streams, ${fmt(st.chunks)} chunks, ${fmt(st.bytes / 1024 ** 2, 1)} MiB (filled in ${fmt((performance.now() - fillStart) / 1000, 1)} s)`,
  );
  const engine = new LogQLEngine(store);
  // a needle that occurs once: the request ID of one record from the middle of the data
  let needle = '';
  const mid = t0 + (nBatches / 2) * BATCH * 1000;
  store.scan(store.matchStreams([newMatcher('=', 'service_name', 'frontend')]), mid, mid + 1e9, false, {}, (rec) => {
    const m = /request_id=([0-9a-f]+)/.exec(rec.cursor.line);
    if (m && needle === '') needle = m[1]!;
  });
  const queries = [
    `{service_namespace="opentelemetry-demo"} |= "${needle}"`,
    '{service_name="recommendationservice"} |= "cache miss" |= "OLJCESPC7Z"',
    '{service_namespace="opentelemetry-demo"} |~ "payment declined.*after 39[0-9]"',
  ];
  for (const text of queries) {
    const q = parseQuery(text) as LogQuery;
    const times: number[] = [];
    let returned = 0;
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      returned = engine.selectLogs(q, { startNs: t0, endNs, limit: 100, backward: true }).entries.length;
      times.push(performance.now() - t);
    }
    // reference: inflating every chunk of the same streams, nothing else
    const streams = store.matchStreams(q.matchers);
    const refTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      for (const s of streams) for (const c of s.chunks) c.block();
      refTimes.push(performance.now() - t);
    }
    const p50 = median(times);
    const ref = median(refTimes);
    console.log(`  ${text}`);
    console.log(
      `    p50 ${fmt(p50, 1)} ms (${returned} lines); inflate-only reference ${fmt(ref, 1)} ms; ratio ${fmt(p50 / ref, 2)}`,
    );
  }
}
