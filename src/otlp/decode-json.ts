// OTLP/JSON → model. The OTLP spec's JSON mapping is proto3's with three twists: trace and span IDs
// are hex strings (not base64), enums are integers (names are accepted too, as proto3 JSON
// permits), and int64 may be a string or a number. Field names are lowerCamelCase; the proto
// snake_case names are accepted as well. Unknown fields are ignored, as the OTLP spec requires.
// Type errors are DecodeErrors naming the full path, e.g.
// `resourceSpans[0].scopeSpans[0].spans[3].traceId: expected 32 hex characters`.
import { isUtf8 } from 'node:buffer';
import { DecodeError, nestingTooDeep, rethrowWithin } from './decode-error.js';
import type { DecodeReport } from './decode-report.js';
import { int64Value, MAX_VALUE_NESTING } from './model.js';
import { withoutInvalidIds, ZERO_SPAN_ID } from './span-ids.js';
import type {
  AnyValue,
  Exemplar,
  ExponentialHistogramBuckets,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  LogsData,
  Metric,
  MetricData,
  MetricsData,
  NumberDataPoint,
  Resource,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  ScopeLogs,
  ScopeMetrics,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
  SummaryDataPoint,
  Temporality,
  TracesData,
} from './model.js';

export { DecodeError } from './decode-error.js';

type Obj = { readonly [key: string]: unknown };

const EMPTY_VALUE: AnyValue = Object.freeze({ kind: 'empty' });

// ---------------------------------------------------------------- entry points

/**
 * OTLP/JSON ExportTraceServiceRequest (UTF-8 bytes or text). Spans of invalid identity are left
 * out, and counted in `report`.
 */
export function decodeTracesJson(input: Uint8Array | string, report?: DecodeReport): TracesData {
  const decodeResourceGroup = (o: Obj) => decodeResourceSpans(o, report);
  return decodeRoot(input, report, (root) => ({
    resourceSpans: list(root, 'resourceSpans', 'resource_spans', decodeResourceGroup),
  }));
}

/** OTLP/JSON ExportMetricsServiceRequest. */
export function decodeMetricsJson(input: Uint8Array | string, report?: DecodeReport): MetricsData {
  return decodeRoot(input, report, (root) => ({
    resourceMetrics: list(root, 'resourceMetrics', 'resource_metrics', decodeResourceMetrics),
  }));
}

/** OTLP/JSON ExportLogsServiceRequest. */
export function decodeLogsJson(input: Uint8Array | string, report?: DecodeReport): LogsData {
  return decodeRoot(input, report, (root) => ({
    resourceLogs: list(root, 'resourceLogs', 'resource_logs', decodeResourceLogs),
  }));
}

/**
 * Parses and decodes the request. JSON.parse rounds integer literals beyond 2^53, so when an
 * intValue turns out to be such a number, the text is parsed again with those literals quoted
 * (every int64 field accepts a decimal string), which keeps them exact. Requests without one
 * (nearly all) are parsed once.
 */
function decodeRoot<T>(input: Uint8Array | string, report: DecodeReport | undefined, decode: (root: Obj) => T): T {
  let text = inputText(input, report);
  try {
    return decode(parseRoot(text));
  } catch (err) {
    if (!(err instanceof DecodeError) || err.detail !== INEXACT_INTEGER) throw err;
  }
  text = quoteLongIntegers(text, OTLP_INT_KEYS);
  return decode(parseRoot(text));
}

function inputText(input: Uint8Array | string, report: DecodeReport | undefined): string {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    // Decoding replaces invalid UTF-8 with U+FFFD without a word; isUtf8 (simdutf) tells at a
    // small fraction of JSON.parse's cost, so the client hears its strings were altered.
    if (report !== undefined && !isUtf8(buf)) report.invalidUtf8Body = true;
    text = buf.toString('utf8');
  }
  // JSON.parse refuses a byte-order mark, which some writers put first
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Digits from which a JSON integer literal may lie beyond 2^53 (2^53 has 16). */
const LONG_INTEGER_DIGITS = 16;

