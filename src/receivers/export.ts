// The transport-independent half of an OTLP Export call, shared by the HTTP and gRPC receivers:
// decode the whole request first (so a malformed one changes nothing), count its items, hand the
// batch to the pipeline, and report the outcome to the observer. The transports only map the
// outcome to their status codes.
import { DecodeError } from '../otlp/decode-error.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../otlp/decode-json.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from '../otlp/decode-protobuf.js';
import {
  RefusedError,
  Rejections,
  type RefusalKind,
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

/** 429 when the client sends too much for now, 503 when the backend is unhealthy (both retryable in OTLP). */
export function refusalHttpStatus(kind: RefusalKind): 429 | 503 {
  return kind === 'exhausted' ? 429 : 503;
}

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
  | { readonly kind: 'refused'; readonly items: number; readonly refusal: RefusedError }
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
  try {
    switch (signal) {
      case 'traces': {
        const batch = format === 'protobuf' ? decodeTracesRequest(body) : decodeTracesJson(body);
        items = countSpans(batch);
        deliver = () => consumers.traces.consumeTraces(batch, rejections);
        break;
      }
      case 'metrics': {
        const batch = format === 'protobuf' ? decodeMetricsRequest(body) : decodeMetricsJson(body);
        items = countMetricPoints(batch);
        deliver = () => consumers.metrics.consumeMetrics(batch, rejections);
        break;
      }
      case 'logs': {
        const batch = format === 'protobuf' ? decodeLogsRequest(body) : decodeLogsJson(body);
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
  // An empty request is a valid no-op; the pipeline need not see it.
  if (items === 0) return { kind: 'ok', items: 0, rejected: 0, message: '' };
  try {
    deliver();
  } catch (err) {
    observer?.refused(signal, items, transport);
    if (err instanceof RefusedError) return { kind: 'refused', items, refusal: err };
    return { kind: 'failed', items, message: err instanceof Error ? err.message : String(err) };
  }
  const rejected = Math.min(rejections.total, items);
  if (rejected > 0) observer?.refused(signal, rejected, transport);
  observer?.accepted(signal, items - rejected, transport);
  return { kind: 'ok', items: items - rejected, rejected, message: rejections.message() };
}
