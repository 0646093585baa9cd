// The Logs page's pure parts: Loki streams to display lines (level, trace and span IDs, labels
// apart from structured metadata), the volume query and its histogram frame by level, the query
// box's completion context, live-tail merging, and the links between logs and traces.
import type { LokiMatrix, LokiStreams } from '../../api/loki.js';

/** Loki's detected_level values, in severity order (the histogram stacks them so). */
export const LEVELS = ['unknown', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** Severity colours on the console's dark background, as Grafana's log levels. */
export const LEVEL_COLORS: Readonly<Record<Level, string>> = {
  unknown: '#8e8e8e',
  trace: '#6ed0e0',
  debug: '#1f78c1',
  info: '#73bf69',
  warn: '#fade2a',
  error: '#f2495c',
  fatal: '#b877d9',
};

export interface LogLine {
  /** unique within a result: the timestamp, the stream and the line */
  readonly key: string;
  /** nanoseconds since the epoch, as Loki's text (beyond 2^53) */
  readonly timeNs: string;
  readonly timeMs: number;
  readonly line: string;
  readonly level: Level;
  /** stream labels (indexed) */
  readonly labels: Readonly<Record<string, string>>;
  /** structured metadata (trace_id, span_id, severity_text, attributes…) */
  readonly metadata: Readonly<Record<string, string>>;
  /** labels extracted by a parser stage (| json, | logfmt) */
  readonly parsed: Readonly<Record<string, string>>;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly service: string | undefined;
}

const TRACE_ID = /^[0-9a-f]{32}$/i;
const SPAN_ID = /^[0-9a-f]{16}$/i;

/** A level name from detected_level (or a severity text, as Loki's detection reads it). */
export function levelOf(text: string | undefined): Level {
  const t = (text ?? '').toLowerCase();
  if ((LEVELS as readonly string[]).includes(t)) return t as Level;
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('err')) return 'error';
  if (t.startsWith('crit') || t === 'panic' || t === 'emergency') return 'fatal';
  if (t.startsWith('info') || t === 'notice') return 'info';
  if (t.startsWith('debug') || t === 'dbg') return 'debug';
  return 'unknown';
}