const OTLP_INT_KEYS: ReadonlySet<string> = new Set(['intValue', 'int_value']);

/**
 * `text` with every value of one of `keys` given as an integer literal of LONG_INTEGER_DIGITS or
 * more digits in quotes, so JSON.parse keeps it exact as a string (OTLP's intValue; the Jaeger
 * API's tag values).
 */
export function quoteLongIntegers(text: string, keys: ReadonlySet<string>): string {
  const parts: string[] = [];
  let copied = 0;
  /** the key whose value comes next ('' when the next token is not a value) */
  let key = '';
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i++;
      while (i < n && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      i++;
      let j = i;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 0x3a /* : */) {
        key = text.slice(start + 1, i - 1);
        i = j + 1;
      } else key = '';
    } else if (c === 0x2d /* - */ || isDigit(c)) {
      const start = i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const digits = i - start - (c === 0x2d ? 1 : 0);
      const plain = i >= n || !isNumberPart(text.charCodeAt(i));
      if (plain && digits >= LONG_INTEGER_DIGITS && keys.has(key)) {
        parts.push(text.slice(copied, start), '"', text.slice(start, i), '"');
        copied = i;
      }
      while (i < n && isNumberPart(text.charCodeAt(i))) i++;
      key = '';
    } else {
      if (!isSpace(c)) key = '';
      i++;
    }
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** what may follow the integer digits of a number: fraction, exponent */
function isNumberPart(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function parseRoot(text: string): Obj {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DecodeError('', `invalid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DecodeError('', 'expected a JSON object at the top level');
  }
  return value as Obj;
}

// ---------------------------------------------------------------- field helpers

/** A field by its JSON name or, failing that, its proto name. */
function get(o: Obj, name: string, protoName: string): unknown {
  const v = o[name];
  return v !== undefined || name === protoName ? v : o[protoName];
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function asObject(v: unknown, path: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new DecodeError(path, `expected an object, got ${kindOf(v)}`);
  return v as Obj;
}

/** A repeated message field: each element decoded by `decode`, errors prefixed with `name[i]`. */
function list<T>(o: Obj, name: string, protoName: string, decode: (o: Obj) => T): T[] {
  const v = get(o, name, protoName);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(name, `expected an array, got ${kindOf(v)}`);
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) {
    const el: unknown = v[i];
    try {
      const obj = asObject(el, '');
      if (obj === undefined) throw new DecodeError('', 'expected an object, got null');
      out.push(decode(obj));
    } catch (err) {
      rethrowWithin(err, `${name}[${i}]`);
    }
  }
  return out;
}

/** A singular message field, or undefined when absent. */
function message<T>(o: Obj, name: string, protoName: string, decode: (o: Obj) => T): T | undefined {
  const obj = asObject(get(o, name, protoName), name);
  if (obj === undefined) return undefined;
  try {
    return decode(obj);
  } catch (err) {
    rethrowWithin(err, name);
  }
}

function str(o: Obj, name: string, protoName: string): string {
  const v = get(o, name, protoName);
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  throw new DecodeError(name, `expected a string, got ${kindOf(v)}`);
}

function bool(o: Obj, name: string, protoName: string): boolean {
  const v = get(o, name, protoName);
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return false;
  throw new DecodeError(name, `expected a boolean, got ${kindOf(v)}`);
}

const INT_RE = /^-?\d+$/;

/** int64/uint64/fixed64/int32: a number without fraction or a decimal string. */
function toInt(v: unknown, path: string, unsigned: boolean): number {
  let n: number;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && INT_RE.test(v)) n = Number(v);
  else throw new DecodeError(path, `expected an integer (number or decimal string), got ${kindOf(v)}`);
  if (unsigned && n < 0) throw new DecodeError(path, `expected an unsigned integer, got ${n}`);
  return n;
}

/** The detail of the DecodeError that makes decodeRoot parse again with long integers quoted. */
const INEXACT_INTEGER = 'integer literal beyond 2^53 is not exact; write it as a decimal string';
/** Decimal strings this short are safe integers, so need no bigint. */
const SAFE_DIGITS = 15;

/** An int64 attribute value, exact: a number when safe, else a bigint (see AnyValue). */
function toInt64(v: unknown, path: string): number | bigint {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    if (Number.isInteger(v)) throw new DecodeError(path, INEXACT_INTEGER);
  } else if (typeof v === 'string' && INT_RE.test(v)) {
    if (v.length <= SAFE_DIGITS) return Number(v);
    const exact = int64Value(BigInt(v));
    if (exact === undefined) throw new DecodeError(path, `${v} is outside the int64 range`);
    return exact;
  }
  throw new DecodeError(path, `expected an integer (number or decimal string), got ${kindOf(v)}`);
}

function int(o: Obj, name: string, protoName: string, unsigned: boolean): number {
  const v = get(o, name, protoName);
  return v === undefined || v === null ? 0 : toInt(v, name, unsigned);
}

/** double: a number, or a string with a number, "NaN", "Infinity" or "-Infinity" (proto3 JSON). */
function toDouble(v: unknown, name: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new DecodeError(name, `expected a number, got ${kindOf(v)}`);
}

function double(o: Obj, name: string, protoName: string): number {
  const v = get(o, name, protoName);
  return v === undefined || v === null ? 0 : toDouble(v, name);
}

function optionalDouble(o: Obj, name: string, protoName: string): number | undefined {
  const v = get(o, name, protoName);
  return v === undefined || v === null ? undefined : toDouble(v, name);
}

function doubles(o: Obj, name: string, protoName: string): number[] {
  const v = get(o, name, protoName);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(name, `expected an array, got ${kindOf(v)}`);
  return v.map((x: unknown, i) => toDouble(x, `${name}[${i}]`));
}

function ints(o: Obj, name: string, protoName: string): number[] {
  const v = get(o, name, protoName);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(name, `expected an array, got ${kindOf(v)}`);
  return v.map((x: unknown, i) => toInt(x, `${name}[${i}]`, true));
}

/** An enum as its number or its proto name; `names[i]` is the name of value i. */
function enumValue(o: Obj, name: string, protoName: string, names: readonly string[]): number {
  const v = get(o, name, protoName);
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return v;
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
    if (INT_RE.test(v)) {
      const n = Number(v);
      if (n >= 0 && n < names.length) return n;
    }
  }
  throw new DecodeError(name, `expected one of 0..${names.length - 1} or an enum name, got ${JSON.stringify(v)}`);
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/** A trace or span ID in hex; `chars` is the required length, '' allowed when `allowEmpty`. */
function hexId(o: Obj, name: string, protoName: string, chars: number, allowEmpty: boolean): string {
  const v = get(o, name, protoName);
  if (v === undefined || v === null || v === '') {
    if (allowEmpty) return '';
    throw new DecodeError(name, `expected ${chars} hex characters`);
  }
  if (typeof v !== 'string' || v.length !== chars || !HEX_RE.test(v)) {
    throw new DecodeError(name, `expected ${chars} hex characters${allowEmpty ? ' or an empty string' : ''}`);
  }
  return v.toLowerCase();
}

const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64(v: unknown, name: string): Uint8Array {
  if (typeof v !== 'string' || !BASE64_RE.test(v)) throw new DecodeError(name, 'expected a base64 string');
  return new Uint8Array(Buffer.from(v, 'base64'));
}

// ---------------------------------------------------------------- common

/** `depth`: how many array/kvlist values enclose this one (see MAX_VALUE_NESTING). */
function decodeAnyValue(o: Obj, depth: number): AnyValue {
  let v: unknown;
  if ((v = get(o, 'stringValue', 'string_value')) !== undefined && v !== null) {
    if (typeof v !== 'string') throw new DecodeError('stringValue', `expected a string, got ${kindOf(v)}`);
    return { kind: 'string', value: v };
  }
  if ((v = get(o, 'intValue', 'int_value')) !== undefined && v !== null) {
    return { kind: 'int', value: toInt64(v, 'intValue') };
  }
  if ((v = get(o, 'boolValue', 'bool_value')) !== undefined && v !== null) {
    return { kind: 'bool', value: bool(o, 'boolValue', 'bool_value') };
  }
  if ((v = get(o, 'doubleValue', 'double_value')) !== undefined && v !== null) {
    return { kind: 'double', value: toDouble(v, 'doubleValue') };
  }
  if ((v = get(o, 'arrayValue', 'array_value')) !== undefined && v !== null) {
    if (depth >= MAX_VALUE_NESTING) throw nestingTooDeep(MAX_VALUE_NESTING).within('arrayValue');
    const inner = (x: Obj) => decodeAnyValue(x, depth + 1);
    return {
      kind: 'array',
      value: message(o, 'arrayValue', 'array_value', (a) => list(a, 'values', 'values', inner)) ?? [],
    };
  }
  if ((v = get(o, 'kvlistValue', 'kvlist_value')) !== undefined && v !== null) {
    if (depth >= MAX_VALUE_NESTING) throw nestingTooDeep(MAX_VALUE_NESTING).within('kvlistValue');
    const inner = (x: Obj) => decodeKeyValue(x, depth + 1);
    return {
      kind: 'kvlist',
      value: message(o, 'kvlistValue', 'kvlist_value', (a) => list(a, 'values', 'values', inner)) ?? [],
    };
  }
  if ((v = get(o, 'bytesValue', 'bytes_value')) !== undefined && v !== null) {
    return { kind: 'bytes', value: base64(v, 'bytesValue') };
  }
  return EMPTY_VALUE;
}

const decodeOuterValue = (o: Obj): AnyValue => decodeAnyValue(o, 0);

function decodeKeyValue(o: Obj, depth = 0): KeyValue {
  const key = str(o, 'key', 'key');
  const decode = depth === 0 ? decodeOuterValue : (v: Obj) => decodeAnyValue(v, depth);
  return { key, value: message(o, 'value', 'value', decode) ?? EMPTY_VALUE };
}

function attributes(o: Obj, name = 'attributes', protoName = 'attributes'): KeyValue[] {
  return list(o, name, protoName, decodeKeyValue);
}

function decodeScope(o: Obj): InstrumentationScope {
  return { name: str(o, 'name', 'name'), version: str(o, 'version', 'version'), attributes: attributes(o) };
}

const EMPTY_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: Object.freeze([]) });

function decodeResource(o: Obj): Resource {
  return {
    attributes: attributes(o),
    droppedAttributesCount: int(o, 'droppedAttributesCount', 'dropped_attributes_count', true),
  };
}

const EMPTY_RESOURCE: Resource = Object.freeze({ attributes: Object.freeze([]), droppedAttributesCount: 0 });

// ---------------------------------------------------------------- traces

const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;
const TEMPORALITIES = [
  'AGGREGATION_TEMPORALITY_UNSPECIFIED',
  'AGGREGATION_TEMPORALITY_DELTA',
  'AGGREGATION_TEMPORALITY_CUMULATIVE',
] as const;
const SEVERITIES: readonly string[] = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((s) =>
    ['', '2', '3', '4'].map((n) => `SEVERITY_NUMBER_${s}${n}`),
  ),
];

function decodeResourceSpans(o: Obj, report: DecodeReport | undefined): ResourceSpans {
  return {
    resource: message(o, 'resource', 'resource', decodeResource) ?? EMPTY_RESOURCE,
    scopeSpans: list(o, 'scopeSpans', 'scope_spans', (ss) => decodeScopeSpans(ss, report)),
    schemaUrl: str(o, 'schemaUrl', 'schema_url'),
  };
}

function decodeScopeSpans(o: Obj, report: DecodeReport | undefined): ScopeSpans {
  return {
    scope: message(o, 'scope', 'scope', decodeScope) ?? EMPTY_SCOPE,
    // spans of invalid identity are left out one by one rather than failing the request
    spans: withoutInvalidIds(list(o, 'spans', 'spans', decodeSpan), report),
    schemaUrl: str(o, 'schemaUrl', 'schema_url'),
  };
}

function decodeSpan(o: Obj): Span {
  return {
    traceId: hexId(o, 'traceId', 'trace_id', 32, false),
    spanId: hexId(o, 'spanId', 'span_id', 16, false),
    traceState: str(o, 'traceState', 'trace_state'),
    parentSpanId: parentId(hexId(o, 'parentSpanId', 'parent_span_id', 16, true)),
    flags: int(o, 'flags', 'flags', true),
    name: str(o, 'name', 'name'),
    kind: enumValue(o, 'kind', 'kind', SPAN_KINDS) as SpanKind,
    startTimeUnixNano: int(o, 'startTimeUnixNano', 'start_time_unix_nano', true),
    endTimeUnixNano: int(o, 'endTimeUnixNano', 'end_time_unix_nano', true),
    attributes: attributes(o),
    droppedAttributesCount: int(o, 'droppedAttributesCount', 'dropped_attributes_count', true),
    events: list(o, 'events', 'events', decodeEvent),
    droppedEventsCount: int(o, 'droppedEventsCount', 'dropped_events_count', true),
    links: list(o, 'links', 'links', decodeLink),
    droppedLinksCount: int(o, 'droppedLinksCount', 'dropped_links_count', true),
    status: message(o, 'status', 'status', decodeStatus) ?? { code: 0, message: '' },
  };
}

/** All zeros means no parent (OTLP). */
function parentId(id: string): string {
  return id === ZERO_SPAN_ID ? '' : id;
}

function decodeEvent(o: Obj): SpanEvent {
  return {
    timeUnixNano: int(o, 'timeUnixNano', 'time_unix_nano', true),
    name: str(o, 'name', 'name'),
    attributes: attributes(o),
    droppedAttributesCount: int(o, 'droppedAttributesCount', 'dropped_attributes_count', true),
  };
}

function decodeLink(o: Obj): SpanLink {
  return {
    traceId: hexId(o, 'traceId', 'trace_id', 32, false),
    spanId: hexId(o, 'spanId', 'span_id', 16, false),
    traceState: str(o, 'traceState', 'trace_state'),
    attributes: attributes(o),
    droppedAttributesCount: int(o, 'droppedAttributesCount', 'dropped_attributes_count', true),
    flags: int(o, 'flags', 'flags', true),
  };
}

function decodeStatus(o: Obj): Span['status'] {
  return { code: enumValue(o, 'code', 'code', STATUS_CODES) as StatusCode, message: str(o, 'message', 'message') };
}

// ---------------------------------------------------------------- metrics

function decodeResourceMetrics(o: Obj): ResourceMetrics {
  return {
    resource: message(o, 'resource', 'resource', decodeResource) ?? EMPTY_RESOURCE,
    scopeMetrics: list(o, 'scopeMetrics', 'scope_metrics', decodeScopeMetrics),
    schemaUrl: str(o, 'schemaUrl', 'schema_url'),
  };
}

function decodeScopeMetrics(o: Obj): ScopeMetrics {
  return {
    scope: message(o, 'scope', 'scope', decodeScope) ?? EMPTY_SCOPE,
    metrics: list(o, 'metrics', 'metrics', decodeMetric),
    schemaUrl: str(o, 'schemaUrl', 'schema_url'),
  };
}

function decodeMetric(o: Obj): Metric {
  const data = message(o, 'gauge', 'gauge', (g): MetricData => ({
    type: 'gauge',
    dataPoints: list(g, 'dataPoints', 'data_points', decodeNumberPoint),
  })) ??
    message(o, 'sum', 'sum', (s): MetricData => ({
      type: 'sum',
      dataPoints: list(s, 'dataPoints', 'data_points', decodeNumberPoint),
      aggregationTemporality: temporality(s),
      isMonotonic: bool(s, 'isMonotonic', 'is_monotonic'),
    })) ??
    message(o, 'histogram', 'histogram', (h): MetricData => ({
      type: 'histogram',
      dataPoints: list(h, 'dataPoints', 'data_points', decodeHistogramPoint),
      aggregationTemporality: temporality(h),
    })) ??
    message(o, 'exponentialHistogram', 'exponential_histogram', (h): MetricData => ({
      type: 'exponentialHistogram',
      dataPoints: list(h, 'dataPoints', 'data_points', decodeExponentialPoint),
      aggregationTemporality: temporality(h),
    })) ??
    message(o, 'summary', 'summary', (s): MetricData => ({
      type: 'summary',
      dataPoints: list(s, 'dataPoints', 'data_points', decodeSummaryPoint),
    })) ?? { type: 'empty' as const };
  return {
    name: str(o, 'name', 'name'),
    description: str(o, 'description', 'description'),
    unit: str(o, 'unit', 'unit'),
    data,
  };
}

function temporality(o: Obj): Temporality {
  return enumValue(o, 'aggregationTemporality', 'aggregation_temporality', TEMPORALITIES) as Temporality;
}

function decodeNumberPoint(o: Obj): NumberDataPoint {
  const asInt = get(o, 'asInt', 'as_int');
  return {
    attributes: attributes(o),
    startTimeUnixNano: int(o, 'startTimeUnixNano', 'start_time_unix_nano', true),
    timeUnixNano: int(o, 'timeUnixNano', 'time_unix_nano', true),
    value:
      asInt !== undefined && asInt !== null ? int(o, 'asInt', 'as_int', false) : double(o, 'asDouble', 'as_double'),
    exemplars: list(o, 'exemplars', 'exemplars', decodeExemplar),
    flags: int(o, 'flags', 'flags', true),
  };
}

function decodeHistogramPoint(o: Obj): HistogramDataPoint {
  const bucketCounts = ints(o, 'bucketCounts', 'bucket_counts');
  const explicitBounds = doubles(o, 'explicitBounds', 'explicit_bounds');
  // Downstream code indexes buckets by bound; a mismatched pair would be read out of range.
  if (bucketCounts.length !== 0 && bucketCounts.length !== explicitBounds.length + 1) {
    throw new DecodeError(
      'bucketCounts',
      `expected ${explicitBounds.length + 1} counts for ${explicitBounds.length} explicit bounds, got ${bucketCounts.length}`,
    );
  }
  return {
    attributes: attributes(o),
    startTimeUnixNano: int(o, 'startTimeUnixNano', 'start_time_unix_nano', true),
    timeUnixNano: int(o, 'timeUnixNano', 'time_unix_nano', true),
    count: int(o, 'count', 'count', true),
    sum: optionalDouble(o, 'sum', 'sum'),
    bucketCounts,
    explicitBounds,
    exemplars: list(o, 'exemplars', 'exemplars', decodeExemplar),
    flags: int(o, 'flags', 'flags', true),
    min: optionalDouble(o, 'min', 'min'),
    max: optionalDouble(o, 'max', 'max'),
  };
}

function decodeBuckets(o: Obj): ExponentialHistogramBuckets {
  return { offset: int(o, 'offset', 'offset', false), bucketCounts: ints(o, 'bucketCounts', 'bucket_counts') };
}

const EMPTY_BUCKETS: ExponentialHistogramBuckets = Object.freeze({ offset: 0, bucketCounts: Object.freeze([]) });

function decodeExponentialPoint(o: Obj): ExponentialHistogramDataPoint {
  return {
    attributes: attributes(o),
    startTimeUnixNano: int(o, 'startTimeUnixNano', 'start_time_unix_nano', true),
    timeUnixNano: int(o, 'timeUnixNano', 'time_unix_nano', true),
    count: int(o, 'count', 'count', true),
    sum: optionalDouble(o, 'sum', 'sum'),
    scale: int(o, 'scale', 'scale', false),
    zeroCount: int(o, 'zeroCount', 'zero_count', true),
    positive: message(o, 'positive', 'positive', decodeBuckets) ?? EMPTY_BUCKETS,
    negative: message(o, 'negative', 'negative', decodeBuckets) ?? EMPTY_BUCKETS,
    flags: int(o, 'flags', 'flags', true),
    exemplars: list(o, 'exemplars', 'exemplars', decodeExemplar),
    min: optionalDouble(o, 'min', 'min'),
    max: optionalDouble(o, 'max', 'max'),
    zeroThreshold: double(o, 'zeroThreshold', 'zero_threshold'),
  };
}

function decodeSummaryPoint(o: Obj): SummaryDataPoint {
  return {
    attributes: attributes(o),
    startTimeUnixNano: int(o, 'startTimeUnixNano', 'start_time_unix_nano', true),
    timeUnixNano: int(o, 'timeUnixNano', 'time_unix_nano', true),
    count: int(o, 'count', 'count', true),
    sum: double(o, 'sum', 'sum'),
    quantileValues: list(o, 'quantileValues', 'quantile_values', (q) => ({
      quantile: double(q, 'quantile', 'quantile'),
      value: double(q, 'value', 'value'),
    })),
    flags: int(o, 'flags', 'flags', true),
  };
}

function decodeExemplar(o: Obj): Exemplar {
  const asInt = get(o, 'asInt', 'as_int');
  return {
    filteredAttributes: attributes(o, 'filteredAttributes', 'filtered_attributes'),
    timeUnixNano: int(o, 'timeUnixNano', 'time_unix_nano', true),
    value:
      asInt !== undefined && asInt !== null ? int(o, 'asInt', 'as_int', false) : double(o, 'asDouble', 'as_double'),
    spanId: hexId(o, 'spanId', 'span_id', 16, true),
    traceId: hexId(o, 'traceId', 'trace_id', 32, true),
  };
}

// ---------------------------------------------------------------- logs

function decodeResourceLogs(o: Obj): ResourceLogs {
  return {
    resource: message(o, 'resource', 'resource', decodeResource) ?? EMPTY_RESOURCE,
    scopeLogs: list(o, 'scopeLogs', 'scope_logs', decodeScopeLogs),
    schemaUrl: str(o, 'schemaUrl', 'schema_url'),
  };
}

function decodeScopeLogs(o: Obj): ScopeLogs {
  return {
    scope: message(o, 'scope', 'scope', decodeScope) ?? EMPTY_SCOPE,
    logRecords: list(o, 'logRecords', 'log_records', decodeLogRecord),
    schemaUrl: str(o, 'schemaUrl', 'schema_url'),
  };
}

function decodeLogRecord(o: Obj): LogRecord {
  return {
    timeUnixNano: int(o, 'timeUnixNano', 'time_unix_nano', true),
    observedTimeUnixNano: int(o, 'observedTimeUnixNano', 'observed_time_unix_nano', true),
    severityNumber: enumValue(o, 'severityNumber', 'severity_number', SEVERITIES),
    severityText: str(o, 'severityText', 'severity_text'),
    body: message(o, 'body', 'body', decodeOuterValue) ?? EMPTY_VALUE,
    attributes: attributes(o),
    traceId: hexId(o, 'traceId', 'trace_id', 32, true),
    spanId: hexId(o, 'spanId', 'span_id', 16, true),
  };
}
