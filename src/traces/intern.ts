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

/**
 * A cheap hash of a string from its length and eight of its characters (ends, quarters, middle):
 * a few character reads where a Map lookup first hashes every character of a freshly decoded
 * string. Good enough to spread ids, names and values; a collision only costs a Map lookup.
 */
function sampleHash(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const q = n >> 2;
  let h = Math.imul(n ^ s.charCodeAt(0), 0x9e3779b1);
  h = Math.imul(h ^ s.charCodeAt(n - 1), 0x85ebca6b);
  h = Math.imul(h ^ s.charCodeAt(n >> 1), 0xc2b2ae35);
  h = Math.imul(h ^ s.charCodeAt(q), 0x27d4eb2f);
  h = Math.imul(h ^ s.charCodeAt(n - 1 - q), 0x165667b1);
  if (n > 3) {
    h = Math.imul(h ^ s.charCodeAt(n - 2), 0x85ebca6b);
    h = Math.imul(h ^ s.charCodeAt(n - 3), 0xc2b2ae35);
    h = Math.imul(h ^ s.charCodeAt(1), 0x27d4eb2f);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

/** A string's second Bloom filter bit (the first is h & mask). */
function secondBit(h: number, mask: number): number {
  return ((h >>> 11) ^ Math.imul(h, 0x5bd1e995)) & mask;
}

/** Bloom filter bits per string held, and the smallest filter (bits). */
const BLOOM_BITS_PER_STRING = 8;
const MIN_BLOOM_BITS = 1 << 15;

/**
 * An append-only string table: id ↔ string, with each string's hash cached. Most lookups are of
 * strings just decoded from a request, which carry no hash yet: the repeating ones (keys, names,
 * low-cardinality values) are found in a direct-mapped cache by sampleHash, and the unique ones
 * (request, user, order ids: most values) are ruled out by a Bloom filter over sampleHash, so
 * neither pays for hashing the whole string in the Map.
 */
export class StringTable {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];
  readonly hashes: number[] = [];
  /** estimated bytes held (string bodies, map entries, array slots) */
  bytes = 0;
  /** the cache: per slot, a held string's id (-1: empty); the string is strings[id] */
  private readonly cacheIds: Int32Array;
  private readonly cacheMask: number;
  /** sampleHash of every string held, two bits each */
  private bloom = new Uint32Array(MIN_BLOOM_BITS >>> 5);
  private bloomMask = MIN_BLOOM_BITS - 1;

  /** cacheSlots: a power of two, about the number of strings that repeat */
  constructor(cacheSlots = 1024) {
    this.cacheIds = new Int32Array(cacheSlots).fill(-1);
    this.cacheMask = cacheSlots - 1;
  }

  intern(s: string): number {
    let id = this.get(s);
    if (id === undefined) id = this.add(s);
    return id;
  }

  add(s: string): number {
    const id = this.strings.length;
    this.ids.set(s, id);
    this.strings.push(s);
    this.hashes.push(hashString(s));
    // one-byte string body + header, a Map entry with its share of buckets, two array slots, a
    // byte of Bloom filter
    this.bytes += s.length + 24 + 40 + 16 + 1;
    if (this.strings.length * BLOOM_BITS_PER_STRING > this.bloomMask + 1) this.growBloom();
    else this.setBloom(sampleHash(s));
    return id;
  }

  get(s: string): number | undefined {
    const h = sampleHash(s);
    const slot = h & this.cacheMask;
    const cached = this.cacheIds[slot]!;
    if (cached >= 0 && this.strings[cached] === s) return cached;
    const bloom = this.bloom;
    const mask = this.bloomMask;
    const b1 = h & mask;
    const b2 = secondBit(h, mask);
    if ((bloom[b1 >>> 5]! & (1 << (b1 & 31))) === 0 || (bloom[b2 >>> 5]! & (1 << (b2 & 31))) === 0) return undefined;
    const id = this.ids.get(s);
    if (id !== undefined) this.cacheIds[slot] = id;
    return id;
  }

  get size(): number {
    return this.strings.length;
  }

  private setBloom(h: number): void {
    const bloom = this.bloom;
    const mask = this.bloomMask;
    const b1 = h & mask;
    const b2 = secondBit(h, mask);
    bloom[b1 >>> 5] = bloom[b1 >>> 5]! | (1 << (b1 & 31));
    bloom[b2 >>> 5] = bloom[b2 >>> 5]! | (1 << (b2 & 31));
  }

  /** Doubles the filter (keeping it at about BLOOM_BITS_PER_STRING bits a string) and refills it. */
  private growBloom(): void {
    const bits = (this.bloomMask + 1) * 2;
    this.bloom = new Uint32Array(bits >>> 5);
    this.bloomMask = bits - 1;
    for (const s of this.strings) this.setBloom(sampleHash(s));
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
  readonly keys = new StringTable(256);
  readonly strs = new StringTable(4096);
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
