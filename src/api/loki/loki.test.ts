// The Loki API over a fixed data set. Expected results come from Loki's documentation examples
// (LogQL "Log queries" and "Metric queries" pages, the HTTP API page) and Loki's own test cases;
// the source is noted per case.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApp } from '../router.js';
import { LogStore } from '../../logs/store.js';
import { logsBatch } from '../../logs/testdata.js';
import { registerLokiApi } from './index.js';

const T0_MS = Date.UTC(2025, 0, 1, 12, 0, 0);
const T0 = T0_MS * 1e6;
const S = 1e9;
const NOW_MS = T0_MS + 600_000;
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

// Loki docs, "json" parser example line.
const JSON_LINE =
  '{"protocol":"HTTP/2.0","servers":["129.0.1.1","10.2.1.3"],"request":{"time":"6.032","method":"GET","host":"foo.grafana.net","size":"55","headers":{"Accept":"*/*","User-Agent":"curl/7.68.0"}},"response":{"status":401,"size":"228","latency_seconds":"6.031"}}';
// Loki docs, "logfmt" parser example line.
const LOGFMT_LINE = 'at=info method=GET path=/ host=grafana.net fwd="124.133.124.161" service=8ms status=200';

let server: Server;
let base: string;
let store: LogStore;

beforeAll(async () => {
  store = new LogStore({ now: () => NOW_MS, chunkBytes: 512 });
  store.consumeLogs(
    logsBatch([
      {
        resource: { 'service.name': 'frontend', 'service.namespace': 'shop', 'host.name': 'lab-1' },
        scope: { name: 'frontend-logger', version: '1.0.0' },
        records: [
          { timeNs: T0 + 1 * S, body: LOGFMT_LINE, severityNumber: 9, severityText: 'INFO' },
          {
            timeNs: T0 + 2 * S,
            body: 'at=error method=POST path=/api/cart duration=1.5s size=20kb status=500 msg="cart failed"',
            severityNumber: 17,
            severityText: 'ERROR',
            traceId: TRACE,
            spanId: SPAN,
            attributes: { 'http.route': '/api/cart', 'exception.type': 'TimeoutError' },
          },
          {
            timeNs: T0 + 3 * S,
            body: 'at=info method=GET path=/api/products duration=15ms size=2kb status=200',
            severityNumber: 9,
          },
          {
            timeNs: T0 + 61 * S,
            body: 'at=warn method=GET path=/api/products duration=250ms size=20kb status=404',
            severityText: 'warning',
          },
        ],
      },
      {
        resource: { 'service.name': 'api', 'service.namespace': 'shop', 'deployment.environment': 'lab' },
        records: [
          { timeNs: T0 + 4 * S, body: JSON_LINE, severityNumber: 13, attributes: { 'app.products.count': 5 } },
          {
            timeNs: T0 + 5 * S,
            body: 'not json at all',
            severityNumber: 9,
            traceId: TRACE,
            spanId: 'c1c2c3c4c5c6c7c8',
          },
          {
            timeNs: T0 + 62 * S,
            body: { kind: 'kvlist', value: [{ key: 'msg', value: { kind: 'string', value: 'structured body' } }] },
            severityNumber: 21,
          },
        ],
      },
      { resource: { 'host.name': 'nameless' }, records: [{ timeNs: T0 + 6 * S, body: '<b>markup</b>' }] },
    ]),
  );
  const app = new HttpApp();
  registerLokiApi(app, { store, now: () => NOW_MS });
  const l = await app.listen('127.0.0.1', 0);
  server = l.server;
  base = `http://127.0.0.1:${l.port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function get(
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}?${new URLSearchParams(params)}`, { headers });
}

interface Streams {
  status: string;
  data: {
    resultType: string;
    result: { stream: Record<string, string>; values: [string, string, Record<string, Record<string, string>>?][] }[];
    encodingFlags?: string[];
  };
}

const RANGE = { start: String(T0), end: String(T0 + 120 * S) };

