// Reading what an OTLP server answers: the partial_success of an Export*ServiceResponse, the
// retry delay a gRPC server puts in google.rpc.RetryInfo, and HTTP's Retry-After header.
//   Export*ServiceResponse { Export*PartialSuccess partial_success = 1 }
//   Export*PartialSuccess { int64 rejected_* = 1; string error_message = 2 }
//   Status { int32 code = 1; string message = 2; repeated Any details = 3 }
//   Any { string type_url = 1; bytes value = 2 }, RetryInfo { Duration retry_delay = 1 }
//   Duration { int64 seconds = 1; int32 nanos = 2 }
import { ProtoReader, WireType } from '../../otlp/protobuf-reader.js';
import { RETRY_INFO_TYPE_URL } from '../../receivers/grpc-status.js';

export interface PartialSuccessAnswer {
  readonly rejected: number;
  readonly message: string;
}

/** Fields of one message, each as (field number, reader positioned at its value); unknown wire types skipped. */
function fields(bytes: Uint8Array, visit: (field: number, wireType: number, r: ProtoReader) => void): void {
  const r = new ProtoReader(bytes);
  while (r.pos < r.len) {
    const t = r.tag();
    const before = r.pos;
    visit(t >>> 3, t & 7, r);
    if (r.pos === before) r.skip(t & 7);
  }
}

/** partial_success of a protobuf Export*ServiceResponse; undefined when absent or empty (full success). */
export function readPartialSuccess(bytes: Uint8Array): PartialSuccessAnswer | undefined {
  let out: PartialSuccessAnswer | undefined;
  try {
    fields(bytes, (field, wt, r) => {
      if (field !== 1 || wt !== WireType.LEN) return;
      let rejected = 0;
      let message = '';
      fields(r.bytes(), (f, w, inner) => {
        if (f === 1 && w === WireType.VARINT) rejected = inner.varint();
        else if (f === 2 && w === WireType.LEN) message = inner.string();
      });
      if (rejected !== 0 || message !== '') out = { rejected, message };
    });
  } catch {
    return undefined; // an unreadable success body still means success
  }
  return out;
}

/** partial_success of an OTLP/JSON response body */
export function readPartialSuccessJson(text: string): PartialSuccessAnswer | undefined {
  try {
    const body = JSON.parse(text) as { partialSuccess?: Record<string, unknown> } | null;
    const p = body?.partialSuccess;
    if (p === undefined || p === null || typeof p !== 'object') return undefined;
    const count = p['rejectedSpans'] ?? p['rejectedDataPoints'] ?? p['rejectedLogRecords'] ?? 0;
    const rejected = Number(count);
    const message = typeof p['errorMessage'] === 'string' ? p['errorMessage'] : '';
    if ((!Number.isFinite(rejected) || rejected === 0) && message === '') return undefined;
    return { rejected: Number.isFinite(rejected) ? rejected : 0, message };
  } catch {
    return undefined;
  }
}

/** retry_delay in milliseconds from a google.rpc.Status's RetryInfo detail, if it has one */
export function readRetryInfoMs(statusBytes: Uint8Array): number | undefined {
  let delay: number | undefined;
  try {
    fields(statusBytes, (field, wt, r) => {
      if (field !== 3 || wt !== WireType.LEN) return;
      let typeUrl = '';
      let value: Uint8Array | undefined;
      fields(r.bytes(), (f, w, any) => {
        if (f === 1 && w === WireType.LEN) typeUrl = any.string();
        else if (f === 2 && w === WireType.LEN) value = any.bytes();
      });
      if (typeUrl !== RETRY_INFO_TYPE_URL || value === undefined) return;
      fields(value, (f, w, info) => {
        if (f !== 1 || w !== WireType.LEN) return;
        let seconds = 0;
        let nanos = 0;
        fields(info.bytes(), (df, dw, d) => {
          if (df === 1 && dw === WireType.VARINT) seconds = d.varint();
          else if (df === 2 && dw === WireType.VARINT) nanos = d.varint();
        });
        delay = seconds * 1000 + Math.round(nanos / 1e6);
      });
    });
  } catch {
    return undefined;
  }
  return delay;
}

/** Retry-After (delay-seconds or an HTTP date) in milliseconds; undefined when absent or unreadable */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
