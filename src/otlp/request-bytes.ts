// The protobuf bytes a batch was decoded from, kept beside the batch so that a stage sending it on
// unchanged (OTLP forwarding) can send those bytes instead of encoding the batch again. They are
// keyed by the batch object itself: a stage that makes a new batch (a piece of a split request, a
// filtered copy) makes one without bytes, so only the very object a receiver decoded, whole, can
// carry them. Pipeline stages treat batches as read-only (the fan-out shares them), which keeps
// the object and its bytes saying the same thing.
import type { LogsData, MetricsData, TracesData } from './model.js';

export type OtlpBatch = TracesData | MetricsData | LogsData;

const received = new WeakMap<OtlpBatch, Uint8Array>();

/**
 * Records that `batch` is exactly what `bytes` (an Export*ServiceRequest, decompressed) holds:
 * call it only when the decoder kept every item and altered none.
 */
export function keepRequestBytes(batch: OtlpBatch, bytes: Uint8Array): void {
  received.set(batch, bytes);
}

/** the Export*ServiceRequest bytes `batch` was decoded from whole, or undefined */
export function requestBytesOf(batch: OtlpBatch): Uint8Array | undefined {
  return received.get(batch);
}