async function lines(query: string, extra: Record<string, string> = {}): Promise<string[]> {
  const res = await get('/loki/api/v1/query_range', { query, ...RANGE, ...extra });
  const body = (await res.json()) as Streams;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.data.resultType).toBe('streams');
  return body.data.result
    .flatMap((s) => s.values)
    .sort((a, b) => (BigInt(b[0]) > BigInt(a[0]) ? 1 : -1))
    .map((v) => v[1]);
}

async function streams(query: string, headers: Record<string, string> = {}): Promise<Streams['data']> {
  const res = await get('/loki/api/v1/query_range', { query, ...RANGE }, headers);
  expect(res.status).toBe(200);
  return ((await res.json()) as Streams).data;
}

describe('log queries', () => {
  it('a stream selector returns the stream, newest first (Loki docs: log stream selector)', async () => {
    const got = await lines('{service_name="frontend"}');
    expect(got).toHaveLength(4);
    expect(got[0]).toContain('at=warn');
    expect(await lines('{service_name="frontend"}', { direction: 'forward', limit: '1' })).toEqual([LOGFMT_LINE]);
  });

  it.each([
    // Loki docs, "Log stream selector": the four matcher types
    ['{service_namespace="shop", service_name!="api"}', 4],
    ['{service_name=~"front.*|api"}', 7],
    ['{service_name!~"front.*", service_namespace="shop"}', 3],
    // Loki's OTLP mapping: a resource without service.name is unknown_service
    ['{service_name="unknown_service"}', 1],
    // Loki docs, "Line filter expression"
    ['{service_namespace="shop"} |= "products"', 2],
    ['{service_namespace="shop"} != "products"', 5],
    ['{service_namespace="shop"} |~ "status=[45]\\\\d\\\\d"', 2],
    ['{service_namespace="shop"} !~ "at=(info|warn)"', 4],
    ['{service_namespace="shop"} |= "products" or "cart"', 3],
    ['{service_namespace="shop"} |= "at=" != "POST" |= "GET"', 3],
    // structured metadata in label filters (Loki docs, "Structured metadata": querying)
    [`{service_namespace="shop"} | trace_id="${TRACE}"`, 2],
    [`{service_name="api"} | trace_id="${TRACE.toUpperCase()}"`, 1],
    [`{service_name="frontend"} | span_id="${SPAN}"`, 1],
    ['{service_name="frontend"} | detected_level="error"', 1],
    ['{service_name="frontend"} | detected_level="warn"', 1],
    ['{service_name="api"} | app_products_count > 3', 1],
    ['{service_name="frontend"} | http_route="/api/cart" | exception_type="TimeoutError"', 1],
    ['{service_name="frontend"} | host_name="lab-1" | scope_name="frontend-logger"', 4],
    // Loki docs, "logfmt" and "Label filter expression" (duration/bytes comparisons; and binds tighter than or)
    ['{service_name="frontend"} | logfmt | status >= 400', 2],
    ['{service_name="frontend"} | logfmt | duration >= 20ms or size == 20kb and method!~"G.."', 2],
    ['{service_name="frontend"} | logfmt | duration > 1s', 1],
    ['{service_name="frontend"} | logfmt | size > 10KB', 2],
    ['{service_name="frontend"} | logfmt | (status=200 or status=404) , method="GET"', 3],
    ['{service_name="frontend"} | logfmt | at="info" | path="/"', 1],
    // Loki docs, "json": nested objects flattened with _, arrays skipped
    ['{service_name="api"} | json | request_method="GET" | response_status = 401', 1],
    ['{service_name="api"} | json | request_headers_User_Agent="curl/7.68.0"', 1],
    ['{service_name="api"} | json | response_latency_seconds > 6', 1],
  ])('%s → %i lines', async (query, n) => {
    expect(await lines(query)).toHaveLength(n);
  });

  it('json keeps a line it cannot parse, with __error__ (Loki docs: "json" and "Pipeline errors")', async () => {
    expect(await lines('{service_name="api"} | json | __error__="JSONParserErr"')).toEqual(['not json at all']);
    expect(await lines('{service_name="api"} | json | __error__=""')).toHaveLength(2);
    expect(await lines('{service_name="api"} | json | drop __error__, __error_details__ | __error__=""')).toHaveLength(
      3,
    );
  });

  it('json with parameters reads paths (Loki docs: json parser with parameters)', async () => {
    const got = await lines(
      '{service_name="api"} | json first_server="servers[0]", ua="request.headers[\\"User-Agent\\"]" | line_format "{{.first_server}} {{.ua}}" | first_server!=""',
    );
    expect(got).toEqual(['129.0.1.1 curl/7.68.0']);
  });

  it('line_format rewrites the line (Loki docs: line_format expression)', async () => {
    const got = await lines(
      '{service_name="frontend"} | logfmt | line_format "{{.method}} {{.path}} {{ .status | ToLower }}"',
    );
    expect(got).toEqual(['GET /api/products 404', 'GET /api/products 200', 'POST /api/cart 500', 'GET / 200']);
  });

  it('a non-string body is the line as JSON (Loki OTLP mapping: Body as string)', async () => {
    expect(await lines('{service_name="api"} |= "structured"')).toEqual(['{"msg":"structured body"}']);
  });

  it('without categorize-labels, streams carry stream labels, structured metadata and parsed labels', async () => {
    const data = await streams(`{service_name="frontend"} | trace_id="${TRACE}" | logfmt`);
    expect(data.result).toHaveLength(1);
    const s = data.result[0]!.stream;
    expect(s).toMatchObject({
      service_name: 'frontend',
      service_namespace: 'shop',
      host_name: 'lab-1',
      trace_id: TRACE,
      span_id: SPAN,
      severity_text: 'ERROR',
      severity_number: '17',
      detected_level: 'error',
      scope_name: 'frontend-logger',
      scope_version: '1.0.0',
      http_route: '/api/cart',
      exception_type: 'TimeoutError',
      msg: 'cart failed',
      at: 'error',
    });
    expect(data.result[0]!.values[0]).toEqual([String(T0 + 2 * S), expect.stringContaining('cart failed')]);
  });

  it('with categorize-labels, entries carry structuredMetadata and parsed apart (Loki 3 HTTP API)', async () => {
    const data = await streams(`{service_name="frontend"} | trace_id="${TRACE}" | logfmt`, {
      'X-Loki-Response-Encoding-Flags': 'categorize-labels',
    });
    expect(data.encodingFlags).toEqual(['categorize-labels']);
    expect(data.result[0]!.stream).toEqual({ service_name: 'frontend', service_namespace: 'shop' });
    const extra = data.result[0]!.values[0]![2]!;
    expect(extra['structuredMetadata']).toMatchObject({ trace_id: TRACE, host_name: 'lab-1', detected_level: 'error' });
    expect(extra['parsed']).toMatchObject({ at: 'error', method: 'POST', status: '500' });
  });

  it('serves lines as data, never as markup', async () => {
    const res = await get('/loki/api/v1/query_range', { query: '{service_name="unknown_service"}', ...RANGE });
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as Streams;
    expect(body.data.result[0]!.values[0]![1]).toBe('<b>markup</b>');
  });
});

