// Replays the demo's own metric and log requests (captured in a short real run) at other times:
// every time field moved by the same offset, so series, points per request and intervals stay the
// demo's, and in log records the values real traffic never repeats (trace and span IDs, hex and
// UUID tokens in bodies and attributes) made new, so the log store's interning sees no repeats.
import { randomBytes } from 'node:crypto';
import type {
  AnyValue,
  Exemplar,
  KeyValue,
  LogRecord,
  LogsData,
  MetricData,
  MetricsData,
} from '../../src/otlp/model.js';

const randomHex = (chars: number): string =>
  randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);

/** A new ID of the same width, '' staying '' (absent). */
const freshId = (id: string): string => (id === '' ? '' : randomHex(id.length));

/** hex runs of 8+ characters (IDs, hashes) and UUIDs: the request-scoped parts of a message */
const UNIQUE_TOKEN = /\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|\b[0-9a-f]{8,}\b/gi;

/** The text with every ID-like token replaced by random hex of the same shape. */
export function freshTokens(text: string): string {
  return text.replace(UNIQUE_TOKEN, (t) => t.replace(/[0-9a-f]/gi, () => randomHex(1)));
}

const shiftTime = (ns: number, deltaNs: number): number => (ns === 0 ? 0 : ns + deltaNs);

interface TimedPoint {
  readonly startTimeUnixNano: number;
  readonly timeUnixNano: number;
}

function shiftPoint<P extends TimedPoint>(p: P, deltaNs: number): P {
  const moved = {
    ...p,
    startTimeUnixNano: shiftTime(p.startTimeUnixNano, deltaNs),
    timeUnixNano: shiftTime(p.timeUnixNano, deltaNs),
  };
  if ('exemplars' in p && Array.isArray(p.exemplars)) {
    const exemplars = (p.exemplars as readonly Exemplar[]).map((e) => ({
      ...e,
      timeUnixNano: shiftTime(e.timeUnixNano, deltaNs),
      traceId: freshId(e.traceId),
      spanId: freshId(e.spanId),
    }));
    return { ...moved, exemplars };
  }
  return moved;
}

function shiftData(d: MetricData, deltaNs: number): MetricData {
  switch (d.type) {
    case 'gauge':
      return { ...d, dataPoints: d.dataPoints.map((p) => shiftPoint(p, deltaNs)) };
    case 'sum':
      return { ...d, dataPoints: d.dataPoints.map((p) => shiftPoint(p, deltaNs)) };
    case 'histogram':
      return { ...d, dataPoints: d.dataPoints.map((p) => shiftPoint(p, deltaNs)) };
    case 'exponentialHistogram':
      return { ...d, dataPoints: d.dataPoints.map((p) => shiftPoint(p, deltaNs)) };
    case 'summary':
      return { ...d, dataPoints: d.dataPoints.map((p) => shiftPoint(p, deltaNs)) };
    case 'empty':
      return d;
  }
}

/** The request with every point (and exemplar) `deltaNs` later; exemplars get new IDs. */
export function shiftMetrics(data: MetricsData, deltaNs: number): MetricsData {
  return {
    resourceMetrics: data.resourceMetrics.map((rm) => ({
      ...rm,
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        ...sm,
        metrics: sm.metrics.map((m) => ({ ...m, data: shiftData(m.data, deltaNs) })),
      })),
    })),
  };
}

function freshValue(v: AnyValue): AnyValue {
  if (v.kind === 'string') return { kind: 'string', value: freshTokens(v.value) };
  if (v.kind === 'array') return { kind: 'array', value: v.value.map(freshValue) };
  if (v.kind === 'kvlist') return { kind: 'kvlist', value: freshAttributes(v.value) };
  return v;
}

const freshAttributes = (kvs: readonly KeyValue[]): KeyValue[] =>
  kvs.map((kv) => ({ key: kv.key, value: freshValue(kv.value) }));

function freshRecord(r: LogRecord, deltaNs: number): LogRecord {
  return {
    ...r,
    timeUnixNano: shiftTime(r.timeUnixNano, deltaNs),
    observedTimeUnixNano: shiftTime(r.observedTimeUnixNano, deltaNs),
    body: freshValue(r.body),
    attributes: freshAttributes(r.attributes),
    traceId: freshId(r.traceId),
    spanId: freshId(r.spanId),
  };
}

/** The request `deltaNs` later, with new IDs and ID-like tokens in every record. */
export function freshLogs(data: LogsData, deltaNs: number): LogsData {
  return {
    resourceLogs: data.resourceLogs.map((rl) => ({
      ...rl,
      scopeLogs: rl.scopeLogs.map((sl) => ({ ...sl, logRecords: sl.logRecords.map((r) => freshRecord(r, deltaNs)) })),
    })),
  };
}
