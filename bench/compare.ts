// Attribute comparison benchmark: 100,000 and 1,000,000 demo-shaped recommendationservice spans
// (a ListRecommendations server span and its get_product_list child per trace; a cache miss is
// slow and lists many products; unique request, session and user IDs; nine resource attributes),
// stored in the embedded TraceStore and compared (slowest 5 % against the rest), as
// GET /api/orrery/v1/compare computes it.
//
//   npm run bench:compare            (or: node dist/bench/compare.js [spans...])
//
// Prints, per size, the median of 3 runs of: the reference (streaming the same spans out of the
// store and counting them: what any comparison must pay), the whole comparison on this thread,
// and the comparison as the API runs it (ComparePool: spans streamed into columns here, scored in
// the worker) with the part of it that holds the API thread; the ranking's top three as a check
// that the answer is the expected one (the same from both).
import type { KeyValue, Span, TracesData } from '../src/otlp/model.js';
import { SpanColumns } from '../src/diagnosis/compare.js';
import { ComparePool } from '../src/diagnosis/compare-pool.js';
import { TraceStore } from '../src/traces/store.js';
import type { TraceQuery } from '../src/traces/storage.js';
import { attrs } from '../src/traces/testdata.js';

const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100_000, 1_000_000];
const RUNS = 3;
const T0_MS = Date.now() - 3600_000;

let seed = 42;
function rnd(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
function hex(digits: number): string {
  let s = '';
  while (s.length < digits)
    s += Math.floor(rnd() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, digits);
}
const RESOURCE = {
  attributes: attrs({
    'service.name': 'recommendationservice',
    'service.namespace': 'opentelemetry-demo',
    'service.instance.id': 'recommendationservice-1',
    'service.version': '1.12.0',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': '2.12.0',
    'host.name': 'laptop',
    'process.pid': 4242,
  }),
  droppedAttributesCount: 0,
};
const PRODUCTS = ['OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N', '0PUK6V6EV0'];

function baseSpan(
  traceId: string,
  name: string,
  startNs: number,
  durNs: number,
  kind: Span['kind'],
  attributes: KeyValue[],
): Span {
  return {
    traceId,
    spanId: hex(16),
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name,
    kind,
    startTimeUnixNano: startNs,
    endTimeUnixNano: startNs + durNs,
    attributes,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

/** One trace: the server span and its get_product_list child. */
function trace(i: number, spacingNs: number): Span[] {
  const traceId = hex(32);
  const miss = rnd() < 0.2;
  const startNs = T0_MS * 1e6 + i * spacingNs;
  const inner = Math.round((miss ? 200 + rnd() * 1000 : 2 + rnd() * 40) * 1e6);
  const user = `user-${hex(8)}`;
  const server = baseSpan(
    traceId,
    'grpc.hipstershop.RecommendationService/ListRecommendations',
    startNs,
    inner + 2e6,
    2,
    attrs({
      'rpc.system': 'grpc',
      'rpc.service': 'hipstershop.RecommendationService',
      'rpc.method': 'ListRecommendations',
      'rpc.grpc.status_code': 0,
      'app.user.id': user,
      'app.session.id': hex(16),
      'app.request.id': hex(12),
    }),
  );
  const count = miss ? 500 + Math.floor(rnd() * 5000) : PRODUCTS.length;
  const child = {
    ...baseSpan(
      traceId,
      'get_product_list',
      startNs + 1e6,
      inner,
      1,
      attrs({
        'app.cache_hit': !miss,
        'app.products.count': count,
        'app.filtered_products.count': Math.min(count, 5),
        'app.product.id': PRODUCTS[Math.floor(rnd() * PRODUCTS.length)]!,
        'app.user.id': user,
        'app.ratio': rnd(),
      }),
    ),
    parentSpanId: server.spanId,
  };
  return [server, child];
}

function fill(spans: number): TraceStore {
  const store = new TraceStore({ budgetBytes: 8 * 1024 ** 3, retentionMs: 48 * 3600_000 });
  const traces = Math.ceil(spans / 2);
  const spacingNs = Math.floor((3000 * 1e9) / traces); // over 50 minutes
  const BATCH = 256;
  for (let i = 0; i < traces; i += BATCH) {
    const batchSpans: Span[] = [];
    for (let k = i; k < Math.min(traces, i + BATCH); k++) batchSpans.push(...trace(k, spacingNs));
    const data: TracesData = {
      resourceSpans: [
        {
          resource: RESOURCE,
          scopeSpans: [
            { scope: { name: 'recommendationservice', version: '', attributes: [] }, spans: batchSpans, schemaUrl: '' },
          ],
          schemaUrl: '',
        },
      ],
    };
    store.consumeTraces(data);
  }
  return store;
}

function median(times: number[]): number {
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function medianMs(fn: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

const pool = new ComparePool({ timeoutMs: 600_000 });
// the worker starts once, as in a running backend
await pool.compare(() => new SpanColumns(), { kind: 'errors' });

console.log(`attribute comparison: median of ${RUNS} runs (Node ${process.version})`);
for (const size of SIZES) {
  const fillStart = performance.now();
  const store = fill(size);
  const fillMs = performance.now() - fillStart;
  const query: TraceQuery = { service: 'recommendationservice', tags: {}, startTimeMinUs: T0_MS * 1000 - 1, limit: 0 };
  let seen = 0;
  const scanMs = medianMs(() => {
    seen = 0;
    store.scanSpans(query, () => seen++);
  });
  let top: string[] = [];
  let selected = 0;
  const compareMs = medianMs(() => {
    const cols = new SpanColumns();
    store.scanSpans(query, (s) => cols.add(s));
    const result = cols.compare({ kind: 'slowest', percent: 5 });
    selected = result.selected;
    top = result.attributes.slice(0, 3).map((a) => `${a.key} ${a.score}`);
  });
  // as the API runs it: the synchronous part of compare() is what holds the API thread (streaming
  // the spans into columns and handing their buffers over)
  const totals: number[] = [];
  const held: number[] = [];
  let workerTop: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const answer = pool.compare(
      () => {
        const cols = new SpanColumns();
        store.scanSpans(query, (s) => cols.add(s));
        return cols;
      },
      { kind: 'slowest', percent: 5 },
    );
    held.push(performance.now() - t);
    const result = await answer;
    totals.push(performance.now() - t);
    workerTop = result.attributes.slice(0, 3).map((a) => `${a.key} ${a.score}`);
  }
  const workerMs = median(totals);
  const heldMs = median(held);
  console.log(
    `${size.toLocaleString('en-US')} spans (stored in ${(fillMs / 1000).toFixed(1)} s): ` +
      `reference scan ${scanMs.toFixed(0)} ms (${seen.toLocaleString('en-US')} spans), ` +
      `comparison on this thread ${compareMs.toFixed(0)} ms (${(compareMs / scanMs).toFixed(2)}× the scan; ` +
      `${selected.toLocaleString('en-US')} selected); with the worker ${workerMs.toFixed(0)} ms ` +
      `(${(workerMs / scanMs).toFixed(2)}× the scan), of which the API thread ${heldMs.toFixed(0)} ms ` +
      `(${(heldMs / scanMs).toFixed(2)}× the scan); top 3: ${top.join(', ')}` +
      (workerTop.join() === top.join() ? '' : `; WORKER'S TOP 3 DIFFERS: ${workerTop.join(', ')}`),
  );
}
await pool.shutdown();
