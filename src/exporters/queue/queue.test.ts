import { afterEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../consumer/consumer.js';
import { SendingQueue, type QueuedRequest, type SendOutcome, type SendingQueueOptions } from './queue.js';
import type { QueueStore, StoredRequest } from './store.js';

const req = (n: number, bytes = 10): QueuedRequest => ({ body: new Uint8Array(bytes).fill(n), items: n });
const fast = { initialMs: 5, maxMs: 20, jitter: 0 };
const queues: SendingQueue[] = [];

function queue(opts: Partial<SendingQueueOptions> & Pick<SendingQueueOptions, 'send'>): SendingQueue {
  const q = new SendingQueue({ name: 'test', backoff: fast, onPermanentFailure: () => {}, ...opts });
  queues.push(q);
  return q;
}

afterEach(async () => {
  for (const q of queues.splice(0)) await q.shutdown();
});

describe('SendingQueue', () => {
  it('sends requests in the order they came, one at a time by default', async () => {
    const sent: number[] = [];
    const q = queue({
      send: async (r) => {
        sent.push(r.items);
        await new Promise((res) => setTimeout(res, 1));
        return { kind: 'delivered' };
      },
    });
    await q.start();
    for (let i = 1; i <= 5; i++) expect(q.offer(req(i))).toBeUndefined();
    await q.idle();
    expect(sent).toEqual([1, 2, 3, 4, 5]);
    expect(q.sentItems).toBe(15);
    expect(q.size).toBe(0);
    expect(q.bytes).toBe(0);
  });

  it('retries a failing request with growing waits until it is delivered, counting the retries', async () => {
    const at: number[] = [];
    const q = queue({
      backoff: { initialMs: 10, multiplier: 2, maxMs: 1000, jitter: 0 },
      send: () => {
        at.push(Date.now());
        return Promise.resolve<SendOutcome>(
          at.length < 4 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'delivered' },
        );
      },
    });
    await q.start();
    q.offer(req(3));
    await q.idle();
    expect(at).toHaveLength(4);
    const waits = at.slice(1).map((t, i) => t - at[i]!);
    expect(waits[0]).toBeGreaterThanOrEqual(9);
    expect(waits[2]).toBeGreaterThanOrEqual(35); // 10, 20, 40
    expect(q.retriedItems).toBe(9);
    expect(q.sentItems).toBe(3);
    expect(q.lastError).toBe('');
  });

  it('waits what the upstream asked (Retry-After) instead of its own backoff', async () => {
    const at: number[] = [];
    const q = queue({
      backoff: { initialMs: 1, jitter: 0 },
      send: () => {
        at.push(Date.now());
        return Promise.resolve<SendOutcome>(
          at.length === 1 ? { kind: 'retry', reason: 'HTTP 429', retryAfterMs: 120 } : { kind: 'delivered' },
        );
      },
    });
    await q.start();
    q.offer(req(1));
    await q.idle();
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(115);
    expect(q.delay(0, 10 * 60_000)).toBe(60_000); // a huge Retry-After is capped
  });

  it('a thrown error (connection reset) is retried; a permanent failure is dropped once and counted', async () => {
    const reasons: string[] = [];
    let calls = 0;
    const q = queue({
      onPermanentFailure: (reason) => reasons.push(reason),
      send: (r) => {
        calls++;
        if (r.items === 1 && calls === 1) return Promise.reject(new Error('socket hang up'));
        if (r.items === 2) return Promise.resolve<SendOutcome>({ kind: 'permanent', reason: 'HTTP 400: bad' });
        return Promise.resolve<SendOutcome>({ kind: 'delivered' });
      },
    });
    await q.start();
    q.offer(req(1));
    q.offer(req(2));
    await q.idle();
    expect(calls).toBe(3);
    expect(q.sentItems).toBe(1);
    expect(q.failedItems).toBe(2);
    expect(reasons).toEqual(['HTTP 400: bad']);
  });

  it('with maxElapsedMs: a request whose error may be permanent, still failing that long after the first such answer, is dropped, counted and reported', async () => {
    const dropped: string[] = [];
    let attempts = 0;
    const q = queue({
      backoff: { ...fast, maxElapsedMs: 60 },
      onPermanentFailure: (reason, r) => dropped.push(`${r.items}: ${reason}`),
      send: () => {
        attempts++;
        return Promise.resolve<SendOutcome>({ kind: 'retry', reason: 'HTTP 500', mayBePermanent: true });
      },
    });
    await q.start();
    q.offer(req(2));
    await q.idle();
    expect(attempts).toBeGreaterThan(2);
    expect(q.failedItems).toBe(2);
    expect(q.sentItems).toBe(0);
    expect(q.size).toBe(0);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/^2: still failing after \d+ attempts in \d+ms \(the retry limit is 60ms\): HTTP 500$/);
  });

  it('with maxElapsedMs: a Retry-After reaching past the limit of a doubtful error gives up at once instead of waiting', async () => {
    let attempts = 0;
    const q = queue({
      backoff: { ...fast, maxElapsedMs: 1000 },
      send: () => {
        attempts++;
        return Promise.resolve<SendOutcome>({
          kind: 'retry',
          reason: 'HTTP 500',
          retryAfterMs: 5000,
          mayBePermanent: true,
        });
      },
    });
    await q.start();
    const t0 = Date.now();
    q.offer(req(1));
    await q.idle();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(attempts).toBe(1);
    expect(q.failedItems).toBe(1);
  });

  it('with maxElapsedMs: an upstream that is down or overloaded (503) for longer than the limit loses nothing', async () => {
    let attempts = 0;
    const t0 = Date.now();
    const q = queue({
      backoff: { ...fast, maxElapsedMs: 50 },
      send: () => {
        attempts++;
        return Promise.resolve<SendOutcome>(
          Date.now() - t0 < 200 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'delivered' },
        );
      },
    });
    await q.start();
    q.offer(req(3));
    await q.idle();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(attempts).toBeGreaterThan(2);
    expect(q.sentItems).toBe(3);
    expect(q.failedItems).toBe(0);
  });

  it('without maxElapsedMs (or 0) a failing request is retried for as long as it takes', async () => {
    for (const backoff of [fast, { ...fast, maxElapsedMs: 0 }]) {
      let attempts = 0;
      const q = queue({
        backoff,
        send: () =>
          Promise.resolve<SendOutcome>(++attempts < 12 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'delivered' }),
      });
      expect(q.maxElapsedMs).toBe(Infinity);
      await q.start();
      q.offer(req(1));
      await q.idle();
      expect(attempts).toBe(12);
      expect(q.sentItems).toBe(1);
      expect(q.failedItems).toBe(0);
    }
  });

  it('full (by requests or by bytes): refuses as unavailable with Retry-After, and takes more once drained', async () => {
    let open = false;
    const q = queue({
      capacity: 3,
      capacityBytes: 100,
      refusalRetryAfterSeconds: 7,
      send: () =>
        Promise.resolve<SendOutcome>(open ? { kind: 'delivered' } : { kind: 'retry', reason: 'connect ECONNREFUSED' }),
    });
    await q.start();
    expect(q.offer(req(1))).toBeUndefined();
    expect(q.offer(req(2))).toBeUndefined();
    const tooBig = q.offer(req(3, 90));
    expect(tooBig).toBeInstanceOf(RefusedError);
    expect(q.offer(req(3))).toBeUndefined();
    const full = q.offer(req(4));
    expect(full).toBeInstanceOf(RefusedError);
    expect(full!.kind).toBe('unavailable');
    expect(full!.retryAfterSeconds).toBe(7);
    await new Promise((r) => setTimeout(r, 30));
    expect(q.offer(req(4))!.message).toMatch(/full .*ECONNREFUSED/);
    expect(q.size).toBe(3);
    expect(q.bytes).toBe(30);
    expect(q.refusedOffers).toBe(3);
    open = true;
    await q.idle();
    expect(q.sentItems).toBe(6);
    expect(q.offer(req(4))).toBeUndefined();
    await q.idle();
  });

  it('several workers send in parallel when asked', async () => {
    let inFlight = 0;
    let most = 0;
    const q = queue({
      concurrency: 4,
      send: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        return { kind: 'delivered' };
      },
    });
    await q.start();
    for (let i = 0; i < 8; i++) q.offer(req(1));
    await q.idle();
    expect(most).toBe(4);
  });

  it('shut down while undelivered: requests stay in the store and are sent after the next start', async () => {
    const kept = new Map<number, QueuedRequest>();
    let nextId = 0;
    const store: QueueStore = {
      load: () => [...kept].map(([id, request]): StoredRequest => ({ id, request })),
      add: (request) => {
        const id = nextId++;
        kept.set(id, request);
        return { id, request };
      },
      remove: (s) => void kept.delete(s.id),
      close: () => {},
    };
    const down = queue({ store, send: () => Promise.resolve<SendOutcome>({ kind: 'retry', reason: 'down' }) });
    await down.start();
    down.offer(req(1));
    down.offer(req(2));
    await new Promise((r) => setTimeout(r, 20));
    await down.shutdown();
    expect([...kept.values()].map((r) => r.items)).toEqual([1, 2]);

    const sent: number[] = [];
    const up = queue({
      store,
      send: (r) => {
        sent.push(r.items);
        return Promise.resolve<SendOutcome>({ kind: 'delivered' });
      },
    });
    await up.start();
    expect(up.size).toBe(2);
    await up.idle();
    expect(sent).toEqual([1, 2]);
    expect(kept.size).toBe(0);
  });
});
