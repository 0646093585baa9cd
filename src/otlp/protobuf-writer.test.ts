import { describe, expect, it } from 'vitest';
import { ProtoReader } from './protobuf-reader.js';
import { ProtoWriter } from './protobuf-writer.js';

describe('ProtoWriter', () => {
  it('writes varints, zigzag and two’s-complement int64 as the wire format says', () => {
    const w = new ProtoWriter(16);
    w.uint(1, 300);
    w.sint(2, -3);
    w.int64(3, -1);
    w.int64(4, 2n ** 62n);
    w.uint(5, 0); // proto3 default: not written
    expect(Buffer.from(w.finish()).toString('hex')).toBe(
      '08ac02' + '1005' + '18ffffffffffffffffff01' + '20' + '808080808080808040',
    );
  });

  it('nested messages get their length before them, however long they grow', () => {
    for (const size of [0, 1, 127, 128, 16_383, 16_384, 300_000]) {
      const w = new ProtoWriter(8);
      const outer = w.fork(1);
      const inner = w.fork(2);
      w.bytes(3, new Uint8Array(size).fill(7));
      w.end(inner);
      w.end(outer);
      const r = new ProtoReader(w.finish());
      expect(r.tag()).toBe(0x0a);
      const outerEnd = r.lenEnd();
      expect(r.tag()).toBe(0x12);
      const innerEnd = r.lenEnd();
      expect(innerEnd).toBe(outerEnd);
      if (size > 0) {
        expect(r.tag()).toBe(0x1a);
        expect(r.bytes()).toEqual(new Uint8Array(size).fill(7));
      }
      expect(r.pos).toBe(outerEnd);
    }
  });

  it('strings in ASCII and beyond, hex IDs and fixed-width numbers read back', () => {
    const w = new ProtoWriter(4);
    w.string(1, 'GET /api/cart');
    w.string(2, 'naïve ☃ 𝄞');
    w.string(3, '', true);
    w.hex(4, '5b8efff798038103d269b633813fc60c');
    w.fixed64(5, 1_764_000_000_123_456_789);
    w.double(6, -0.5);
    w.fixed32(7, 0xffffffff);
    const r = new ProtoReader(w.finish());
    expect(r.tag()).toBe(0x0a);
    expect(r.string()).toBe('GET /api/cart');
    expect(r.tag()).toBe(0x12);
    expect(r.string()).toBe('naïve ☃ 𝄞');
    expect(r.tag()).toBe(0x1a);
    expect(r.string()).toBe('');
    expect(r.tag()).toBe(0x22);
    expect(r.id(16, 'trace_id', false)).toBe('5b8efff798038103d269b633813fc60c');
    expect(r.tag()).toBe(0x29);
    const lo = r.buf.readUInt32LE(r.pos);
    const hi = r.buf.readUInt32LE(r.pos + 4);
    expect(hi * 2 ** 32 + lo).toBe(1_764_000_000_123_456_789);
    r.pos += 8;
    expect(r.tag()).toBe(0x31);
    expect(r.double()).toBe(-0.5);
    expect(r.tag()).toBe(0x3d);
    expect(r.buf.readUInt32LE(r.pos)).toBe(0xffffffff);
  });
});
