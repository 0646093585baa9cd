// The transport-independent half of an OTLP Export call, shared by the HTTP and gRPC receivers:
// decode the whole request first (so a malformed one changes nothing), count its items, hand the
// batch to the pipeline, and report the outcome to the observer. The transports only map the
// outcome to their status codes.
//
// Large requests (DecodePool.thresholdBytes and up) are decoded in a worker when one is there
// and handed to the pipeline in pieces with the event loop free between them, so one 16 MB
// export no longer stalls every other request for a second or two. If the pipeline refuses a
// later piece after earlier ones were kept, the rest is reported as rejected (partial success).
//
// A protobuf request decoded whole, with nothing left out or repaired, hands its bytes down with
// the batch (otlp/request-bytes.ts), so forwarding sends them as they came. Pieces of a large
// request, JSON requests and requests the decoder had to change carry none and are re-encoded.
import {
  RefusedError,
  Rejections,
  type RefusalKind,
  type LogsConsumer,
  type MetricsConsumer,
  type TracesConsumer,
} from '../consumer/consumer.js';
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';
import { keepRequestBytes } from '../otlp/request-bytes.js';
import { decodeExport, type BodyFormat, type DecodeNotes, type ExportBatch } from './decode.js';
import type { DecodePool, PoolOutcome } from './decode-pool.js';
import type { ReceiverObserver, ReceiverSignal, ReceiverTransport } from './observer.js';
import { splitBatch } from './split.js';

export type { BodyFormat } from './decode.js';

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

function deliver(signal: ReceiverSignal, batch: ExportBatch, consumers: ExportConsumers, rejections: Rejections): void {
  switch (signal) {
    case 'traces':
      return consumers.traces.consumeTraces(batch as TracesData, rejections);
    case 'metrics':
      return consumers.metrics.consumeMetrics(batch as MetricsData, rejections);
    case 'logs':
      return consumers.logs.consumeLogs(batch as LogsData, rejections);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Delivers pieces in order, remembering the first failure; after it, nothing more is delivered. */
class PieceDelivery {
  delivered = 0;
  failure: unknown;

  constructor(
    private readonly signal: ReceiverSignal,
    private readonly consumers: ExportConsumers,
    readonly rejections: Rejections,
  ) {}

  /** false once a piece has failed */
  take(batch: ExportBatch, items: number): boolean {
    if (this.failure !== undefined) return false;
    try {
      deliver(this.signal, batch, this.consumers, this.rejections);
      this.delivered += items;
      return true;
    } catch (err) {
      this.failure = err;
      return false;
    }
  }

  /**
   * `items` the decoder kept; `notes` what it left out (counted as received and rejected) or
   * repaired (said in the message).
   */
  outcome(
    items: number,
    notes: DecodeNotes,
    signal: ReceiverSignal,
    observer: ReceiverObserver | undefined,
    transport: ReceiverTransport,
  ): ExportOutcome {
    let received = items;
    for (const [reason, n] of notes.dropped) {
      this.rejections.add(reason, n);
      received += n;
    }
    const err = this.failure;
    if (err !== undefined && this.delivered === 0) {
      observer?.refused(signal, received, transport);
      if (err instanceof RefusedError) return { kind: 'refused', items: received, refusal: err };
      return { kind: 'failed', items: received, message: errorMessage(err) };
    }
    // Pieces already kept stay kept: what was not delivered is rejected, with the reason.
    if (err !== undefined) this.rejections.add(`not stored: ${errorMessage(err)}`, items - this.delivered);
    const rejected = Math.min(this.rejections.total, received);
    if (rejected > 0) observer?.refused(signal, rejected, transport);
    observer?.accepted(signal, received - rejected, transport);
    const message = [this.rejections.message(), notes.altered].filter((m) => m !== '').join('; ');
    return { kind: 'ok', items: received - rejected, rejected, message };
  }
}

const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Decodes `body` and delivers it to the signal's consumer. Never rejects. */
export async function runExport(
  signal: ReceiverSignal,
  format: BodyFormat,
  body: Uint8Array,
  consumers: ExportConsumers,
  observer: ReceiverObserver | undefined,
  transport: ReceiverTransport,
  pool?: DecodePool,
  /** `body` as the client sent it, gzip-compressed, for forwarding to pass on (otlp/request-bytes.ts) */
  gzipped?: Uint8Array,
): Promise<ExportOutcome> {
  const delivery = new PieceDelivery(signal, consumers, new Rejections());
  if (pool !== undefined && body.length >= pool.thresholdBytes) {
    let outcome: PoolOutcome;
    if (pool.usesWorker) {
      try {
        outcome = await pool.decode(signal, format, body, (batch, items) => delivery.take(batch, items));
      } catch (err) {
        return { kind: 'failed', items: delivery.delivered, message: `decode worker: ${errorMessage(err)}` };
      }
    } else {
      const decoded = decodeExport(signal, format, body);
      if (!decoded.ok) return { kind: 'invalid', message: decoded.message };
      for (const piece of splitBatch(signal, decoded.batch, pool.pieceItems)) {
        if (!delivery.take(piece.batch, piece.items)) break;
        await yieldToIo();
      }
      outcome = { kind: 'decoded', items: decoded.items, delivered: delivery.delivered, notes: decoded.notes };
    }
    if (outcome.kind === 'invalid') return { kind: 'invalid', message: outcome.message };
    if (outcome.items === 0 && outcome.notes.dropped.length === 0) {
      return { kind: 'ok', items: 0, rejected: 0, message: '' };
    }
    return delivery.outcome(outcome.items, outcome.notes, signal, observer, transport);
  }

  const decoded = decodeExport(signal, format, body);
  if (!decoded.ok) return { kind: 'invalid', message: decoded.message };
  // An empty request is a valid no-op; the pipeline need not see it.
  if (decoded.items === 0 && decoded.notes.dropped.length === 0)
    return { kind: 'ok', items: 0, rejected: 0, message: '' };
  if (format === 'protobuf' && decoded.notes.dropped.length === 0 && decoded.notes.altered === '') {
    keepRequestBytes(decoded.batch, body, gzipped);
  }
  if (decoded.items > 0) delivery.take(decoded.batch, decoded.items);
  return delivery.outcome(decoded.items, decoded.notes, signal, observer, transport);
}
