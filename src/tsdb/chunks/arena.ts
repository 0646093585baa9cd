// Closed (immutable) chunks live packed in large pages instead of one Uint8Array each: a typed
// array costs ~150 bytes of object overhead, as much as a whole 120-sample chunk of a regular
// counter. Chunks are written in time order, so the pages of old data empty out together under
// time-based retention and are then released whole. A later on-disk block format can take these
// immutable chunks as they are.

export const PAGE_BYTES = 64 * 1024;

export class ChunkArena {
  private readonly pages: (Uint8Array | null)[] = [];
  private readonly live: number[] = [];
  private cur = -1;
  private pos = PAGE_BYTES;
  private liveBytes = 0;

  /** Copies `bytes` in and returns its location (page * PAGE_BYTES + offset). */
  store(bytes: Uint8Array): number {
    const len = bytes.length;
    if (len > PAGE_BYTES) throw new Error(`chunk of ${len} bytes exceeds the page size`);
    if (this.pos + len > PAGE_BYTES) this.newPage();
    const page = this.pages[this.cur]!;
    page.set(bytes, this.pos);
    const loc = this.cur * PAGE_BYTES + this.pos;
    this.pos += len;
    this.live[this.cur]! += len;
    this.liveBytes += len;
    return loc;
  }

  private newPage(): void {
    // Reuse a released slot so the page table does not grow forever under retention.
    let idx = this.pages.indexOf(null);
    if (idx < 0) idx = this.pages.length;
    this.pages[idx] = new Uint8Array(PAGE_BYTES);
    this.live[idx] = 0;
    this.cur = idx;
    this.pos = 0;
  }

  /** A view of a stored chunk. */
  view(loc: number, len: number): Uint8Array {
    const page = Math.floor(loc / PAGE_BYTES);
    const off = loc - page * PAGE_BYTES;
    return this.pages[page]!.subarray(off, off + len);
  }

  /** The page holding a location, and the offset in it (for decoding without a view object). */
  page(loc: number): Uint8Array {
    return this.pages[Math.floor(loc / PAGE_BYTES)]!;
  }

  static offset(loc: number): number {
    return loc % PAGE_BYTES;
  }

  /** Marks a chunk dead; a page whose chunks are all dead is released. */
  release(loc: number, len: number): void {
    const page = Math.floor(loc / PAGE_BYTES);
    this.live[page]! -= len;
    this.liveBytes -= len;
    if (this.live[page] === 0 && page !== this.cur) this.pages[page] = null;
  }

  /** Bytes of pages held (what the arena costs). */
  allocatedBytes(): number {
    let n = 0;
    for (const p of this.pages) if (p) n += p.length;
    return n;
  }

  /** Bytes of live chunks. */
  usedBytes(): number {
    return this.liveBytes;
  }
}
