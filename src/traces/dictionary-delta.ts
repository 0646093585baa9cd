// What the stored records refer to by id, as it grows: attribute keys, interned strings (with
// the key each was interned as a value of, so the per-key limit is restored too) and origins.
// Every entry is appended with the next id, so a delta is "entries from id n on" per table,
// and applying deltas in order rebuilds the same ids. A delta that overlaps what is already
// known is applied from where it goes beyond; one that leaves a gap cannot be applied.
import type { Catalogue } from './catalogue.js';
import type { Dictionary } from './intern.js';
import { originFromJson, originToJson, type OriginJson } from './value-json.js';

export interface DictionaryDelta {
  /** first key id, keys */
  readonly k: readonly [number, readonly string[]];
  /** first string id, [string, key id it is a value of or -1] */
  readonly s: readonly [number, readonly (readonly [string, number])[]];
  /** first origin id, origins */
  readonly o: readonly [number, readonly OriginJson[]];
}

/** How far a delta has been taken: the sizes of the three tables. */
export interface DictionaryMark {
  readonly keys: number;
  readonly strs: number;
  readonly origins: number;
}

export const EMPTY_MARK: DictionaryMark = { keys: 0, strs: 0, origins: 0 };

export function markOf(dict: Dictionary, catalogue: Catalogue): DictionaryMark {
  return { keys: dict.keys.size, strs: dict.strs.size, origins: catalogue.origins.length };
}

/** The entries added since `from`, or undefined when there are none. */
export function deltaSince(dict: Dictionary, catalogue: Catalogue, from: DictionaryMark): DictionaryDelta | undefined {
  const to = markOf(dict, catalogue);
  if (to.keys === from.keys && to.strs === from.strs && to.origins === from.origins) return undefined;
  const strs: [string, number][] = [];
  for (let id = from.strs; id < to.strs; id++) strs.push([dict.strs.strings[id]!, dict.valueKeyOf.get(id) ?? -1]);
  const origins: OriginJson[] = [];
  for (let id = from.origins; id < to.origins; id++) {
    const o = catalogue.origins[id]!;
    origins.push(originToJson(o.resource, o.scope));
  }
  return {
    k: [from.keys, dict.keys.strings.slice(from.keys, to.keys)],
    s: [from.strs, strs],
    o: [from.origins, origins],
  };
}

/**
 * Applies a delta (parsed from a log, so checked as it goes); returns false, leaving what could
 * be applied, when it is malformed or starts beyond what is known.
 */
export function applyDelta(dict: Dictionary, catalogue: Catalogue, delta: unknown): boolean {
  if (typeof delta !== 'object' || delta === null) return false;
  const d = delta as Record<string, unknown>;
  const keys = tableOf(d.k);
  const strs = tableOf(d.s);
  const origins = tableOf(d.o);
  if (!keys || !strs || !origins) return false;
  // strings first: origins intern their service names, which the string table must hold already
  if (keys[0] > dict.keys.size || strs[0] > dict.strs.size) return false;
  for (let i = dict.keys.size - keys[0]; i < keys[1].length; i++) {
    const k = keys[1][i];
    if (typeof k !== 'string') return false;
    dict.keys.add(k);
  }
  for (let i = dict.strs.size - strs[0]; i < strs[1].length; i++) {
    const e = strs[1][i];
    if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number') return false;
    dict.restoreString(e[0], e[1]);
  }
  if (origins[0] > catalogue.origins.length) return false;
  for (let i = catalogue.origins.length - origins[0]; i < origins[1].length; i++) {
    const { resource, scope } = originFromJson(origins[1][i]);
    const want = origins[0] + i;
    if (catalogue.restoreOrigin(resource, scope).id !== want) return false;
  }
  return true;
}

function tableOf(x: unknown): [number, unknown[]] | undefined {
  if (!Array.isArray(x) || typeof x[0] !== 'number' || !Array.isArray(x[1])) return undefined;
  return [x[0], x[1] as unknown[]];
}
