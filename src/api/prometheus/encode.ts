// JSON exactly as Prometheus 2.42 writes it (Go's encoding/json and jsoniter, plus Prometheus's
// own marshalers), so that responses are byte-compatible: HTML-safe string escapes, sample
// values as Go-formatted strings, sample timestamps as "<sec>.<3-digit ms>".
import type { Labels } from '../../labels/labels.js';
import type { MatrixSeries, QueryValue, VectorSample } from '../../promql/value.js';
import type { Exemplar, MetricMetadata } from '../../storage/storage.js';
import { formatFloatE, formatFloatF } from '../../gocompat/float.js';

/** Prometheus's jsonutil.MarshalValue: 'f' format, but 'e' below 1e-6 and from 1e21 on (jsoniter's cut-offs). */
export function formatSampleValue(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21) && Number.isFinite(v)) return formatFloatE(v);
  return formatFloatF(v);
}

/** Prometheus's jsonutil.MarshalTimestamp: milliseconds written as seconds with 3 decimals when not whole. */
export function formatTimestamp(ms: number): string {
  let t = Math.trunc(ms);
  let sign = '';
  if (t < 0) {
    sign = '-';
    t = -t;
  }
  const sec = Math.floor(t / 1000);
  const frac = t - sec * 1000;
  if (frac === 0) return `${sign}${sec}`;
  return `${sign}${sec}.${String(frac).padStart(3, '0')}`;
}

/** How encoding/json writes a float64 (used for scalar and string results' timestamps). */
export function goJsonFloat(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // encoding/json shortens a two-digit negative exponent: 1e-07 → 1e-7.
    return formatFloatE(v).replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloatF(v);
}

const HEX = '0123456789abcdef';

/** A JSON string as Go writes it: <, >, & and U+2028/2029 escaped, control characters as \u00XX. */
export function goJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      esc = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : '\\u00' + HEX[c >> 4]! + HEX[c & 15]!;
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x3c) esc = '\\u003c';
    else if (c === 0x3e) esc = '\\u003e';
    else if (c === 0x26) esc = '\\u0026';
    else if (c === 0x2028) esc = '\\u2028';
    else if (c === 0x2029) esc = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is invalid UTF-8 for Go, which writes U+FFFD instead.
      const pair = c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** labels.Labels MarshalJSON: an object in label-name order. */
export function labelsJson(labels: Labels): string {
  let out = '{';
  for (let i = 0; i < labels.length; i++) {
    if (i > 0) out += ',';
    out += goJsonString(labels[i]!.name) + ':' + goJsonString(labels[i]!.value);
  }
  return out + '}';
}

function pointJson(t: number, v: number): string {
  return `[${formatTimestamp(t)},"${formatSampleValue(v)}"]`;
}

function vectorJson(samples: readonly VectorSample[]): string {
  const parts: string[] = [];
  for (const s of samples) parts.push(`{"metric":${labelsJson(s.metric)},"value":${pointJson(s.t, s.v)}}`);
  return '[' + parts.join(',') + ']';
}

function matrixJson(series: readonly MatrixSeries[]): string {
  const parts: string[] = [];
  for (const s of series) {
    let body = `{"metric":${labelsJson(s.metric)}`;
    if (s.t.length > 0) {
      const pts: string[] = new Array<string>(s.t.length);
      for (let i = 0; i < s.t.length; i++) pts[i] = pointJson(s.t[i]!, s.v[i]!);
      body += `,"values":[${pts.join(',')}]`;
    }
    parts.push(body + '}');
  }
  return '[' + parts.join(',') + ']';
}

/** The data part of a query response: {"resultType":…,"result":…} */
export function queryDataJson(value: QueryValue): string {
  switch (value.type) {
    case 'vector':
      return `{"resultType":"vector","result":${vectorJson(value.samples)}}`;
    case 'matrix':
      return `{"resultType":"matrix","result":${matrixJson(value.series)}}`;
    case 'scalar':
      // promql.Scalar's MarshalJSON: the time via encoding/json, the value in plain 'f' format.
      return `{"resultType":"scalar","result":[${goJsonFloat(value.t / 1000)},"${formatFloatF(value.v)}"]}`;
    case 'string':
      return `{"resultType":"string","result":[${goJsonFloat(value.t / 1000)},${goJsonString(value.v)}]}`;
  }
}

export function stringArrayJson(values: readonly string[]): string {
  return '[' + values.map(goJsonString).join(',') + ']';
}

export function exemplarsJson(results: readonly { seriesLabels: Labels; exemplars: readonly Exemplar[] }[]): string {
  const parts = results.map((r) => {
    const ex = r.exemplars.map(
      (e) =>
        `{"labels":${labelsJson(e.labels)},"value":"${formatSampleValue(e.value)}","timestamp":${formatTimestamp(e.t)}}`,
    );
    return `{"seriesLabels":${labelsJson(r.seriesLabels)},"exemplars":[${ex.join(',')}]}`;
  });
  return '[' + parts.join(',') + ']';
}

export function metadataJson(entries: readonly [string, readonly MetricMetadata[]][]): string {
  const parts = entries.map(
    ([name, list]) =>
      goJsonString(name) +
      ':[' +
      list
        .map((m) => `{"type":${goJsonString(m.type)},"help":${goJsonString(m.help)},"unit":${goJsonString(m.unit)}}`)
        .join(',') +
      ']',
  );
  return '{' + parts.join(',') + '}';
}

export function successJson(dataJson: string): string {
  return `{"status":"success","data":${dataJson}}`;
}

export function errorJson(errorType: string, message: string): string {
  return `{"status":"error","errorType":${goJsonString(errorType)},"error":${goJsonString(message)}}`;
}
