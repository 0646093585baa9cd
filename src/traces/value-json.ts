// Attribute values, resources and scopes as plain JSON, exactly (a bigint, NaN, bytes and the
// kind of every value survive), for what the trace store writes to its data directory besides
// the record words: complex values, origins. Each value is a one-key object naming its kind.
// Reading is defensive: the files are checksummed, but a value that is not what was written
// reads as empty rather than throwing deep inside a load.
import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../otlp/model.js';

export type ValueJson =
  | { s: string }
  | { b: boolean }
  | { i: number | string }
  | { d: number | string }
  | { y: string }
  | { a: ValueJson[] }
  | { k: [string, ValueJson][] }
  | { e: 1 };

export function valueToJson(v: AnyValue): ValueJson {
  switch (v.kind) {
    case 'string':
      return { s: v.value };
    case 'bool':
      return { b: v.value };
    case 'int':
      return { i: typeof v.value === 'bigint' ? v.value.toString() : v.value };
    case 'double':
      // JSON has no NaN or infinities: those go as text
      return { d: Number.isFinite(v.value) ? v.value : String(v.value) };
    case 'bytes':
      return { y: Buffer.from(v.value).toString('base64') };
    case 'array':
      return { a: v.value.map(valueToJson) };
    case 'kvlist':
      return { k: v.value.map((kv) => [kv.key, valueToJson(kv.value)]) };
    case 'empty':
      return { e: 1 };
  }
}

const EMPTY: AnyValue = { kind: 'empty' };

export function valueFromJson(j: unknown, depth = 0): AnyValue {
  if (typeof j !== 'object' || j === null || depth > 64) return EMPTY;
  const o = j as Record<string, unknown>;
  if (typeof o.s === 'string') return { kind: 'string', value: o.s };
  if (typeof o.b === 'boolean') return { kind: 'bool', value: o.b };
  if (typeof o.i === 'number') return { kind: 'int', value: o.i };
  if (typeof o.i === 'string' && /^-?\d+$/.test(o.i)) return { kind: 'int', value: BigInt(o.i) };
  if (typeof o.d === 'number') return { kind: 'double', value: o.d };
  if (typeof o.d === 'string') return { kind: 'double', value: Number(o.d) };
  if (typeof o.y === 'string') return { kind: 'bytes', value: new Uint8Array(Buffer.from(o.y, 'base64')) };
  if (Array.isArray(o.a)) return { kind: 'array', value: o.a.map((x) => valueFromJson(x, depth + 1)) };
  if (Array.isArray(o.k)) return { kind: 'kvlist', value: attributesFromJson(o.k, depth + 1) };
  return EMPTY;
}

export function attributesToJson(attrs: readonly KeyValue[]): [string, ValueJson][] {
  return attrs.map((kv) => [kv.key, valueToJson(kv.value)]);
}

export function attributesFromJson(j: unknown, depth = 0): KeyValue[] {
  if (!Array.isArray(j)) return [];
  const out: KeyValue[] = [];
  for (const e of j as unknown[]) {
    if (Array.isArray(e) && typeof e[0] === 'string') out.push({ key: e[0], value: valueFromJson(e[1], depth) });
  }
  return out;
}

/** A resource and scope pair (an origin of spans) as JSON. */
export interface OriginJson {
  readonly r: [string, ValueJson][];
  readonly rd: number;
  readonly n: string;
  readonly v: string;
  readonly sa: [string, ValueJson][];
}

export function originToJson(resource: Resource, scope: InstrumentationScope): OriginJson {
  return {
    r: attributesToJson(resource.attributes),
    rd: resource.droppedAttributesCount,
    n: scope.name,
    v: scope.version,
    sa: attributesToJson(scope.attributes),
  };
}

export function originFromJson(j: unknown): { resource: Resource; scope: InstrumentationScope } {
  const o = (typeof j === 'object' && j !== null ? j : {}) as Record<string, unknown>;
  return {
    resource: { attributes: attributesFromJson(o.r), droppedAttributesCount: typeof o.rd === 'number' ? o.rd : 0 },
    scope: {
      name: typeof o.n === 'string' ? o.n : '',
      version: typeof o.v === 'string' ? o.v : '',
      attributes: attributesFromJson(o.sa),
    },
  };
}
