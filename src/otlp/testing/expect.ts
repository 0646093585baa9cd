// The model values the decoders should produce for SDK attribute values, following the
// exporter's own mapping (integers → intValue, other numbers → doubleValue, Uint8Array → bytes,
// arrays → arrayValue, plain objects → kvlistValue).
import type { AnyValue, KeyValue } from '../model.js';

export function expectedAnyValue(v: unknown): AnyValue {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'double', value: v };
  if (v instanceof Uint8Array) return { kind: 'bytes', value: new Uint8Array(v) };
  if (Array.isArray(v)) return { kind: 'array', value: v.map(expectedAnyValue) };
  if (v !== null && typeof v === 'object')
    return { kind: 'kvlist', value: expectedAttributes(v as Record<string, unknown>) };
  return { kind: 'empty' };
}

export function expectedAttributes(attrs: Record<string, unknown> | undefined): KeyValue[] {
  return Object.entries(attrs ?? {}).map(([key, value]) => ({ key, value: expectedAnyValue(value) }));
}
