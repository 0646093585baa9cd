// The google.rpc.Status a gRPC server sends in the `grpc-status-details-bin` trailer, with one
// google.rpc.RetryInfo detail: OTLP exporters retry RESOURCE_EXHAUSTED only when the server says
// it can recover this way, and wait its retry_delay (they back off on their own otherwise).
//   Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3 }
//   Any { string type_url = 1; bytes value = 2 }
//   RetryInfo { google.protobuf.Duration retry_delay = 1 }
//   Duration { int64 seconds = 1; int32 nanos = 2 }
import { encodeStatusProtobuf } from '../otlp/encode-response.js';

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(bytes.length)]), bytes]);
}

/** Status { code, message, details: [Any(RetryInfo { retry_delay })] } in protobuf. */
export function encodeStatusWithRetryInfo(code: number, message: string, retryDelaySeconds: number): Buffer {
  const whole = Math.max(0, Math.floor(retryDelaySeconds));
  const nanos = Math.round((Math.max(0, retryDelaySeconds) - whole) * 1e9);
  const duration = Buffer.from([
    ...(whole > 0 ? [0x08, ...varint(whole)] : []),
    ...(nanos > 0 ? [0x10, ...varint(nanos)] : []),
  ]);
  const retryInfo = lengthDelimited(1, duration);
  const any = Buffer.concat([lengthDelimited(1, Buffer.from(RETRY_INFO_TYPE_URL)), lengthDelimited(2, retryInfo)]);
  // Fields of one message may be written one after the other: Status's own fields, then details.
  return Buffer.concat([encodeStatusProtobuf(code, message), lengthDelimited(3, any)]);
}