interface Matrix {
  data: {
    resultType: string;
    result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[];
  };
}

async function matrix(query: string, step = '60'): Promise<Matrix['data']> {
  const res = await get('/loki/api/v1/query_range', {
    query,
    start: String(T0_MS / 1000 + 60),
    end: String(T0_MS / 1000 + 120),
    step,
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return (JSON.parse(text) as Matrix).data;
}

describe('metric queries', () => {
  it('count_over_time counts per series and window (t - range, t] (Loki docs: count_over_time)', async () => {
    const data = await matrix('sum by (service_name) (count_over_time({service_namespace="shop"}[1m]))');
    expect(data.resultType).toBe('matrix');
    const bySvc = Object.fromEntries(data.result.map((r) => [r.metric['service_name'], r.values]));
    // step 1 at T0+60s covers (T0, T0+60s]; step 2 at T0+120s covers (T0+60s, T0+120s]
    expect(bySvc['frontend']).toEqual([
      [T0_MS / 1000 + 60, '3'],
      [T0_MS / 1000 + 120, '1'],
    ]);
    expect(bySvc['api']).toEqual([
      [T0_MS / 1000 + 60, '2'],
      [T0_MS / 1000 + 120, '1'],
    ]);
  });

  it('rate is the count per second of the range (Loki docs: rate)', async () => {
    const data = await matrix('sum(rate({service_name="frontend"}[1m]))');
    expect(data.result).toEqual([
      {
        metric: {},
        values: [
          [T0_MS / 1000 + 60, '0.05'],
          [T0_MS / 1000 + 120, String(1 / 60)],
        ],
      },
    ]);
  });

  it('bytes_over_time sums line bytes (Loki docs: bytes_over_time)', async () => {
    const data = await matrix('sum(bytes_over_time({service_name="api"} |= "json" [1m]))');
    expect(data.result[0]!.values).toEqual([[T0_MS / 1000 + 60, String('not json at all'.length)]]);
  });

  it('sum by detected_level: the volume histogram Grafana draws', async () => {
    const data = await matrix(
      'sum by (detected_level) (count_over_time({service_namespace="shop"} | drop __error__ [1m]))',
    );
    const byLevel = Object.fromEntries(data.result.map((r) => [r.metric['detected_level'], r.values]));
    const [t1, t2] = [T0_MS / 1000 + 60, T0_MS / 1000 + 120];
    // severity number 13 (the JSON line) is warn, the text "warning" (no number) too; 21 is fatal
    expect(byLevel).toEqual({
      info: [[t1, '3']],
      error: [[t1, '1']],
      warn: [
        [t1, '1'],
        [t2, '1'],
      ],
      fatal: [[t2, '1']],
    });
  });

  it('topk keeps the k largest series per step (Loki docs: topk)', async () => {
    // windows (T0 - 60s, T0 + 60s] and (T0, T0 + 120s]: frontend has 3 and 4 records, api 2 and 3
    const data = await matrix('topk(1, sum by (service_name) (count_over_time({service_namespace="shop"}[2m])))');
    expect(data.result).toEqual([
      {
        metric: { service_name: 'frontend' },
        values: [
          [T0_MS / 1000 + 60, '3'],
          [T0_MS / 1000 + 120, '4'],
        ],
      },
    ]);
    const bottom = await matrix('bottomk(1, sum by (service_name) (count_over_time({service_namespace="shop"}[2m])))');
    expect(bottom.result.map((r) => r.metric)).toEqual([{ service_name: 'api' }]);
  });

  it('a metric query over a pipeline: sum by (host) (rate(... |= ... != ... | logfmt | duration > 10ms [1m])) (Loki docs)', async () => {
    const data = await matrix(
      'sum by (path) (count_over_time({service_name="frontend"} |= "GET" != "path=/ " | logfmt | duration > 10ms [1m]))',
    );
    expect(data.result).toEqual([
      {
        metric: { path: '/api/products' },
        values: [
          [T0_MS / 1000 + 60, '1'],
          [T0_MS / 1000 + 120, '1'],
        ],
      },
    ]);
  });

  it("an instant query gives a vector; vector(1)+vector(1) is Grafana's health check", async () => {
    const res = await get('/loki/api/v1/query', { query: 'vector(1)+vector(1)', time: String(T0_MS / 1000) });
    expect(await res.json()).toMatchObject({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [T0_MS / 1000, '2'] }] },
    });
    const res2 = await get('/loki/api/v1/query', {
      query: 'count_over_time({service_name="frontend"} |= "POST" [1m])',
      time: String(T0_MS / 1000 + 60),
    });
    const body = (await res2.json()) as Matrix;
    expect(body.data.resultType).toBe('vector');
    expect(body.data.result.map((r) => r.value![1])).toEqual(['1']);
  });
});

