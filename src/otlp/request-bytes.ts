// The protobuf bytes a batch was decoded from, kept beside the batch so that a stage sending it on
// unchanged (OTLP forwarding) can send those bytes instead of encoding the batch again, and, when
// the client sent them gzip-compressed, the client's compressed bytes too, so that forwarding with
// gzip need not compress them again. They are keyed by the batch object itself: a stage that makes
// a new batch (a piece of a split request, a filtered copy) makes one without bytes, so only the
// very object a receiver decoded, whole, can carry them. Pipeline stages treat batches as
// read-only (the fan-out shares them), which keeps the object and its bytes saying the same thing.
import type { LogsData, MetricsData, TracesData } from './model.js';

export type OtlpBatch = TracesData | MetricsData | LogsData;

export interface RequestBytes {
  /** the Export*ServiceRequest, decompressed */
  readonly bytes: Uint8Array;
  /** the same request as the client sent it: gzip that inflates to `bytes` */
  readonly gzipped?: Uint8Array;
}

const received = new WeakMap<OtlpBatch, RequestBytes>();

/**
 * Records that `batch` is exactly what `bytes` (an Export*ServiceRequest, decompressed) holds:
 * call it only when the decoder kept every item and altered none. `gzipped`, when given, must be
 * a gzip stream that inflated to `bytes`, every byte of it read by the inflater (zlib skips
 * zero bytes after a stream's end; an upstream's reader may not).
 */
export function keepRequestBytes(batch: OtlpBatch, bytes: Uint8Array, gzipped?: Uint8Array): void {
  received.set(batch, gzipped === undefined ? { bytes } : { bytes, gzipped });
}

/** the Export*ServiceRequest bytes `batch` was decoded from whole, or undefined */
export function requestBytesOf(batch: OtlpBatch): Uint8Array | undefined {
  return received.get(batch)?.bytes;
}

/** the client's gzip-compressed bytes of the request `batch` was decoded from whole, or undefined */
export function gzippedRequestBytesOf(batch: OtlpBatch): Uint8Array | undefined {
  return received.get(batch)?.gzipped;
}
