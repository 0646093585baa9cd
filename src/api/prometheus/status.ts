// The Prometheus API endpoints that Grafana, promtool and the Prometheus UI call besides queries,
// in Prometheus 2.42's shapes: rules and alerts (empty: Orrery has no rule engine), targets and
// their metadata (the backend itself, the one "target" whose metrics it writes as job="orrery"),
// status/flags, status/runtimeinfo, status/tsdb (head stats and cardinality, computed from the
// stored series) and status/config (the effective settings as YAML). Unknown /api/v1/ paths get
// Prometheus's error envelope.
import { availableParallelism, hostname } from 'node:os';
import type { MetricFamily } from '../../exporters/prometheus/exposition.js';
import { formatDuration } from '../../promql/parser/format.js';
import { parseMetricSelector } from '../../promql/parser/index.js';
import { METRIC_NAME, labelsFromRecord, type Labels } from '../../labels/labels.js';
import type { Matcher } from '../../labels/matcher.js';
import type { Querier } from '../../storage/storage.js';
import type { ApiRequest, ApiResponse, Router } from '../http.js';
import { errorJson, goJsonString, successJson } from './encode.js';

/** A setting as the flag that sets it shows it; undefined when unset. */
export type SettingValue = string | number | boolean | readonly string[] | undefined;

/** The backend's own scrape-like collection of its metrics (job="orrery"). */
export interface SelfTarget {
  readonly job: string;
  /** host:port of the query/console port */
  readonly instance: string;
  readonly intervalMs: number;
  /** when the last collection ran (ms since the epoch); undefined before the first */
  readonly lastCollectionMs?: number;
  readonly lastCollectionDurationMs?: number;
  /** '' when the last collection succeeded */
  readonly lastError: string;
  /** what that collection wrote, as GET /metrics serves it */
  families(): readonly MetricFamily[];
}

export interface HeadStatsReader {
  stats(): { readonly series: number; readonly chunks: number };
  /** oldest sample (ms) or +Infinity when empty */
  minTime(): number;
  /** newest sample (ms) or -Infinity when empty */
  maxTime(): number;
}

export interface StatusApiDeps {
  readonly storage: Querier;
  /** head statistics; without it only series-derived numbers are reported */
  readonly head?: HeadStatsReader;
  /** effective settings by flag name (what status/flags and status/config show) */
  readonly settings?: () => Readonly<Record<string, SettingValue>>;
  /** ms since the epoch when the backend started; default: when these routes were registered */
  readonly startTimeMs?: number;
  /** how long samples are kept, for runtimeinfo's storageRetention */
  readonly retentionMs?: number;
  readonly selfTarget?: () => SelfTarget | undefined;
}

/** Go's int64 limits, which Prometheus reports as the head's bounds when it is empty. */
const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';

/** Every stored series has a metric name. */
const EVERY_SERIES: readonly Matcher[] = parseMetricSelector('{__name__=~".+"}');

/** How many entries each cardinality list of status/tsdb holds, as Prometheus's default. */
const TOP_N = 10;

function ok(dataJson: string): ApiResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: successJson(dataJson) };
}

function badData(message: string): ApiResponse {
  return { status: 400, headers: { 'content-type': 'application/json' }, body: errorJson('bad_data', message) };
}

/** JSON as Go's encoder writes it (HTML characters escaped), keys in insertion order. */
function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${goJsonString(k)}:${goJson(x)}`)
    .join(',')}}`;
}

/** Go's time.Time JSON form (RFC 3339, fraction without trailing zeros, UTC). */
export function rfc3339(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.?0+Z$/, 'Z')
    .replace(/\.Z$/, 'Z');
}

/** The Go zero time, which Prometheus shows for a target never scraped. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function settingText(v: SettingValue): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** A YAML scalar: plain when YAML 1.1 and 1.2 both read it back as this string, else double-quoted. */
function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  const plain =
    /^[A-Za-z0-9_./][A-Za-z0-9_./:@+*[\]-]*$/.test(v) &&
    !v.endsWith(':') &&
    !/^(true|false|yes|no|on|off|null|y|n)$/i.test(v) &&
    !/^[-+]?(\.\d|\d)[\d_]*(\.[\d_]*)?([eE][-+]?\d+)?$/.test(v) && // a number
    !/^0[xob]/i.test(v) &&
    !/^\d[\d_]*(:[0-5]?\d)+(\.[\d_]*)?$/.test(v); // YAML 1.1's base-60 numbers (12:30)
  return plain ? v : JSON.stringify(v);
}

