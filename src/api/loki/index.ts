// Loki's HTTP query API (the one Grafana's Loki data source calls), over the log store and the
// LogQL engine: /loki/api/v1/query, /query_range, /labels, /label/{name}/values, /series,
// /index/stats, /index/volume and /status/buildinfo, with Loki's response shapes and its
// plain-text 400 errors. With the request header X-Loki-Response-Encoding-Flags:
// categorize-labels, streams carry only stream labels and each entry's structured metadata and
// parsed labels come as a third element, as Loki 3 answers Grafana.
import type { ApiRequest, ApiResponse, Router } from '../http.js';
import { Form } from '../prometheus/params.js';
import { formatSampleValue, formatTimestamp } from '../prometheus/encode.js';
import { labelsKey, labelsToRecord, type Label, type Labels } from '../../labels/labels.js';
import type { Matcher } from '../../labels/matcher.js';
import type { LogStore } from '../../logs/store.js';
import { LogQLEngine, LogQLEvalError, type LogEntry, type QueryResult, type QueryStats } from '../../logql/engine.js';
import { LogQLParseError } from '../../logql/lexer.js';
import { parseQuery, parseSelector } from '../../logql/parser.js';
import { LokiParamError, parseDirection, parseLimit, parseLokiDuration, parseLokiTime } from './params.js';

export interface LokiApiDeps {
  readonly store: LogStore;
  /** ms since the epoch; default Date.now */
  readonly now?: () => number;
  /** max_entries_limit_per_query (default 5000, Loki's) */
  readonly maxEntries?: number;
}

const MAX_POINTS = 11000;
const DEFAULT_METADATA_SINCE_NS = 6 * 3600e9;
const DEFAULT_QUERY_SINCE_NS = 3600e9;
const CATEGORIZE = 'categorize-labels';

export const ERR_INSTANT_LOG_QUERY =
  'log queries are not supported as an instant query type, please change your query to a range query type';

function text(status: number, message: string): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body: message,
  };
}

function success(data: unknown): ApiResponse {
  return { status: 200, body: { status: 'success', data } };
}

