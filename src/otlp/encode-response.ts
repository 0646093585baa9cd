// The few messages a receiver writes back: Export{Trace,Metrics,Logs}ServiceResponse (with
// partial_success when some items were rejected) and google.rpc.Status for errors, each in
// protobuf and in OTLP/JSON. All are tiny, so a byte array built by hand beats any library.

export type Signal = 'traces' | 'metrics' | 'logs';

export interface PartialSuccess {
  /** rejected_spans / rejected_data_points / rejected_log_records */
  readonly rejected: number;
  readonly errorMessage: string;
}

/** JSON name of the rejected-count field of each signal's ExportPartialSuccess (field 1, int64). */
const REJECTED_FIELD: Record<Signal, string> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

/** google.rpc.Code values used by the receivers. */
export const RpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

function varintBytes(n: number, out: number[]): void {
  // non-negative integers only: counts, lengths, codes
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function pushString(field: number, s: string, out: number[]): void {
  const bytes = Buffer.from(s, 'utf8');
  out.push((field << 3) | 2);
  varintBytes(bytes.length, out);
  for (const b of bytes) out.push(b);
}

/**
 * Export*ServiceResponse in protobuf. Without `partial` (or with nothing rejected and no message)
 * the response is empty, which is how the OTLP spec says full success looks.
 */
export function encodeExportResponseProtobuf(partial?: PartialSuccess): Uint8Array {
  if (partial === undefined || (partial.rejected === 0 && partial.errorMessage === '')) return new Uint8Array(0);
  const inner: number[] = [];
  if (partial.rejected !== 0) {
    inner.push(0x08); // 1 rejected_*, varint
    varintBytes(partial.rejected, inner);
  }
  if (partial.errorMessage !== '') pushString(2, partial.errorMessage, inner);
  const out: number[] = [0x0a]; // 1 partial_success
  varintBytes(inner.length, out);
  return Uint8Array.from(out.concat(inner));
}

/** Export*ServiceResponse in OTLP/JSON (int64 as a decimal string, as proto3 JSON writes it). */
export function encodeExportResponseJson(signal: Signal, partial?: PartialSuccess): string {
  if (partial === undefined || (partial.rejected === 0 && partial.errorMessage === '')) return '{}';
  const body: Record<string, string> = {};
  if (partial.rejected !== 0) body[REJECTED_FIELD[signal]] = String(partial.rejected);
  if (partial.errorMessage !== '') body['errorMessage'] = partial.errorMessage;
  return JSON.stringify({ partialSuccess: body });
}

/** google.rpc.Status { code = 1, message = 2 } in protobuf. */
export function encodeStatusProtobuf(code: number, message: string): Uint8Array {
  const out: number[] = [];
  if (code !== 0) {
    out.push(0x08);
    varintBytes(code, out);
  }
  if (message !== '') pushString(2, message, out);
  return Uint8Array.from(out);
}

/** google.rpc.Status in JSON. */
export function encodeStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
