// The byte layout of a block of log records, shared by the writer (a stream's open head) and the
// cursor (every read). A record is
//
//   varint  length of the rest of the record
//   f64     time (ns)            f64  observed time (ns, 0 = none)
//   u8      severity number      u8   detected level (index in LEVELS)
//   u8      flags (1 = trace ID follows, 2 = span ID follows)
//   [16]    trace ID bytes       [8]  span ID bytes
//   varint  origin (index into the chunk's table of resource + scope metadata)
//   str     severity text        str  line
//   varint  attribute count, then per attribute: varint name symbol (0 = inline name follows),
//           [str name], str value
//
// where str is a varint byte length and UTF-8. The length prefix lets a reader skip a record
// whose line does not match without touching its attributes.
import type { Label } from '../labels/labels.js';
import { LEVELS, type Level } from './otlp-mapping.js';

/** What a record carries besides its stream and origin. */
export interface RecordFields {
  readonly timeNs: number;
  readonly observedNs: number;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly level: number;
  /** 32 hex digits or '' */
  readonly traceId: string;
  /** 16 hex digits or '' */
  readonly spanId: string;
  readonly origin: number;
  readonly line: string;
  /** the record's own attributes as metadata entries */
  readonly attributes: readonly Label[];
}

/** Metadata names, stored once for the whole store (bounded; beyond it names are inline). */
export class SymbolTable {
  private readonly ids = new Map<string, number>();
  /** id 0 is reserved for "inline" */
  readonly names: string[] = [''];

  constructor(private readonly max = 4096) {}

  idOf(name: string): number {
    const id = this.ids.get(name);
    if (id !== undefined) return id;
    if (this.names.length >= this.max) return 0;
    this.ids.set(name, this.names.length);
    this.names.push(name);
    return this.names.length - 1;
  }

  get bytes(): number {
    return this.names.length * 64;
  }
}

export class BlockWriter {
  buf: Buffer;
  length = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** Appends one record; returns its byte length. */
  append(r: RecordFields, symbols: SymbolTable): number {
    // upper bound of the record: fixed part + 3 bytes per UTF-16 unit of every string + varints
    let bound = 64 + 3 * (r.line.length + r.severityText.length);
    for (const a of r.attributes) bound += 15 + 3 * (a.name.length + a.value.length);
    this.ensure(bound + 5);
    const buf = this.buf;
    const start = this.length;
    // reserve 5 bytes for the length varint, written once the record is known, then moved down
    let p = start + 5;
    p = buf.writeDoubleLE(r.timeNs, p);
    p = buf.writeDoubleLE(r.observedNs, p);
    buf[p++] = Math.max(0, Math.min(255, r.severityNumber | 0));
    buf[p++] = r.level;
    const hasTrace = r.traceId.length === 32;
    const hasSpan = r.spanId.length === 16;
    buf[p++] = (hasTrace ? 1 : 0) | (hasSpan ? 2 : 0);
    if (hasTrace) p += buf.write(r.traceId, p, 16, 'hex');
    if (hasSpan) p += buf.write(r.spanId, p, 8, 'hex');
    p = writeVarint(buf, p, r.origin);
    p = writeStr(buf, p, r.severityText);
    p = writeStr(buf, p, r.line);
    p = writeVarint(buf, p, r.attributes.length);
    for (const a of r.attributes) {
      const sym = symbols.idOf(a.name);
      p = writeVarint(buf, p, sym);
      if (sym === 0) p = writeStr(buf, p, a.name);
      p = writeStr(buf, p, a.value);
    }
    const bodyLen = p - start - 5;
    const lenBytes = varintSize(bodyLen);
    buf.copy(buf, start + lenBytes, start + 5, p);
    writeVarint(buf, start, bodyLen);
    this.length = start + lenBytes + bodyLen;
    return lenBytes + bodyLen;
  }

  /** The written bytes (a view, valid until the next append). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Walks the records of a block; fields are valid until the next call of next(). */
export class BlockCursor {
  private pos = 0;
  private next_ = 0;
  private attrPos = 0;
  timeNs = 0;
  observedNs = 0;
  severityNumber = 0;
  level = 0;
  traceId = '';
  spanId = '';
  origin = 0;
  severityText = '';
  line = '';
  /** the record's encoded length (what bytes_over_time does not count: it counts the line) */
  recordBytes = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly symbols: SymbolTable,
  ) {}

  next(): boolean {
    if (this.next_ >= this.buf.length) return false;
    const buf = this.buf;
    this.pos = this.next_;
    const len = this.varint();
    let p = this.pos;
    this.recordBytes = len;
    this.next_ = p + len;
    this.timeNs = buf.readDoubleLE(p);
    this.observedNs = buf.readDoubleLE(p + 8);
    this.severityNumber = buf[p + 16]!;
    this.level = buf[p + 17]!;
    const flags = buf[p + 18]!;
    p += 19;
    if (flags & 1) {
      this.traceId = buf.toString('hex', p, p + 16);
      p += 16;
    } else this.traceId = '';
    if (flags & 2) {
      this.spanId = buf.toString('hex', p, p + 8);
      p += 8;
    } else this.spanId = '';
    this.pos = p;
    this.origin = this.varint();
    this.severityText = this.str();
    this.line = this.str();
    this.attrPos = this.pos;
    return true;
  }

  get levelName(): Level {
    return LEVELS[this.level] ?? 'unknown';
  }

  /** The current record's own attributes (decoded on demand). */
  attributes(): Label[] {
    this.pos = this.attrPos;
    const n = this.varint();
    const out: Label[] = [];
    for (let i = 0; i < n; i++) {
      const sym = this.varint();
      const name = sym === 0 ? this.str() : (this.symbols.names[sym] ?? '');
      out.push({ name, value: this.str() });
    }
    return out;
  }

  private varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if (b < 0x80) return b;
    let v = b & 0x7f;
    let mul = 128;
    for (;;) {
      b = buf[this.pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  }

  private str(): string {
    const n = this.varint();
    const start = this.pos;
    this.pos += n;
    return n === 0 ? '' : this.buf.toString('utf8', start, start + n);
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Buffer, p: number, v: number): number {
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[p++] = v;
  return p;
}

function writeStr(buf: Buffer, p: number, s: string): number {
  if (s.length < 0x80 / 3) {
    // the length fits one byte whatever the characters: write the string after it directly
    const n = buf.write(s, p + 1, 'utf8');
    buf[p] = n;
    return p + 1 + n;
  }
  const n = Buffer.byteLength(s, 'utf8');
  p = writeVarint(buf, p, n);
  return p + buf.write(s, p, 'utf8');
}
