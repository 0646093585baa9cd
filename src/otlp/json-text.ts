// JSON text of a plain value that may hold bigints (int64 attribute values beyond 2^53), written
// as exact integer literals: JSON.stringify refuses bigints, and a number would be rounded.
// Values without bigints (nearly all) take JSON.stringify's native path unchanged.

/** JSON.stringify(value), except that bigints are written as integer literals with every digit. */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    // only a bigint makes JSON.stringify throw a TypeError on the plain, acyclic data written here
    if (!(err instanceof TypeError)) throw err;
  }
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(value: unknown, out: string[]): void {
  if (typeof value === 'bigint') {
    out.push(value.toString());
    return;
  }
  if (value === null || typeof value !== 'object') {
    // strings, numbers (NaN and infinities as null), booleans, null; anything unwritable as null
    out.push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const el: unknown = value[i];
      if (el === undefined || typeof el === 'function') out.push('null');
      else write(el, out);
    }
    out.push(']');
    return;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    write((value as { toJSON: () => unknown }).toJSON(), out);
    return;
  }
  out.push('{');
  let first = true;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function') continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(k), ':');
    write(v, out);
  }
  out.push('}');
}
