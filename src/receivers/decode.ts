// One decoder for every export request, shared by the inline path (small bodies) and the decode
// worker (large ones): the signal and wire format pick the decoder; the items are counted as the
// Collector counts them (spans, metric data points, log records).
import { DecodeError } from '../otlp/decode-error.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../otlp/decode-json.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from '../otlp/decode-protobuf.js';
import { DecodeReport } from '../otlp/decode-report.js';
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';
import { countLogRecords, countMetricPoints, countSpans, type ReceiverSignal } from './observer.js';

export type BodyFormat = 'protobuf' | 'json';
export type ExportBatch = TracesData | MetricsData | LogsData;

/**
 * What the decoder left out or repaired while keeping the rest (OTLP partial success), as plain
 * data so that it crosses from the decode worker unchanged.
 */
export interface DecodeNotes {
  /** [reason, count] of items left out (e.g. spans with an all-zero trace ID) */
  readonly dropped: readonly (readonly [string, number])[];
  /** what was kept but altered, for the partial-success message; '' when nothing was */
  readonly altered: string;
}

export type Decoded =
  | { readonly ok: true; readonly batch: ExportBatch; readonly items: number; readonly notes: DecodeNotes }
  | { readonly ok: false; readonly message: string };

/** What the partial-success message calls a signal's items. */
const ITEM_WORDS: Readonly<Record<ReceiverSignal, string>> = {
  traces: 'spans',
  metrics: 'data points',
  logs: 'log records',
};

/** Decodes a whole request; never throws (a malformed body is `ok: false` with the reason). */
export function decodeExport(signal: ReceiverSignal, format: BodyFormat, body: Uint8Array): Decoded {
  const report = new DecodeReport();
  const notes = (): DecodeNotes => ({ dropped: report.reasons(), altered: report.alterations(ITEM_WORDS[signal]) });
  try {
    switch (signal) {
      case 'traces': {
        const batch = format === 'protobuf' ? decodeTracesRequest(body, report) : decodeTracesJson(body, report);
        return { ok: true, batch, items: countSpans(batch), notes: notes() };
      }
      case 'metrics': {
        const batch = format === 'protobuf' ? decodeMetricsRequest(body, report) : decodeMetricsJson(body, report);
        return { ok: true, batch, items: countMetricPoints(batch), notes: notes() };
      }
      case 'logs': {
        const batch = format === 'protobuf' ? decodeLogsRequest(body, report) : decodeLogsJson(body, report);
        return { ok: true, batch, items: countLogRecords(batch), notes: notes() };
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