export function registerLokiApi(router: Router, deps: LokiApiDeps): void {
  const { store } = deps;
  const engine = new LogQLEngine(store);
  const nowNs = (): number => (deps.now ?? Date.now)() * 1e6;
  const maxEntries = deps.maxEntries ?? 5000;

  const wrap =
    (fn: (form: Form, req: ApiRequest) => ApiResponse) =>
    (req: ApiRequest): ApiResponse => {
      try {
        return fn(new Form(req), req);
      } catch (e) {
        if (e instanceof LogQLParseError || e instanceof LokiParamError || e instanceof LogQLEvalError)
          return text(400, e.message);
        return text(500, e instanceof Error ? e.message : String(e));
      }
    };

  /** start/end/since as Loki's range endpoints read them. */
  const range = (form: Form, defaultSince: number): { startNs: number; endNs: number } => {
    const endNs = parseLokiTime(form.value('end'), nowNs());
    let since = defaultSince;
    if (form.value('since') !== '') since = parseLokiDuration(form.value('since'), 'since');
    const startNs = parseLokiTime(form.value('start'), endNs - since);
    return { startNs, endNs };
  };

  const route = (pattern: string, fn: (form: Form, req: ApiRequest) => ApiResponse): void => {
    router.route('GET', pattern, wrap(fn));
    router.route('POST', pattern, wrap(fn), { readOnly: true });
  };

  route('/loki/api/v1/query_range', (form, req) => {
    const { startNs, endNs } = range(form, DEFAULT_QUERY_SINCE_NS);
    if (endNs < startNs) throw new LokiParamError('end timestamp must not be before or equal to start time');
    const limit = parseLimit(form.value('limit'), 100, maxEntries);
    const backward = parseDirection(form.value('direction'));
    const q = parseQuery(form.value('query'));
    let stepNs =
      form.value('step') !== '' ? parseLokiDuration(form.value('step'), 'step') : defaultStepNs(startNs, endNs);
    if (stepNs <= 0)
      throw new LokiParamError(
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    if ((endNs - startNs) / stepNs > MAX_POINTS)
      throw new LokiParamError(
        'exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step parameter',
      );
    stepNs = Math.max(stepNs, 1e6);
    const steps: number[] = [];
    if (q.type !== 'log') for (let t = startNs; t <= endNs; t += stepNs) steps.push(Math.floor(t / 1e6));
    const result = engine.run(q, { startNs, endNs, limit, backward }, steps);
    return success(resultData(result, categorized(req)));
  });

  route('/loki/api/v1/query', (form, req) => {
    const t = parseLokiTime(form.value('time'), nowNs());
    const limit = parseLimit(form.value('limit'), 100, maxEntries);
    const backward = parseDirection(form.value('direction'));
    const q = parseQuery(form.value('query'));
    if (q.type === 'log') throw new LokiParamError(ERR_INSTANT_LOG_QUERY);
    const result = engine.run(q, { startNs: t, endNs: t, limit, backward }, [Math.floor(t / 1e6)]);
    return success(resultData(result, categorized(req), true));
  });

  route('/loki/api/v1/labels', (form) => {
    const { startNs, endNs } = range(form, DEFAULT_METADATA_SINCE_NS);
    const q = form.value('query');
    if (q === '') return success(store.labelNames(startNs, endNs));
    const names = new Set<string>();
    for (const s of store.series([parseSelector(q)], startNs, endNs)) for (const l of s.labels) names.add(l.name);
    return success([...names].sort());
  });

  route('/loki/api/v1/label/:name/values', (form, req) => {
    const { startNs, endNs } = range(form, DEFAULT_METADATA_SINCE_NS);
    const q = form.value('query');
    const matchers: Matcher[] = q === '' ? [] : parseSelector(q);
    return success(store.labelValues(req.params['name'] ?? '', startNs, endNs, matchers));
  });

  route('/loki/api/v1/series', (form) => {
    const { startNs, endNs } = range(form, DEFAULT_METADATA_SINCE_NS);
    const sets = [...form.values('match[]'), ...form.values('match')].map(parseSelector);
    const streams = store.series(sets, startNs, endNs);
    return success(streams.map((s) => labelsToRecord(s.labels)));
  });

  route('/loki/api/v1/index/stats', (form) => {
    const { startNs, endNs } = range(form, DEFAULT_QUERY_SINCE_NS);
    const st = store.indexStats(parseSelector(form.value('query')), startNs, endNs);
    return { status: 200, body: { streams: st.streams, chunks: st.chunks, bytes: st.lineBytes, entries: st.records } };
  });

  route('/loki/api/v1/index/volume', (form) => {
    const { startNs, endNs } = range(form, DEFAULT_QUERY_SINCE_NS);
    const matchers = parseSelector(form.value('query'));
    const limit = form.value('limit') === '' ? 100 : parseLimit(form.value('limit'), 100, Number.MAX_SAFE_INTEGER);
    const target = form
      .value('targetLabels')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const by = new Set(target.length > 0 ? target : matchers.map((m) => m.name));
    const aggregateBy = form.value('aggregateBy') || 'series';
    if (aggregateBy !== 'series' && aggregateBy !== 'labels')
      throw new LokiParamError(`invalid aggregation option: ${aggregateBy}`);
    const volumes = new Map<string, { labels: Labels; bytes: number }>();
    for (const v of store.volumeByStream(matchers, startNs, endNs)) {
      const groups: Label[][] =
        aggregateBy === 'labels'
          ? v.labels.filter((l) => by.size === 0 || by.has(l.name)).map((l) => [{ name: l.name, value: '' }])
          : [v.labels.filter((l) => by.has(l.name))];
      for (const labels of groups) {
        const key = labelsKey(labels);
        const cur = volumes.get(key);
        if (cur) cur.bytes += v.bytes;
        else volumes.set(key, { labels, bytes: v.bytes });
      }
    }
    const sorted = [...volumes.values()].sort((a, b) => b.bytes - a.bytes).slice(0, limit);
    const ts = Number(formatTimestamp(Math.floor(endNs / 1e6)));
    return success({
      resultType: 'vector',
      result: sorted.map((v) => ({ metric: labelsToRecord(v.labels), value: [ts, String(v.bytes)] })),
    });
  });

  route('/loki/api/v1/status/buildinfo', () => ({
    status: 200,
    body: {
      version: '3.4.0',
      revision: 'orrery',
      branch: 'orrery',
      buildUser: 'orrery',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
    },
  }));
}

function categorized(req: ApiRequest): boolean {
  const h = req.headers['x-loki-response-encoding-flags'];
  const v = Array.isArray(h) ? h.join(',') : (h ?? '');
  return v.split(',').some((f) => f.trim() === CATEGORIZE);
}

/** Loki's defaultQueryRangeStep: (end - start) / 250 whole seconds, at least 1 s. */
export function defaultStepNs(startNs: number, endNs: number): number {
  return Math.max(Math.floor((endNs - startNs) / 1e9 / 250), 1) * 1e9;
}

function statsJson(s: QueryStats, returned: number): unknown {
  const execS = s.execMs / 1000;
  return {
    summary: {
      bytesProcessedPerSecond: execS > 0 ? Math.round(s.bytes / execS) : 0,
      linesProcessedPerSecond: execS > 0 ? Math.round(s.records / execS) : 0,
      totalBytesProcessed: s.bytes,
      totalLinesProcessed: s.records,
      execTime: execS,
      queueTime: 0,
      subqueries: 0,
      totalEntriesReturned: returned,
      splits: 0,
      shards: 0,
      totalPostFilterLines: returned,
      totalStructuredMetadataBytesProcessed: 0,
    },
  };
}

const sampleTs = (ms: number): number => Number(formatTimestamp(ms));

function resultData(r: QueryResult, categorize: boolean, instant = false): unknown {
  switch (r.type) {
    case 'streams': {
      const data: Record<string, unknown> = {
        resultType: 'streams',
        result: streamsJson(r.entries, categorize),
        stats: statsJson(r.stats, r.entries.length),
      };
      if (categorize) data['encodingFlags'] = [CATEGORIZE];
      return data;
    }
    case 'scalar':
      return {
        resultType: 'scalar',
        result: [sampleTs(r.steps[r.steps.length - 1] ?? 0), formatSampleValue(r.value)],
        stats: statsJson(r.stats, 0),
      };
    case 'matrix': {
      const series = [...r.series].sort((a, b) => (labelsKey(a.labels) < labelsKey(b.labels) ? -1 : 1));
      if (instant) {
        return {
          resultType: 'vector',
          result: series
            .filter((s) => !Number.isNaN(s.values[0]!))
            .map((s) => ({
              metric: labelsToRecord(s.labels),
              value: [sampleTs(r.steps[0]!), formatSampleValue(s.values[0]!)],
            })),
          stats: statsJson(r.stats, 0),
        };
      }
      return {
        resultType: 'matrix',
        result: series.map((s) => {
          const values: [number, string][] = [];
          for (let k = 0; k < r.steps.length; k++) {
            const v = s.values[k]!;
            if (!Number.isNaN(v)) values.push([sampleTs(r.steps[k]!), formatSampleValue(v)]);
          }
          return { metric: labelsToRecord(s.labels), values };
        }),
        stats: statsJson(r.stats, 0),
      };
    }
  }
}

/** Entries (already in result order) grouped into Loki's streams. */
function streamsJson(entries: readonly LogEntry[], categorize: boolean): unknown[] {
  const streams = new Map<string, { stream: Record<string, string>; values: unknown[] }>();
  for (const e of entries) {
    const labels = categorize ? e.stream : mergeLabels(e);
    const key = labelsKey(labels);
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { stream: labelsToRecord(labels), values: [] }));
    const ts = BigInt(Math.round(e.timeNs)).toString();
    if (categorize && (e.metadata.length > 0 || e.parsed.length > 0)) {
      const extra: Record<string, Record<string, string>> = {};
      if (e.metadata.length > 0) extra['structuredMetadata'] = labelsToRecord(e.metadata);
      if (e.parsed.length > 0) extra['parsed'] = labelsToRecord(e.parsed);
      s.values.push([ts, e.line, extra]);
    } else s.values.push([ts, e.line]);
  }
  return [...streams.values()].map(({ stream, values }) => ({ stream, values }));
}

function mergeLabels(e: LogEntry): Label[] {
  const byName = new Map<string, string>();
  for (const l of e.stream) byName.set(l.name, l.value);
  for (const l of e.metadata) if (!byName.has(l.name)) byName.set(l.name, l.value);
  for (const l of e.parsed) byName.set(l.name, l.value);
  return [...byName]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
