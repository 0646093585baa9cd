// Prometheus remote write (protocol 1.0) for feeding a real Prometheus the same samples as Orrery:
// a snappy-compressed protobuf WriteRequest. Field numbers are those of prometheus/prompb.
import { createRequire } from 'node:module';
import type { Labels } from '../../../labels/labels.js';
import type { Exemplar } from '../../../storage/storage.js';

const require = createRequire(import.meta.url);
// snappyjs ships no type declarations; this is the one function used.
const snappy = require('snappyjs') as { compress(input: Uint8Array): Uint8Array };

/** One series to write; a NaN value with stale[i] set is sent as Prometheus's StaleNaN. */
export interface WriteSeries {
  readonly labels: Labels;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  readonly stale?: ArrayLike<number>;
  readonly exemplars?: readonly Exemplar[];
}

function varintLen(x: number): number {
  let n = 1;
  while (x >= 0x80) {
    x = Math.floor(x / 0x80);
    n++;
  }
  return n;
}

/** A protobuf writer over one growing buffer; message sizes are computed up front, so nothing is copied twice. */
class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialBytes = 1 << 20) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(x: number): void {
    // Timestamps exceed 32 bits: divide instead of shifting.
    let v = x;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  raw(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  double(v: number, stale: boolean): void {
    if (stale) {
      // StaleNaN: 0x7ff0000000000002, little-endian on the wire.
      this.view.setUint32(this.pos, 0x00000002, true);
      this.view.setUint32(this.pos + 4, 0x7ff00000, true);
    } else {
      this.view.setFloat64(this.pos, v, true);
    }
    this.pos += 8;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Encodes a WriteRequest (uncompressed). */
export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const w = new ProtoWriter();
  for (const s of series) {
    const labels = s.labels.map((l) => [Buffer.from(l.name, 'utf8'), Buffer.from(l.value, 'utf8')] as const);
    let size = 0;
    for (const [n, v] of labels) {
      const ls = 1 + varintLen(n.length) + n.length + 1 + varintLen(v.length) + v.length;
      size += 1 + varintLen(ls) + ls;
    }
    // Exemplars are few: encode each into its own buffer.
    const exemplars = (s.exemplars ?? []).map(encodeExemplar);
    for (const e of exemplars) size += 1 + varintLen(e.length) + e.length;
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i]!;
      const ss = 9 + (t !== 0 ? 1 + varintLen(t) : 0);
      size += 1 + varintLen(ss) + ss;
    }
    w.ensure(size + 16);
    w.varint((1 << 3) | 2); // WriteRequest.timeseries
    w.varint(size);
    for (const [n, v] of labels) {
      w.varint((1 << 3) | 2); // TimeSeries.labels
      w.varint(1 + varintLen(n.length) + n.length + 1 + varintLen(v.length) + v.length);
      w.varint((1 << 3) | 2); // Label.name
      w.varint(n.length);
      w.raw(n);
      w.varint((2 << 3) | 2); // Label.value
      w.varint(v.length);
      w.raw(v);
    }
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i]!;
      w.varint((2 << 3) | 2); // TimeSeries.samples
      w.varint(9 + (t !== 0 ? 1 + varintLen(t) : 0));
      w.varint((1 << 3) | 1); // Sample.value (fixed64)
      w.double(s.v[i]!, s.stale !== undefined && s.stale[i] === 1);
      if (t !== 0) {
        w.varint(2 << 3); // Sample.timestamp (varint)
        w.varint(t);
      }
    }
    for (const e of exemplars) {
      w.varint((3 << 3) | 2); // TimeSeries.exemplars
      w.varint(e.length);
      w.raw(e);
    }
  }
  return w.finish();
}

/** Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; } */
function encodeExemplar(e: Exemplar): Uint8Array {
  let need = 32;
  for (const l of e.labels) need += 16 + Buffer.byteLength(l.name) + Buffer.byteLength(l.value);
  const w = new ProtoWriter(need);
  for (const l of e.labels) {
    const n = Buffer.from(l.name, 'utf8');
    const v = Buffer.from(l.value, 'utf8');
    w.varint((1 << 3) | 2);
    w.varint(1 + varintLen(n.length) + n.length + 1 + varintLen(v.length) + v.length);
    w.varint((1 << 3) | 2);
    w.varint(n.length);
    w.raw(n);
    w.varint((2 << 3) | 2);
    w.varint(v.length);
    w.raw(v);
  }
  w.varint((2 << 3) | 1);
  w.double(e.value, false);
  if (e.t !== 0) {
    w.varint(3 << 3);
    w.varint(e.t);
  }
  return w.finish();
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
