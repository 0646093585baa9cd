// The deliberate memory leak of the scenario (shared/spec/scenario.md "The leak"), as pure logic so
// it can be tested without processes: a process-global list of product IDs that grows about 1.25x
// on every cache miss and is never de-duplicated or evicted, and a lookup that pays a set
// difference over the whole list on every request.
import type { AttributeValue } from '@opentelemetry/api';
import { LEAK } from '../../../src/names/contract.js';

const CHUNK_BITS = 20;
const CHUNK_SIZE = 1 << CHUNK_BITS; // 1 Mi entries, 8 MiB of pointers per chunk

/**
 * An append-only list of strings in fixed-size chunks. One JS array cannot pass about 2^27
 * elements (a RangeError, not an out-of-memory death), and doubling one giant array would need
 * old + new backing stores at once; chunks make the heap grow smoothly until the heap limit, which
 * is how the leak must end.
 */
export class ChunkedList implements Iterable<string> {
  private readonly chunks: string[][] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: string): void {
    const slot = this.size & (CHUNK_SIZE - 1);
    if (slot === 0) this.chunks.push([]);
    this.chunks[this.chunks.length - 1]![slot] = value;
    this.size++;
  }

  at(index: number): string | undefined {
    if (index < 0 || index >= this.size) return undefined;
    return this.chunks[index >>> CHUNK_BITS]![index & (CHUNK_SIZE - 1)];
  }

  /** Appends the first `count` entries again (the leak's "first quarter of the list"). */
  appendHead(count: number): void {
    const n = Math.min(count, this.size);
    for (let i = 0; i < n; i++) this.push(this.chunks[i >>> CHUNK_BITS]![i & (CHUNK_SIZE - 1)]!);
  }

  /** Calls `fn` on every entry in order; plain loops, much faster than the iterator on big lists. */
  forEach(fn: (value: string) => void): void {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) fn(chunk[i]!);
    }
  }

  *[Symbol.iterator](): Iterator<string> {
    for (const chunk of this.chunks) yield* chunk;
  }
}

/** The recommendation service's product-ID "cache": the leak itself. */
export class LeakyProductCache {
  readonly ids = new ChunkedList();
  private firstRun = true;

  constructor(private readonly random: () => number = Math.random) {}

  /** A miss on the first flagged request and on a random half of the later ones. */
  nextIsMiss(): boolean {
    if (this.firstRun || this.random() < 0.5) {
      this.firstRun = false;
      return true;
    }
    return false;
  }

  /** Appends the fetched IDs, then the first quarter of the whole list again: ~1.25x per miss. */
  refill(fetched: readonly string[]): void {
    for (const id of fetched) this.ids.push(id);
    this.ids.appendHead(Math.floor(this.ids.length / 4));
  }
}

/** What one lookup in the cache found, for the service's log record. */
export interface CacheLookup {
  readonly hit: boolean;
  /** IDs fetched from the catalogue (0 on a hit) */
  readonly fetched: number;
  /** the cache's length after the lookup: the span's app.products.count */
  readonly productsCount: number;
}

/** Where the lookup gets its inputs: the flag, the catalogue and the cache. */
export interface ProductListSource {
  cacheEnabled(): Promise<boolean>;
  listProductIds(): Promise<string[]>;
  readonly cache: LeakyProductCache;
  readonly random?: () => number;
  /** told of every lookup in the cache, inside the caller's active span */
  readonly onCacheLookup?: (lookup: CacheLookup) => void;
}

/** The part of a span this logic needs (a real Span in the service, a recorder in tests). */
export interface AttributeSink {
  setAttribute(key: string, value: AttributeValue): unknown;
}

export const MAX_RECOMMENDATIONS = 5;

/**
 * The body of the `get_product_list` span: which product IDs to recommend for a request that
 * names `requestedIds`, with the span attributes of the demo's recommendation service.
 */
export async function getProductList(
  span: AttributeSink,
  requestedIds: readonly string[],
  source: ProductListSource,
): Promise<string[]> {
  let productIds: ChunkedList | readonly string[];
  let count: number;
  if (await source.cacheEnabled()) {
    span.setAttribute(LEAK.cacheEnabled, true);
    const hit = !source.cache.nextIsMiss();
    span.setAttribute(LEAK.cacheHit, hit);
    let fetched = 0;
    if (!hit) {
      const ids = await source.listProductIds();
      fetched = ids.length;
      source.cache.refill(ids);
    }
    productIds = source.cache.ids;
    count = source.cache.ids.length;
    source.onCacheLookup?.({ hit, fetched, productsCount: count });
  } else {
    span.setAttribute(LEAK.cacheEnabled, false);
    const fetched = await source.listProductIds();
    productIds = fetched;
    count = fetched.length;
  }
  span.setAttribute(LEAK.productsCount, count);

  // The set difference walks the whole list: with the leak on, this is where CPU and latency go.
  const remaining = new Set<string>();
  productIds.forEach((id) => remaining.add(id));
  for (const id of requestedIds) remaining.delete(id);
  const filtered = [...remaining];
  span.setAttribute(LEAK.filteredCount, filtered.length);

  const picked = sample(filtered, MAX_RECOMMENDATIONS, source.random ?? Math.random);
  span.setAttribute(LEAK.filteredList, picked);
  return picked;
}

/** Up to `n` distinct entries in random order (a partial Fisher-Yates shuffle of a copy). */
export function sample<T>(items: readonly T[], n: number, random: () => number = Math.random): T[] {
  const pool = [...items];
  const k = Math.min(n, pool.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}
