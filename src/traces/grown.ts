// Growing the store's typed-array columns: a new array of the larger capacity holding the old
// contents (typed arrays cannot grow in place).

export function grown(a: Float64Array, cap: number): Float64Array<ArrayBuffer>;
export function grown(a: Uint32Array, cap: number): Uint32Array<ArrayBuffer>;
export function grown(
  a: Float64Array | Uint32Array,
  cap: number,
): Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer> {
  const next = a instanceof Float64Array ? new Float64Array(cap) : new Uint32Array(cap);
  next.set(a);
  return next;
}