describe('metadata endpoints', () => {
  const metaRange = { start: String(T0), end: String(T0 + 120 * S) };

  it('labels and label values are the stream labels (Loki HTTP API)', async () => {
    const res = await get('/loki/api/v1/labels', metaRange);
    expect(await res.json()).toEqual({
      status: 'success',
      data: ['deployment_environment', 'service_name', 'service_namespace'],
    });
    const vals = await get('/loki/api/v1/label/service_name/values', metaRange);
    expect(await vals.json()).toEqual({ status: 'success', data: ['api', 'frontend', 'unknown_service'] });
    const scoped = await get('/loki/api/v1/label/service_name/values', {
      ...metaRange,
      query: '{deployment_environment="lab"}',
    });
    expect(await scoped.json()).toEqual({ status: 'success', data: ['api'] });
  });

  it('series lists the matching streams', async () => {
    const res = await fetch(
      `${base}/loki/api/v1/series?match[]=${encodeURIComponent('{service_namespace="shop"}')}&start=${T0}&end=${T0 + 120 * S}`,
    );
    const body = (await res.json()) as { status: string; data: Record<string, string>[] };
    expect(body.status).toBe('success');
    expect(body.data).toEqual(
      expect.arrayContaining([
        { service_name: 'frontend', service_namespace: 'shop' },
        { deployment_environment: 'lab', service_name: 'api', service_namespace: 'shop' },
      ]),
    );
    expect(body.data).toHaveLength(2);
  });

  it('index/stats and index/volume (Loki HTTP API shapes)', async () => {
    const stats = await get('/loki/api/v1/index/stats', { query: '{service_name="frontend"}', ...metaRange });
    const s = (await stats.json()) as Record<string, number>;
    expect(Object.keys(s).sort()).toEqual(['bytes', 'chunks', 'entries', 'streams']);
    expect(s['streams']).toBe(1);
    expect(s['entries']).toBe(4);
    const vol = await get('/loki/api/v1/index/volume', {
      query: '{service_namespace="shop"}',
      targetLabels: 'service_name',
      ...metaRange,
    });
    const v = (await vol.json()) as Matrix & { status: string };
    expect(v.status).toBe('success');
    expect(v.data.resultType).toBe('vector');
    expect(v.data.result.map((r) => r.metric)).toEqual([{ service_name: 'frontend' }, { service_name: 'api' }]);
  });
});

