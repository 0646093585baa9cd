// Where a sending queue keeps its requests: in memory (lost on restart), or on disk under
// --data-dir (disk-store.ts), so that a restart sends what was queued before it.
import type { QueuedRequest } from './queue.js';

export interface StoredRequest {
  readonly request: QueuedRequest;
  /** the store's own handle for remove() */
  readonly id: number;
}

export interface QueueStore {
  /** what an earlier run left undelivered, oldest first (called once, at start) */
  load(): Promise<StoredRequest[]> | StoredRequest[];
  /** keeps a request until remove(); on disk it is written before this returns */
  add(request: QueuedRequest): StoredRequest;
  /** the request left the queue (delivered or refused for good) */
  remove(stored: StoredRequest): void;
  close(): Promise<void> | void;
}

export class MemoryQueueStore implements QueueStore {
  private nextId = 0;

  load(): StoredRequest[] {
    return [];
  }

  add(request: QueuedRequest): StoredRequest {
    return { request, id: this.nextId++ };
  }

  remove(): void {}

  close(): void {}
}
