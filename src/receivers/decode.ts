// One decoder for every export request, shared by the inline path (small bodies) and the decode
// worker (large ones): the signal and wire format pick the decoder; the items are counted as the
// Collector counts them (spans, metric data points, log records).
import { DecodeError } from '../otlp/decode-error.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../otlp/decode-json.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from '../otlp/decode-protobuf.js';
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';
import { countLogRecords, countMetricPoints, countSpans, type ReceiverSignal } from './observer.js';

export type BodyFormat = 'protobuf' | 'json';
export type ExportBatch = TracesData | MetricsData | LogsData;

export type Decoded =
  | { readonly ok: true; readonly batch: ExportBatch; readonly items: number }
  | { readonly ok: false; readonly message: string };

/** Decodes a whole request; never throws (a malformed body is `ok: false` with the reason). */
export function decodeExport(signal: ReceiverSignal, format: BodyFormat, body: Uint8Array): Decoded {
  try {
    switch (signal) {
      case 'traces': {
        const batch = format === 'protobuf' ? decodeTracesRequest(body) : decodeTracesJson(body);
        return { ok: true, batch, items: countSpans(batch) };
      }
      case 'metrics': {
        const batch = format === 'protobuf' ? decodeMetricsRequest(body) : decodeMetricsJson(body);
        return { ok: true, batch, items: countMetricPoints(batch) };
      }
      case 'logs': {
        const batch = format === 'protobuf' ? decodeLogsRequest(body) : decodeLogsJson(body);
        return { ok: true, batch, items: countLogRecords(batch) };
      }
    }
  } catch (err) {
    const message =
      err instanceof DecodeError
        ? err.message
        : `cannot decode request: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, message };
  }
}