/** The effective settings as YAML: the collection intervals in Prometheus's global block, then every setting. */
export function settingsYaml(settings: Readonly<Record<string, SettingValue>>, target?: SelfTarget): string {
  const lines: string[] = [];
  if (target) {
    const interval = formatDuration(target.intervalMs);
    lines.push('global:', `  scrape_interval: ${interval}`, `  scrape_timeout: ${formatDuration(timeoutMs(target))}`);
    lines.push(`  evaluation_interval: ${interval}`, 'scrape_configs:', `- job_name: ${yamlScalar(target.job)}`);
    lines.push('  honor_labels: true', `  scrape_interval: ${interval}`, '  metrics_path: /metrics', '  scheme: http');
    lines.push('  static_configs:', '  - targets:', `    - ${yamlScalar(target.instance)}`);
  }
  lines.push('orrery:');
  for (const [name, v] of Object.entries(settings)) {
    if (v === undefined) lines.push(`  ${name}: null`);
    else if (Array.isArray(v)) {
      if (v.length === 0) lines.push(`  ${name}: []`);
      else lines.push(`  ${name}:`, ...v.map((x: string) => `  - ${yamlScalar(x)}`));
    } else lines.push(`  ${name}: ${yamlScalar(v as string | number | boolean)}`);
  }
  return lines.join('\n') + '\n';
}

function timeoutMs(t: SelfTarget): number {
  return Math.min(t.intervalMs, 10_000);
}

interface Stat {
  readonly name: string;
  readonly value: number;
}

function top(counts: ReadonlyMap<string, number>): Stat[] {
  return [...counts]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, TOP_N);
}

/** Head stats and cardinality, as Prometheus's index PostingsStats computes them. */
export function tsdbStatusJson(storage: Querier, head: HeadStatsReader | undefined): string {
  const series: Labels[] = storage.series(EVERY_SERIES, -Infinity, Infinity);
  const byMetric = new Map<string, number>();
  const seriesByPair = new Map<string, number>();
  const valuesByName = new Map<string, Set<string>>();
  for (const labels of series) {
    for (const l of labels) {
      if (l.name === METRIC_NAME) byMetric.set(l.value, (byMetric.get(l.value) ?? 0) + 1);
      const pair = `${l.name}=${l.value}`;
      seriesByPair.set(pair, (seriesByPair.get(pair) ?? 0) + 1);
      let values = valuesByName.get(l.name);
      if (!values) valuesByName.set(l.name, (values = new Set()));
      values.add(l.value);
    }
  }
  const valueCount = new Map<string, number>();
  const memory = new Map<string, number>();
  for (const [name, values] of valuesByName) {
    valueCount.set(name, values.size);
    let bytes = 0;
    for (const v of values) bytes += Buffer.byteLength(v);
    memory.set(name, bytes);
  }
  const stats = head?.stats();
  const minT = head?.minTime() ?? Infinity;
  const maxT = head?.maxTime() ?? -Infinity;
  const empty = series.length === 0 || !Number.isFinite(minT) || !Number.isFinite(maxT);
  const headStats =
    `{"numSeries":${stats?.series ?? series.length},"numLabelPairs":${seriesByPair.size},` +
    `"chunkCount":${stats?.chunks ?? 0},"minTime":${empty ? INT64_MAX : Math.trunc(minT)},` +
    `"maxTime":${empty ? INT64_MIN : Math.trunc(maxT)}}`;
  return (
    `{"headStats":${headStats},"seriesCountByMetricName":${goJson(top(byMetric))},` +
    `"labelValueCountByLabelName":${goJson(top(valueCount))},"memoryInBytesByLabelName":${goJson(top(memory))},` +
    `"seriesCountByLabelValuePair":${goJson(top(seriesByPair))}}`
  );
}

function targetLabels(t: SelfTarget): Labels {
  return labelsFromRecord({ instance: t.instance, job: t.job });
}

function activeTargetJson(t: SelfTarget): Record<string, unknown> {
  const interval = formatDuration(t.intervalMs);
  const timeout = formatDuration(timeoutMs(t));
  const scrapeUrl = `http://${t.instance}/metrics`;
  const host = t.instance.replace(/:\d+$/, '');
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  const health = t.lastCollectionMs === undefined ? 'unknown' : t.lastError === '' ? 'up' : 'down';
  return {
    discoveredLabels: {
      __address__: t.instance,
      __metrics_path__: '/metrics',
      __scheme__: 'http',
      __scrape_interval__: interval,
      __scrape_timeout__: timeout,
      job: t.job,
    },
    labels: { instance: t.instance, job: t.job },
    scrapePool: t.job,
    scrapeUrl,
    // Prometheus names the machine in place of a loopback address.
    globalUrl: loopback ? scrapeUrl.replace(host, hostname()) : scrapeUrl,
    lastError: t.lastError,
    lastScrape: t.lastCollectionMs === undefined ? ZERO_TIME : rfc3339(t.lastCollectionMs),
    lastScrapeDuration: (t.lastCollectionDurationMs ?? 0) / 1000,
    health,
    scrapeInterval: interval,
    scrapeTimeout: timeout,
  };
}

