// The transport-independent half of an OTLP Export call, shared by the HTTP and gRPC receivers:
// decode the whole request first (so a malformed one changes nothing), count its items, hand the
// batch to the pipeline, and report the outcome to the observer. The transports only map the
// outcome to their status codes.
import { DecodeError } from '../otlp/decode-error.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../otlp/decode-json.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from '../otlp/decode-protobuf.js';
import { DecodeReport } from '../otlp/decode-report.js';
import {
  RefusedError,
  Rejections,
  type LogsConsumer,
  type MetricsConsumer,
  type TracesConsumer,
} from '../pipeline/consumer.js';
import {
  countLogRecords,
  countMetricPoints,
  countSpans,
  type ReceiverObserver,
  type ReceiverSignal,
  type ReceiverTransport,
} from './observer.js';

export type BodyFormat = 'protobuf' | 'json';

export interface ExportConsumers {
  readonly traces: TracesConsumer;
  readonly metrics: MetricsConsumer;
  readonly logs: LogsConsumer;
}

export type ExportOutcome =
  /** accepted; `rejected` counts items dropped inside the batch (OTLP partial success), with why */
  | { readonly kind: 'ok'; readonly items: number; readonly rejected: number; readonly message: string }
  /** the body could not be decoded; nothing reached the pipeline */
  | { readonly kind: 'invalid'; readonly message: string }
  /** the pipeline refused the batch (RefusedError); the sender should retry later */
  | { readonly kind: 'refused'; readonly items: number; readonly message: string; readonly retryAfterSeconds: number }
  /** a consumer failed with something other than RefusedError */
  | { readonly kind: 'failed'; readonly items: number; readonly message: string };

/** Decodes `body` and delivers it to the signal's consumer. Never throws. */
export function runExport(
  signal: ReceiverSignal,
  format: BodyFormat,
  body: Uint8Array,
  consumers: ExportConsumers,
  observer: ReceiverObserver | undefined,
  transport: ReceiverTransport,
): ExportOutcome {
  let items: number;
  let deliver: () => void;
  const rejections = new Rejections();
  const decoded = new DecodeReport();
  try {
    switch (signal) {
      case 'traces': {
        const batch = format === 'protobuf' ? decodeTracesRequest(body, decoded) : decodeTracesJson(body, decoded);
        items = countSpans(batch);
        deliver = () => consumers.traces.consumeTraces(batch, rejections);
        break;
      }
      case 'metrics': {
        const batch = format === 'protobuf' ? decodeMetricsRequest(body, decoded) : decodeMetricsJson(body);
        items = countMetricPoints(batch);
        deliver = () => consumers.metrics.consumeMetrics(batch, rejections);
        break;
      }
      case 'logs': {
        const batch = format === 'protobuf' ? decodeLogsRequest(body, decoded) : decodeLogsJson(body);
        items = countLogRecords(batch);
        deliver = () => consumers.logs.consumeLogs(batch, rejections);
        break;
      }
    }
  } catch (err) {
    const message =
      err instanceof DecodeError
        ? err.message
        : `cannot decode request: ${err instanceof Error ? err.message : String(err)}`;
    return { kind: 'invalid', message };
  }
  // Items the decoder left out count as received and rejected; the rest go down the pipeline.
  for (const [reason, n] of decoded.reasons()) rejections.add(reason, n);
  const received = items + decoded.dropped;
  // An empty request is a valid no-op; the pipeline need not see it.
  if (received === 0) return { kind: 'ok', items: 0, rejected: 0, message: '' };
  try {
    if (items > 0) deliver();
  } catch (err) {
    observer?.refused(signal, received, transport);
    if (err instanceof RefusedError) {
      return { kind: 'refused', items: received, message: err.message, retryAfterSeconds: err.retryAfterSeconds };
    }
    return { kind: 'failed', items: received, message: err instanceof Error ? err.message : String(err) };
  }
  const rejected = Math.min(rejections.total, received);
  if (rejected > 0) observer?.refused(signal, rejected, transport);
  observer?.accepted(signal, received - rejected, transport);
  const message = [rejections.message(), decoded.alterations(ITEM_WORDS[signal])].filter((m) => m !== '').join('; ');
  return { kind: 'ok', items: received - rejected, rejected, message };
}

/** What the partial-success message calls a signal's items. */
const ITEM_WORDS: Readonly<Record<ReceiverSignal, string>> = {
  traces: 'spans',
  metrics: 'data points',
  logs: 'log records',
};
