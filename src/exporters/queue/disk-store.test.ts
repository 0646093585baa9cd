import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordWriter, WriteAheadLog, walMetricNames } from '../../wal/index.js';
import { DiskQueueStore } from './disk-store.js';
import { SendingQueue, type SendOutcome } from './queue.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'orrery-queue-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const body = (n: number, len = 100) => new Uint8Array(len).fill(n);

describe('DiskQueueStore', () => {
  it('what was added and not removed is there after a restart, in order, byte for byte', () => {
    const dir = tempDir();
    const a = new DiskQueueStore({ dir });
    expect(a.load()).toEqual([]);
    const s1 = a.add({ body: body(1), items: 1 });
    a.add({ body: body(2), items: 2 });
    a.add({ body: body(3), items: 3 });
    a.remove(s1);
    a.close();

    const b = new DiskQueueStore({ dir });
    const loaded = b.load();
    expect(loaded.map((s) => s.request.items)).toEqual([2, 3]);
    expect(loaded[0]!.request.body).toEqual(body(2));
    const s4 = b.add({ body: body(4), items: 4 });
    expect(s4.id).toBeGreaterThan(loaded[1]!.id); // ids never reused, so order survives restarts
    b.close();
    expect(new DiskQueueStore({ dir }).load().map((s) => s.request.items)).toEqual([2, 3, 4]);
  });

  it('a gzip body is marked so across restarts and checkpoints, and a log from before the mark replays as plain', () => {
    const dir = tempDir();
    // the layout every "added" record had before gzip bodies: kind 1, id, items, body
    const old = new WriteAheadLog({ dir, segmentBytes: 1 << 20, metrics: walMetricNames('t') });
    old.replay(() => {});
    old.start();
    old.append(new RecordWriter(64).u8(1).uvarint(0).uvarint(7).bytes(body(7)).finish());
    old.shutdown();

    const a = new DiskQueueStore({ dir, segmentBytes: 64 * 1024 });
    const loaded = a.load();
    expect(loaded.map((s) => s.request)).toEqual([{ body: body(7), items: 7 }]);
    a.add({ body: body(8), items: 8, gzipped: true });
    // enough added and removed for a checkpoint, which writes the held requests again
    for (let i = 0; i < 200; i++) a.remove(a.add({ body: body(1, 1000), items: 1 }));
    expect(a.sizeBytes()).toBeLessThan(100_000); // 200 kB written: it was rewritten
    a.close();

    const b = new DiskQueueStore({ dir });
    expect(b.load().map((s) => s.request)).toEqual([
      { body: body(7), items: 7 },
      { body: body(8), items: 8, gzipped: true },
    ]);
    b.close();
  });

  it('the log is rewritten as what is still held, so a long run with a small queue stays small on disk', () => {
    const dir = tempDir();
    const store = new DiskQueueStore({ dir, segmentBytes: 64 * 1024 });
    store.load();
    let last;
    for (let i = 0; i < 2000; i++) {
      const s = store.add({ body: body(i % 250, 1000), items: 1 });
      if (last) store.remove(last);
      last = s;
    }
    expect(store.sizeBytes()).toBeLessThan(4 * 64 * 1024);
    store.close();
    const again = new DiskQueueStore({ dir });
    const loaded = again.load();
    expect(loaded).toHaveLength(1);
    expect(loaded[0]!.request.body).toEqual(body(1999 % 250, 1000));
    again.close();
  });

  it('a sending queue on disk: stopped while the upstream is down, started again, it delivers everything once', async () => {
    const dir = tempDir();
    const down = new SendingQueue({
      name: 't',
      store: new DiskQueueStore({ dir }),
      backoff: { initialMs: 5, jitter: 0 },
      send: () => Promise.resolve<SendOutcome>({ kind: 'retry', reason: 'ECONNREFUSED' }),
    });
    await down.start();
    for (let i = 1; i <= 5; i++) down.offer({ body: body(i), items: i });
    await new Promise((r) => setTimeout(r, 20));
    await down.shutdown();

    const got: number[] = [];
    const up = new SendingQueue({
      name: 't',
      store: new DiskQueueStore({ dir }),
      send: (r) => {
        got.push(r.items);
        return Promise.resolve<SendOutcome>({ kind: 'delivered' });
      },
    });
    await up.start();
    await up.idle();
    await up.shutdown();
    expect(got).toEqual([1, 2, 3, 4, 5]);
    const after = new DiskQueueStore({ dir });
    expect(after.load()).toEqual([]);
    after.close();
  });
});