function matchesAll(labels: Labels, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => m.matches(labels.find((l) => l.name === m.name)?.value ?? ''));
}

export function registerStatusApi(router: Router, deps: StatusApiDeps): void {
  const startTimeMs = deps.startTimeMs ?? Date.now();
  const settings: () => Readonly<Record<string, SettingValue>> = deps.settings ?? (() => ({}));
  const selfTarget = deps.selfTarget ?? (() => undefined);

  router.route('GET', '/api/v1/rules', (req) => {
    const type = req.query.get('type') ?? '';
    if (type !== '' && type !== 'alert' && type !== 'record')
      return badData(`invalid parameter "type": not supported value ${goJsonString(type)}`);
    return ok('{"groups":[]}');
  });

  router.route('GET', '/api/v1/alerts', () => ok('{"alerts":[]}'));

  router.route('GET', '/api/v1/targets', (req: ApiRequest) => {
    const state = (req.query.get('state') ?? '').toLowerCase();
    const pool = req.query.get('scrapePool') ?? '';
    const t = selfTarget();
    const showActive = state === '' || state === 'any' || state === 'active';
    const active = t && showActive && (pool === '' || pool === t.job) ? [activeTargetJson(t)] : [];
    return ok(`{"activeTargets":${goJson(active)},"droppedTargets":[]}`);
  });

  router.route('GET', '/api/v1/targets/metadata', (req: ApiRequest) => {
    const limitText = req.query.get('limit') ?? '';
    let limit = -1;
    if (limitText !== '') {
      if (!/^[+-]?\d+$/.test(limitText)) return badData('limit must be a number');
      limit = Number(limitText);
    }
    const matchTarget = req.query.get('match_target') ?? '';
    let matchers: Matcher[] = [];
    if (matchTarget !== '') {
      try {
        matchers = parseMetricSelector(matchTarget);
      } catch (e) {
        return badData(`invalid parameter "match_target": ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const metric = req.query.get('metric') ?? '';
    const t = selfTarget();
    const out: Record<string, unknown>[] = [];
    if (t && matchesAll(targetLabels(t), matchers)) {
      for (const f of t.families()) {
        if (limit >= 0 && out.length >= limit) break;
        if (metric !== '' && f.name !== metric) continue;
        out.push({
          target: { instance: t.instance, job: t.job },
          metric: f.name,
          type: f.type,
          help: f.help,
          unit: f.unit ?? '',
        });
      }
    }
    return ok(goJson(out));
  });

  router.route('GET', '/api/v1/status/flags', () => {
    const flags: Record<string, string> = {};
    for (const [name, v] of Object.entries(settings())) flags[name] = settingText(v);
    return ok(goJson(flags));
  });

  router.route('GET', '/api/v1/status/runtimeinfo', () =>
    ok(
      goJson({
        startTime: rfc3339(startTimeMs),
        CWD: process.cwd(),
        reloadConfigSuccess: true,
        lastConfigTime: rfc3339(Math.floor(startTimeMs / 1000) * 1000),
        corruptionCount: 0,
        // Node has no goroutines: the closest count of concurrent work is its active handles and requests.
        goroutineCount: process.getActiveResourcesInfo().length,
        GOMAXPROCS: availableParallelism(),
        GOGC: '',
        GODEBUG: '',
        storageRetention: deps.retentionMs === undefined ? '0s' : formatDuration(deps.retentionMs),
      }),
    ),
  );

  router.route('GET', '/api/v1/status/tsdb', () => ok(tsdbStatusJson(deps.storage, deps.head)));

  router.route('GET', '/api/v1/status/config', () =>
    ok(`{"yaml":${goJsonString(settingsYaml(settings(), selfTarget()))}}`),
  );

  router.route(
    '*',
    '/api/v1/*',
    (req) => ({
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: errorJson('not_found', `no Prometheus API endpoint at ${req.method} ${req.path}`),
    }),
    { fallback: true },
  );
}
