// A sending queue's requests on disk, in the generic write-ahead log (src/wal/): an "added"
// record (id, items, the encoded request) before offer() returns, of its own kind when the body is
// gzip-compressed (so a log written before bodies could be compressed replays as it is), a "removed" record (id) once
// the request left the queue. Replay keeps the added ones never removed, in order, so a restart
// (or a kill) sends what was queued. When removed requests make up most of the log, a
// checkpoint rewrites it as the requests still held and drops the older segments.
//
// The requests are also kept in memory while queued (the queue's byte bound covers them): the
// disk is for surviving restarts, not for holding more than memory allows.
import { RecordReader, RecordWriter, WriteAheadLog, walMetricNames } from '../../wal/index.js';
import type { QueuedRequest } from './queue.js';
import type { QueueStore, StoredRequest } from './store.js';

/** record kinds: the first byte of every record */
const ADDED = 1;
const REMOVED = 2;
/** as ADDED, with a gzip-compressed body */
const ADDED_GZIPPED = 3;

export interface DiskQueueStoreOptions {
  readonly dir: string;
  /** log segment size; default 16 MiB */
  readonly segmentBytes?: number;
  /** rewrite the log once it is this many times the bytes held (and over a segment); default 2 */
  readonly compactRatio?: number;
  /** fsync interval of the log; default 1 s */
  readonly fsyncIntervalMs?: number;
}

export class DiskQueueStore implements QueueStore {
  private readonly wal: WriteAheadLog;
  private readonly held = new Map<number, QueuedRequest>();
  private heldBytes = 0;
  private nextId = 0;
  private readonly writer = new RecordWriter(64);
  private readonly segmentBytes: number;
  private readonly compactRatio: number;
  /** requests found on disk at start, and records that could not be read */
  replayed = 0;
  unreadable = 0;

  constructor(opts: DiskQueueStoreOptions) {
    this.segmentBytes = opts.segmentBytes ?? 16 * 1024 * 1024;
    this.compactRatio = opts.compactRatio ?? 2;
    this.wal = new WriteAheadLog({
      dir: opts.dir,
      segmentBytes: this.segmentBytes,
      fsyncIntervalMs: opts.fsyncIntervalMs ?? 1000,
      metrics: walMetricNames('orrery_exporter_queue'),
    });
  }

  load(): StoredRequest[] {
    this.wal.replay((record) => {
      const r = new RecordReader(record);
      const kind = r.u8();
      const id = r.uvarint();
      if (kind === ADDED || kind === ADDED_GZIPPED) {
        const items = r.uvarint();
        const body = new Uint8Array(r.bytes()); // the record is a view valid during the call only
        this.held.set(id, kind === ADDED_GZIPPED ? { body, items, gzipped: true } : { body, items });
        this.heldBytes += body.length;
      } else if (kind === REMOVED) {
        const gone = this.held.get(id);
        if (gone) this.heldBytes -= gone.body.length;
        this.held.delete(id);
      } else {
        this.unreadable++;
      }
      if (id >= this.nextId) this.nextId = id + 1;
    });
    this.wal.start();
    this.replayed = this.held.size;
    return [...this.held].sort((a, b) => a[0] - b[0]).map(([id, request]) => ({ id, request }));
  }

  add(request: QueuedRequest): StoredRequest {
    const id = this.nextId++;
    this.wal.append(
      this.writer.reset().u8(addedKind(request)).uvarint(id).uvarint(request.items).bytes(request.body).view(),
    );
    this.held.set(id, request);
    this.heldBytes += request.body.length;
    return { id, request };
  }

  remove(stored: StoredRequest): void {
    if (!this.held.delete(stored.id)) return;
    this.heldBytes -= stored.request.body.length;
    try {
      this.wal.append(this.writer.reset().u8(REMOVED).uvarint(stored.id).view());
    } catch {
      // the write failed: after a restart the request is sent again, a duplicate but nothing lost
    }
    this.compactIfWorthIt();
  }

  private compactIfWorthIt(): void {
    const size = this.wal.sizeBytes();
    if (size < this.segmentBytes || size < this.compactRatio * this.heldBytes) return;
    this.wal.checkpoint((sink) => {
      for (const [id, r] of [...this.held].sort((a, b) => a[0] - b[0])) {
        sink.append(
          new RecordWriter(r.body.length + 16).u8(addedKind(r)).uvarint(id).uvarint(r.items).bytes(r.body).finish(),
        );
      }
    });
  }

  /** bytes of the log on disk */
  sizeBytes(): number {
    return this.wal.sizeBytes();
  }

  close(): void {
    this.wal.shutdown();
  }
}

const addedKind = (request: QueuedRequest): number => (request.gzipped === true ? ADDED_GZIPPED : ADDED);
