import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.js';
import { ProtoReader } from './protobuf-reader.js';
import { otlpRoot } from './testing/protobufjs-schema.js';

const reader = (bytes: number[]) => new ProtoReader(Uint8Array.from(bytes));

describe('ProtoReader', () => {
  it('reads varints of every length', () => {
    expect(reader([0x00]).varint()).toBe(0);
    expect(reader([0x7f]).varint()).toBe(127);
    expect(reader([0xac, 0x02]).varint()).toBe(300);
    expect(reader([0xff, 0xff, 0xff, 0xff, 0x0f]).varint()).toBe(0xffffffff);
    expect(reader([0x80, 0x80, 0x80, 0x80, 0x10]).varint()).toBe(2 ** 32);
    expect(reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]).varint()).toBe(2 ** 53 - 1);
  });

  it('reads negative int64 from 10-byte two’s complement', () => {
    const neg = (n: bigint) => {
      const out: number[] = [];
      let v = BigInt.asUintN(64, n);
      while (v >= 0x80n) {
        out.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      out.push(Number(v));
      return out;
    };
    for (const n of [-1n, -2n, -300n, -(2n ** 31n), -(2n ** 32n), -(2n ** 53n) + 1n, 5n, 2n ** 40n]) {
      const bytes = neg(n);
      const r = reader(bytes);
      expect(r.int64()).toBe(Number(n));
      expect(r.pos).toBe(bytes.length);
    }
  });

  it('reads int64 beyond 2^53 exactly, as a bigint (and safe values as numbers)', () => {
    const varint = (n: bigint) => {
      const out: number[] = [];
      let v = BigInt.asUintN(64, n);
      while (v >= 0x80n) {
        out.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      out.push(Number(v));
      return out;
    };
    const exact = [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 53n), -(2n ** 53n) - 1n, -(2n ** 63n)];
    for (const n of exact) expect(reader(varint(n)).int64()).toBe(n);
    for (const n of [2n ** 53n - 1n, -(2n ** 53n) + 1n]) expect(reader(varint(n)).int64()).toBe(Number(n));
  });

  it('reads zigzag sint32', () => {
    expect(reader([0x00]).sint()).toBe(0);
    expect(reader([0x01]).sint()).toBe(-1);
    expect(reader([0x02]).sint()).toBe(1);
    expect(reader([0x03]).sint()).toBe(-2);
    expect(reader([0xfe, 0xff, 0xff, 0xff, 0x0f]).sint()).toBe(2147483647);
    expect(reader([0xff, 0xff, 0xff, 0xff, 0x0f]).sint()).toBe(-2147483648);
  });

  it('reads fixed-width values little-endian', () => {
    expect(reader([1, 0, 0, 0]).fixed32()).toBe(1);
    expect(reader([0, 0, 0, 0, 1, 0, 0, 0]).fixed64()).toBe(2 ** 32);
    expect(reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).sfixed64()).toBe(-1);
    const d = Buffer.alloc(8);
    d.writeDoubleLE(-1.25);
    expect(new ProtoReader(d).double()).toBe(-1.25);
  });

  it('reads strings: short ASCII, long ASCII, multi-byte UTF-8, empty', () => {
    const long = 'x'.repeat(5000) + 'end';
    for (const s of ['', 'a', 'rpc.system', 'héllo', '世界🌍', long]) {
      const b = Buffer.from(s);
      const len: number[] = [];
      let n = b.length;
      while (n >= 0x80) {
        len.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      len.push(n);
      expect(new ProtoReader(Buffer.concat([Buffer.from(len), b])).string()).toBe(s);
    }
  });

  it('reads many short strings across its text window', () => {
    const Kv = otlpRoot().lookupType('opentelemetry.proto.common.v1.KeyValueList');
    const values = Array.from({ length: 2000 }, (_, i) => ({
      key: `k${i}`,
      value: { stringValue: i % 7 === 0 ? `ü${i}` : `v${i}` },
    }));
    const bytes = Kv.encode(Kv.fromObject({ values })).finish();
    const r = new ProtoReader(bytes);
    const seen: string[] = [];
    while (r.pos < r.len) {
      r.tag();
      const end = r.lenEnd();
      while (r.pos < end) {
        const t = r.tag();
        if (t === 10) seen.push(r.string());
        else {
          const e = r.lenEnd();
          r.tag();
          seen.push(r.string());
          expect(r.pos).toBe(e);
        }
      }
    }
    expect(seen).toEqual(values.flatMap((v) => [v.key, v.value.stringValue]));
  });

  it('throws DecodeError on truncation instead of reading past the end', () => {
    expect(() => reader([0x80]).varint()).toThrow(DecodeError);
    expect(() => reader([0x80, 0x80, 0x80, 0x80, 0x80]).varint()).toThrow(/truncated varint/);
    expect(() => reader([1, 2, 3]).fixed32()).toThrow(/truncated fixed32/);
    expect(() => reader([1, 2, 3, 4, 5, 6, 7]).fixed64()).toThrow(/truncated fixed64/);
    expect(() => reader([1, 2, 3, 4, 5, 6, 7]).double()).toThrow(/truncated double/);
    expect(() => reader([5, 0x61]).string()).toThrow(/truncated length-delimited/);
    expect(() => reader(Array(11).fill(0xff)).varint()).toThrow(/longer than 10 bytes/);
  });

  it('skips each wire type and refuses groups', () => {
    const r = reader([0x96, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2, 0xaa, 0xbb, 1, 2, 3, 4]);
    r.skip(0);
    expect(r.pos).toBe(2);
    r.skip(1);
    expect(r.pos).toBe(10);
    r.skip(2);
    expect(r.pos).toBe(13);
    r.skip(5);
    expect(r.pos).toBe(17);
    expect(() => reader([]).skip(3)).toThrow(/wire type 3/);
    expect(() => reader([]).skip(4)).toThrow(/wire type 4/);
    expect(() => reader([]).skip(7)).toThrow(/wire type 7/);
  });

  it('reads IDs as lower-case hex and checks their length', () => {
    expect(reader([8, 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 0xff]).id(8, 'spanId', false)).toBe('deadbeef000102ff');
    expect(reader([0]).id(8, 'spanId', true)).toBe('');
    expect(() => reader([0]).id(8, 'spanId', false)).toThrow('spanId: expected 8 bytes, got 0');
    expect(() => reader([2, 1, 2]).id(16, 'traceId', true)).toThrow('traceId: expected 16 bytes or none, got 2');
  });
});
