// Column buffers that selections decode into: times, values (with the 32-bit view of the values'
// words that the XOR decoders write) and staleness flags. A scan decodes series after series into
// one set and reuses it, growing it for the longest series.

export class SampleColumns {
  t = new Float64Array(0);
  v = new Float64Array(0);
  vWords = new Uint32Array(0);
  stale = new Uint8Array(0);

  /** Room for at least n samples from index 0; what the buffers held is not kept when they grow. */
  reserve(n: number): void {
    if (this.t.length >= n) return;
    const size = Math.max(n, 2 * this.t.length, 1024);
    this.t = new Float64Array(size);
    this.v = new Float64Array(size);
    this.vWords = new Uint32Array(this.v.buffer);
    this.stale = new Uint8Array(size);
  }
}