/** Every entry of every stream, newest first (or oldest first for `forward`), as display lines. */
export function linesOf(data: LokiStreams, direction: 'backward' | 'forward' = 'backward'): LogLine[] {
  const out: LogLine[] = [];
  for (const s of data.result) {
    const streamKey = Object.entries(s.stream)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    for (const v of s.values) {
      const [timeNs, line] = v;
      const extra = v.length === 3 ? v[2] : {};
      const metadata = extra.structuredMetadata ?? {};
      const parsed = extra.parsed ?? {};
      // without categorized labels, metadata arrives inside the stream labels: look in both
      const pick = (name: string): string | undefined => metadata[name] ?? parsed[name] ?? s.stream[name];
      const traceId = pick('trace_id');
      const spanId = pick('span_id');
      out.push({
        key: `${timeNs}|${streamKey}|${line}`,
        timeNs,
        timeMs: nsToMs(timeNs),
        line,
        level: levelOf(pick('detected_level') ?? pick('level') ?? pick('severity_text')),
        labels: s.stream,
        metadata,
        parsed,
        traceId: traceId !== undefined && TRACE_ID.test(traceId) ? traceId.toLowerCase() : undefined,
        spanId: spanId !== undefined && SPAN_ID.test(spanId) ? spanId.toLowerCase() : undefined,
        service: s.stream['service_name'],
      });
    }
  }
  // nanosecond texts of equal length compare as numbers; pad to be safe
  const cmp = (a: LogLine, b: LogLine): number => {
    const x = a.timeNs.padStart(20, '0');
    const y = b.timeNs.padStart(20, '0');
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return out.sort((a, b) => (direction === 'backward' ? cmp(b, a) : cmp(a, b)));
}

export function nsToMs(ns: string): number {
  return /^\d+$/.test(ns) ? Number(ns.length > 6 ? ns.slice(0, -6) : '0') : Number.NaN;
}

/** Whether a LogQL text is a log query (a selector and pipeline), not a metric query. */
export function isLogQuery(query: string): boolean {
  return query.trim().startsWith('{');
}

/** The histogram's query: the log query's lines counted per step, by level. */
export function volumeQuery(query: string, stepMs: number): string {
  return `sum by (detected_level) (count_over_time(${query.trim()} [${Math.max(1, Math.round(stepMs / 1000))}s]))`;
}

/** About 60 bars over the range, in whole seconds. */
export function volumeStepMs(rangeMs: number): number {
  return Math.max(1000, Math.ceil(rangeMs / 60 / 1000) * 1000);
}

export interface VolumeFrame {
  /** bar start times, unix seconds */
  readonly times: number[];
  /** one column per level that has any line, in LEVELS order */
  readonly series: { readonly level: Level; readonly counts: number[] }[];
}

/** The matrix of volumeQuery on a fixed grid of steps; a missing step is 0. */
export function volumeFrame(m: LokiMatrix, startMs: number, endMs: number, stepMs: number): VolumeFrame {
  const first = Math.floor(startMs / stepMs) * stepMs;
  const times: number[] = [];
  for (let t = first; t <= endMs; t += stepMs) times.push(t / 1000);
  const byLevel = new Map<Level, number[]>();
  for (const s of m.result) {
    const level = levelOf(s.metric['detected_level']);
    let counts = byLevel.get(level);
    if (!counts) byLevel.set(level, (counts = times.map(() => 0)));
    for (const [ts, v] of s.values) {
      const i = Math.floor((ts * 1000 - first) / stepMs);
      const n = Number(v);
      if (i >= 0 && i < counts.length && Number.isFinite(n)) counts[i]! += n;
    }
  }
  return {
    times,
    series: LEVELS.filter((l) => byLevel.has(l)).map((level) => ({ level, counts: byLevel.get(level)! })),
  };
}

export type Completion =
  | { readonly kind: 'label'; readonly prefix: string; readonly from: number }
  | { readonly kind: 'value'; readonly label: string; readonly prefix: string; readonly from: number }
  | { readonly kind: 'none' };

/**
 * What the cursor in a LogQL text is completing: a stream label name right after `{` or `,`, or
 * a value inside the quotes after `name=`, `!=`, `=~` or `!~`. `from` is where the replaced text starts.
 */
export function completionAt(text: string, cursor: number): Completion {
  const before = text.slice(0, cursor);
  const open = before.lastIndexOf('{');
  if (open < 0 || before.indexOf('}', open) >= 0) return { kind: 'none' };
  const inside = before.slice(open + 1);
  const value = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(inside);
  if (value) return { kind: 'value', label: value[1]!, prefix: value[3]!, from: cursor - value[3]!.length };
  // outside any quotes: the number of unescaped quotes is even
  const quotes = (inside.match(/(?<!\\)"/g) ?? []).length;
  if (quotes % 2 === 1) return { kind: 'none' };
  const name = /(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)?$/.exec(inside);
  if (name) return { kind: 'label', prefix: name[1] ?? '', from: cursor - (name[1] ?? '').length };
  return { kind: 'none' };
}

/** The text with a completion applied, and where the cursor goes. */
export function applyCompletion(
  text: string,
  cursor: number,
  c: Exclude<Completion, { kind: 'none' }>,
  choice: string,
): { text: string; cursor: number } {
  const insert = c.kind === 'label' ? `${choice}="` : `${escapeLogQL(choice)}"`;
  // a value's closing quote may be there already
  const rest = text.slice(cursor);
  const after = c.kind === 'value' && rest.startsWith('"') ? rest.slice(1) : rest;
  const next = text.slice(0, c.from) + insert + after;
  return { text: next, cursor: c.from + insert.length };
}

/** A string as the inside of a LogQL double-quoted literal. */
export function escapeLogQL(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Candidates that start with the prefix (case-insensitive), then those that contain it. */
export function rankCompletions(candidates: readonly string[], prefix: string, max = 50): string[] {
  const p = prefix.toLowerCase();
  const starts = candidates.filter((c) => c.toLowerCase().startsWith(p));
  const contains = candidates.filter((c) => !c.toLowerCase().startsWith(p) && c.toLowerCase().includes(p));
  return [...starts, ...contains].slice(0, max);
}

/**
 * Live tail: the newest lines first, the new poll's lines merged in without repeats, at most `max`
 * kept. `since` is the newest line's time, for the next poll's start.
 */
export function mergeTail(
  shown: readonly LogLine[],
  incoming: readonly LogLine[],
  max: number,
): { lines: LogLine[]; sinceNs: string | undefined } {
  const seen = new Set(shown.map((l) => l.key));
  const fresh = incoming.filter((l) => !seen.has(l.key));
  const lines = [...fresh, ...shown].sort((a, b) => {
    const x = a.timeNs.padStart(20, '0');
    const y = b.timeNs.padStart(20, '0');
    return x < y ? 1 : x > y ? -1 : 0;
  });
  lines.length = Math.min(lines.length, max);
  return { lines, sinceNs: lines[0]?.timeNs };
}

export interface LogsUrlState {
  readonly query: string;
  readonly from: string;
  readonly to: string;
  readonly live: boolean;
}

export const DEFAULT_LOGS_QUERY = '{service_name=~".+"}';

export function readLogsParams(params: URLSearchParams): LogsUrlState {
  return {
    query: params.get('query') ?? DEFAULT_LOGS_QUERY,
    from: params.get('from') ?? 'now-1h',
    to: params.get('to') ?? 'now',
    live: params.get('live') === '1',
  };
}

export function logsHref(s: Partial<LogsUrlState> & { readonly query: string }): string {
  const p = new URLSearchParams({ query: s.query });
  if (s.from) p.set('from', s.from);
  if (s.to) p.set('to', s.to);
  if (s.live) p.set('live', '1');
  return `/logs?${p.toString()}`;
}

/** A window around a trace (a minute either side: a log line may be stamped a little off its span). */
function around(startUs: number, durationUs: number): { from: string; to: string } {
  const from = Math.floor(startUs / 1000) - 60_000;
  const to = Math.ceil((startUs + durationUs) / 1000) + 60_000;
  return { from: String(from), to: String(to) };
}

/** /logs with the lines of one trace, from every service. */
export function traceLogsHref(traceId: string, startUs: number, durationUs: number): string {
  return logsHref({
    query: `${DEFAULT_LOGS_QUERY} | trace_id="${escapeLogQL(traceId)}"`,
    ...around(startUs, durationUs),
  });
}

/** /logs with the lines of one span, in its service's stream. */
export function spanLogsHref(service: string, spanId: string, startUs: number, durationUs: number): string {
  return logsHref({
    query: `{service_name="${escapeLogQL(service)}"} | span_id="${escapeLogQL(spanId)}"`,
    ...around(startUs, durationUs),
  });
}

/** /trace/<id>, with the line's span selected when it names one. */
export function traceHref(traceId: string, spanId: string | undefined): string {
  const base = `/trace/${encodeURIComponent(traceId)}`;
  return spanId ? `${base}?span=${encodeURIComponent(spanId)}` : base;
}
