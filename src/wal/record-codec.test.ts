import { describe, expect, it } from 'vitest';
import { RecordDecodeError, RecordReader, RecordWriter } from './record-codec.js';

describe('RecordWriter and RecordReader', () => {
  it('round-trip varints, zigzag varints, floats, strings and bytes', () => {
    const w = new RecordWriter(4);
    const long = 'é'.repeat(200); // 400 UTF-8 bytes: a two-byte length prefix
    w.u8(7)
      .uvarint(0)
      .uvarint(300)
      .uvarint(2 ** 53 - 1)
      .varint(-1)
      .varint(-(2 ** 40))
      .varint(5);
    w.f64(Math.PI)
      .f64(NaN)
      .u32(0xdeadbeef)
      .string('')
      .string('héllo')
      .string(long)
      .bytes(Uint8Array.of(1, 2, 3));
    const r = new RecordReader(w.finish());
    expect([r.u8(), r.uvarint(), r.uvarint(), r.uvarint(), r.varint(), r.varint(), r.varint()]).toEqual([
      7,
      0,
      300,
      2 ** 53 - 1,
      -1,
      -(2 ** 40),
      5,
    ]);
    expect(r.f64()).toBe(Math.PI);
    expect(r.f64()).toBeNaN();
    expect(r.u32()).toBe(0xdeadbeef);
    expect([r.string(), r.string(), r.string()]).toEqual(['', 'héllo', long]);
    expect([...r.bytes()]).toEqual([1, 2, 3]);
    expect(r.done).toBe(true);
  });

  it('reset keeps the buffer for the next record', () => {
    const w = new RecordWriter();
    w.string('first');
    w.reset().uvarint(1);
    expect([...w.view()]).toEqual([1]);
  });

  it('throws RecordDecodeError when a field runs past the end of the record', () => {
    const w = new RecordWriter().string('truncated text');
    const cut = w.finish().subarray(0, 5);
    expect(() => new RecordReader(cut).string()).toThrow(RecordDecodeError);
    expect(() => new RecordReader(Uint8Array.of(0x80, 0x80)).uvarint()).toThrow(RecordDecodeError);
    expect(() => new RecordReader(new Uint8Array(3)).f64()).toThrow(/truncated float64/);
    expect(() => new RecordReader(new Uint8Array(9).fill(0xff)).uvarint()).toThrow(/53 bits/);
  });
});
