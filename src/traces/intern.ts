// String interning and hashing for the trace store. Keys, service names, span names and the
// low-cardinality attribute values repeat in nearly every span; storing each once and referring
// to it by a small integer is most of what keeps a stored span small.

/** FNV-1a over UTF-16 code units; stable across runs (the index is rebuilt from data on load). */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Mixes two 32-bit values into a non-negative 30-bit integer, so that index keys stay small
 * integers (V8 keeps them unboxed in Maps). Collisions are harmless: every candidate the index
 * yields is checked against the stored span.
 */
export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/** An append-only string table: id ↔ string, with each string's hash cached. */
export class StringTable {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];
  readonly hashes: number[] = [];
  /** estimated bytes held (string bodies, map entries, array slots) */
  bytes = 0;

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) id = this.add(s);
    return id;
  }

  add(s: string): number {
    const id = this.strings.length;
    this.ids.set(s, id);
    this.strings.push(s);
    this.hashes.push(hashString(s));
    // one-byte string body + header, a Map entry with its share of buckets, two array slots
    this.bytes += s.length + 24 + 40 + 16;
    return id;
  }

  get(s: string): number | undefined {
    return this.ids.get(s);
  }

  get size(): number {
    return this.strings.length;
  }
}

/** Attribute values longer than this are stored inline, never interned. */
const MAX_INTERNED_VALUE_LENGTH = 256;

/**
 * The store's two string tables: attribute keys, and everything else that repeats (service and
 * span names, event names, low-cardinality attribute values). Each key may intern only so many
 * distinct values, so a high-cardinality attribute (user ids, URLs) is stored inline instead of
 * growing the table forever.
 */
export class Dictionary {
  readonly keys = new StringTable();
  readonly strs = new StringTable();
  /** per key id: how many distinct values it has interned */
  private readonly keyValueCount: number[] = [];
  /** string id → the key id it was interned as a value of (other strings are absent) */
  readonly valueKeyOf = new Map<number, number>();

  constructor(private readonly valuesPerKey: number) {}

  /** The id of attribute value s of key keyId, interning it while the key has room; undefined: store inline. */
  valueId(keyId: number, s: string): number | undefined {
    const known = this.strs.get(s);
    if (known !== undefined) return known;
    const count = this.keyValueCount[keyId] ?? 0;
    if (s.length > MAX_INTERNED_VALUE_LENGTH || count >= this.valuesPerKey) return undefined;
    this.keyValueCount[keyId] = count + 1;
    const id = this.strs.add(s);
    this.valueKeyOf.set(id, keyId);
    return id;
  }

  /** Re-adds string s (id: the table's next) as it was first added: as a value of keyId, or (-1) not. */
  restoreString(s: string, keyId: number): void {
    const id = this.strs.add(s);
    if (keyId < 0) return;
    this.keyValueCount[keyId] = (this.keyValueCount[keyId] ?? 0) + 1;
    this.valueKeyOf.set(id, keyId);
  }

  get bytes(): number {
    return this.keys.bytes + this.strs.bytes;
  }
}
