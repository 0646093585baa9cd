// Prometheus remote write (protocol 1.0) for feeding a real Prometheus the same samples as Orrery:
// a snappy-compressed protobuf WriteRequest. Field numbers are those of prometheus/prompb.
import { createRequire } from 'node:module';
import type { Labels } from '../../../tsdb/labels.js';

const require = createRequire(import.meta.url);
// snappyjs ships no type declarations; this is the one function used.
const snappy = require('snappyjs') as { compress(input: Uint8Array): Uint8Array };

/** One series to write; a NaN value with stale[i] set is sent as Prometheus's StaleNaN. */
export interface WriteSeries {
  readonly labels: Labels;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  readonly stale?: ArrayLike<number>;
}

class ProtoWriter {
  private buf = new Uint8Array(1 << 16);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(x: number): void {
    // Timestamps exceed 32 bits: divide instead of shifting.
    this.ensure(10);
    let v = x;
    if (v < 0) throw new Error('negative varint');
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, Buffer.from(s, 'utf8'));
  }

  double(field: number, v: number, stale: boolean): void {
    this.tag(field, 1);
    this.ensure(8);
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    if (stale) {
      // StaleNaN: 0x7ff0000000000002, little-endian on the wire.
      dv.setUint32(0, 0x00000002, true);
      dv.setUint32(4, 0x7ff00000, true);
    } else {
      dv.setFloat64(0, v, true);
    }
    this.pos += 8;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Encodes a WriteRequest (uncompressed). */
export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const out = new ProtoWriter();
  for (const s of series) {
    const ts = new ProtoWriter();
    for (const l of s.labels) {
      const lw = new ProtoWriter();
      lw.string(1, l.name);
      lw.string(2, l.value);
      ts.bytes(1, lw.finish());
    }
    for (let i = 0; i < s.t.length; i++) {
      const sw = new ProtoWriter();
      const stale = s.stale !== undefined && s.stale[i] === 1;
      sw.double(1, s.v[i]!, stale);
      const t = s.t[i]!;
      if (t !== 0) {
        sw.tag(2, 0);
        sw.varint(t);
      }
      ts.bytes(2, sw.finish());
    }
    out.bytes(1, ts.finish());
  }
  return out.finish();
}

/** Sends series to a Prometheus started with --web.enable-remote-write-receiver. */
export async function remoteWrite(baseUrl: string, series: readonly WriteSeries[]): Promise<void> {
  const body = snappy.compress(encodeWriteRequest(series));
  const res = await fetch(`${baseUrl}/api/v1/write`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body,
  });
  if (res.status >= 300) throw new Error(`remote write failed: HTTP ${res.status}: ${await res.text()}`);
}
