// Prometheus remote write 1.0: a WriteRequest in protobuf (field numbers of prometheus/prompb),
// compressed with snappy's block format.
//   WriteRequest { repeated TimeSeries timeseries = 1 }
//   TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3 }
//   Label { string name = 1; string value = 2 }
//   Sample { double value = 1; int64 timestamp = 2 }   (milliseconds)
//   Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3 }
import { createRequire } from 'node:module';
import type { Labels } from '../../labels/labels.js';
import { ProtoWriter } from '../../otlp/protobuf-writer.js';
import type { Exemplar } from '../../storage/storage.js';

const require = createRequire(import.meta.url);
// snappyjs ships no type declarations; these are the functions used.
const snappy = require('snappyjs') as {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array): Uint8Array;
};

/** One series to write; a sample with stale[i] = 1 is sent as Prometheus's StaleNaN. */
export interface WriteSeries {
  readonly labels: Labels;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  readonly stale?: ArrayLike<number>;
  readonly exemplars?: readonly Exemplar[];
}

// StaleNaN: 0x7ff0000000000002, the value Prometheus reads as "this series ended".
const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

function labels(w: ProtoWriter, list: Labels): void {
  for (const l of list) {
    const m = w.fork(1);
    w.string(1, l.name);
    w.string(2, l.value);
    w.end(m);
  }
}

/** Encodes a WriteRequest (uncompressed). */
export function encodeWriteRequest(series: readonly WriteSeries[], w = new ProtoWriter()): Uint8Array {
  w.reset();
  for (const s of series) {
    const ts = w.fork(1);
    labels(w, s.labels);
    for (let i = 0; i < s.t.length; i++) {
      const m = w.fork(2);
      w.tag(1, 1);
      if (s.stale !== undefined && s.stale[i] === 1) w.rawDoubleBits(STALE_HI, STALE_LO);
      else w.rawDouble(s.v[i]!);
      if (s.t[i] !== 0) w.int64(2, s.t[i]!);
      w.end(m);
    }
    for (const e of s.exemplars ?? []) {
      const m = w.fork(3);
      labels(w, e.labels);
      w.double(2, e.value);
      if (e.t !== 0) w.int64(3, e.t);
      w.end(m);
    }
    w.end(ts);
  }
  return w.finish();
}

/** snappy's block format; the result is a fresh ArrayBuffer-backed array, which fetch's DOM typing wants */
export function snappyCompress(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return snappy.compress(bytes) as Uint8Array<ArrayBuffer>;
}

export function snappyUncompress(bytes: Uint8Array): Uint8Array {
  return snappy.uncompress(bytes);
}

/** the headers remote write 1.0 requires */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};