describe("bad input: 400 with Loki's wording, as plain text", () => {
  it.each([
    // Loki's parser_test.go
    ['unk({ foo = "bar" }[5m])', 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER'],
    // Loki's parser.go validation
    [
      '{foo=~".*"}',
      'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    ],
    ['{service_name="api"', 'parse error at line 1, col 20: syntax error: unexpected $end, expecting }'],
    ['{service_name="api"} |= ', 'parse error at line 1, col 25: syntax error: unexpected $end, expecting STRING'],
    ['{service_name="api"} |~ "(a"', 'parse error at line 1, col 25: error parsing regexp: missing closing ): `(a`'],
    ['count_over_time({a="b"}[5m]) by (x)', 'parse error : grouping not allowed for count_over_time aggregation'],
    ['x'.repeat(6000), 'parse error : input size too long (6000 > 5120)'],
  ])('%s', async (query, message) => {
    const res = await get('/loki/api/v1/query_range', { query: query.slice(0, 6000), ...RANGE });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(message);
  });

  it('refuses log queries as instant queries, bad limits and reversed ranges', async () => {
    const inst = await get('/loki/api/v1/query', { query: '{service_name="api"}' });
    expect(inst.status).toBe(400);
    expect(await inst.text()).toBe(
      'log queries are not supported as an instant query type, please change your query to a range query type',
    );
    const lim = await get('/loki/api/v1/query_range', { query: '{service_name="api"}', limit: '10000', ...RANGE });
    expect(await lim.text()).toBe(
      'max entries limit per query exceeded, limit > max_entries_limit_per_query (10000 > 5000)',
    );
    const rev = await get('/loki/api/v1/query_range', {
      query: '{service_name="api"}',
      start: RANGE.end,
      end: RANGE.start,
    });
    expect(rev.status).toBe(400);
    expect(await rev.text()).toBe('end timestamp must not be before or equal to start time');
  });

  it('a regex is RE2: a catastrophic-backtracking pattern answers at once', async () => {
    const t = performance.now();
    const res = await get('/loki/api/v1/query_range', { query: '{service_namespace="shop"} |~ "(a+)+$"', ...RANGE });
    expect(res.status).toBe(200);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
