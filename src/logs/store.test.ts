import { describe, expect, it } from 'vitest';
import { Rejections } from '../consumer/consumer.js';
import { newMatcher } from '../labels/matcher.js';
import type { KeyValue } from '../otlp/model.js';
import { SelfMetrics } from '../selfmetrics/registry.js';
import { recordMetadata, LogStore, REFUSAL } from './store.js';
import { logsBatch } from './testdata.js';

const T0 = Date.UTC(2025, 0, 1) * 1e6;

function lines(store: LogStore, service: string): string[] {
  const out: string[] = [];
  store.scan(store.matchStreams([newMatcher('=', 'service_name', service)]), 0, Infinity, false, {}, (r) =>
    out.push(r.cursor.line),
  );
  return out;
}

function records(n: number, service = 'svc', from = 0): ReturnType<typeof logsBatch> {
  return logsBatch([
    {
      resource: { 'service.name': service },
      records: Array.from({ length: n }, (_, i) => ({
        timeNs: T0 + (from + i) * 1e6,
        body: `request ${from + i} handled in ${(i * 7) % 100} ms by worker-${i % 13}`,
        severityNumber: 9,
        traceId: (from + i).toString(16).padStart(32, '0'),
        spanId: (from + i).toString(16).padStart(16, 'a'),
        attributes: { 'http.route': `/api/items/${i % 50}`, 'app.user': `user-${(from + i) * 31}` },
      })),
    },
  ]);
}

describe('LogStore', () => {
  it('groups records into streams by stream labels and keeps line, metadata and time', () => {
    const store = new LogStore();
    store.consumeLogs(
      logsBatch([
        {
          resource: { 'service.name': 'a', 'service.namespace': 'shop', 'host.name': 'h1' },
          scope: { name: 'lib', version: '2' },
          records: [
            {
              timeNs: T0 + 5,
              body: 'hello',
              severityNumber: 17,
              severityText: 'ERROR',
              traceId: 'ab'.repeat(16),
              spanId: 'cd'.repeat(8),
              attributes: { 'user.id': 7, nested: { deep: { key: 'v' } }, ratio: 0.5 },
            },
          ],
        },
        { resource: { 'service.name': 'b' }, records: [{ timeNs: T0, body: 'other' }] },
      ]),
    );
    expect(store.stats()).toMatchObject({ streams: 2, records: 2 });
    const [s] = store.matchStreams([newMatcher('=', 'service_name', 'a')]);
    expect(s!.labels).toEqual([
      { name: 'service_name', value: 'a' },
      { name: 'service_namespace', value: 'shop' },
    ]);
    const got: { time: number; line: string; md: Record<string, string> }[] = [];
    store.scan([s!], 0, Infinity, false, {}, (r) =>
      got.push({
        time: r.cursor.timeNs,
        line: r.cursor.line,
        md: Object.fromEntries(recordMetadata(r).map((l) => [l.name, l.value])),
      }),
    );
    expect(got).toEqual([
      {
        time: T0 + 5,
        line: 'hello',
        md: {
          user_id: '7',
          nested_deep_key: 'v',
          ratio: '0.5',
          severity_number: '17',
          severity_text: 'ERROR',
          trace_id: 'ab'.repeat(16),
          span_id: 'cd'.repeat(8),
          scope_name: 'lib',
          scope_version: '2',
          host_name: 'h1',
          detected_level: 'error',
        },
      },
    ]);
  });

  it('cuts chunks at their target size, compresses them and still reads every record', () => {
    const store = new LogStore({ chunkBytes: 64 * 1024 });
    store.consumeLogs(records(5000));
    store.flush();
    const st = store.stats();
    expect(st.chunks).toBeGreaterThanOrEqual(5);
    expect(lines(store, 'svc')).toHaveLength(5000);
    // compressed chunks hold the lines in far fewer bytes than the lines themselves
    expect(st.bytes).toBeLessThan(st.lineBytes);
  });

  it('finds a trace ID through the chunks’ ID hashes, inflating only chunks that may hold it', () => {
    const store = new LogStore({ chunkBytes: 4096 });
    store.consumeLogs(records(3000));
    const id = (1234).toString(16).padStart(32, '0');
    const found: string[] = [];
    const stats = store.scan(
      store.matchStreams([newMatcher('=', 'service_name', 'svc')]),
      0,
      Infinity,
      false,
      { ids: [id] },
      (r) => {
        if (r.cursor.traceId === id) found.push(r.cursor.line);
      },
    );
    expect(found).toEqual([expect.stringContaining('request 1234 ')]);
    expect(stats.chunks).toBe(1);
  });

  it('skips chunks that cannot hold a required substring (4-gram filter, then the inflated block)', () => {
    const store = new LogStore({ chunkBytes: 4096 });
    store.consumeLogs(records(3000));
    const hits: string[] = [];
    const stats = store.scan(
      store.matchStreams([newMatcher('=', 'service_name', 'svc')]),
      0,
      Infinity,
      false,
      { lineContains: ['request 2999 '] },
      (r) => {
        if (r.cursor.line.includes('request 2999 ')) hits.push(r.cursor.line);
      },
    );
    expect(hits).toHaveLength(1);
    expect(stats.records).toBeLessThan(300);
    // the chunks' 4-gram filters rule out nearly every chunk before it is inflated
    expect(stats.chunks).toBeLessThanOrEqual(3);
  });

  it('evicts the oldest chunks beyond the byte budget, counting what it drops', () => {
    const store = new LogStore({ chunkBytes: 8192, budgetBytes: 64 * 1024 });
    for (let b = 0; b < 40; b++) store.consumeLogs(records(500, 'svc', b * 500));
    const st = store.stats();
    expect(st.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(store.evictedRecords).toBeGreaterThan(0);
    expect(st.records + store.evictedRecords).toBe(20_000);
    // the newest records survive, the oldest do not
    const kept = lines(store, 'svc');
    expect(kept.at(-1)).toContain('request 19999 ');
    expect(kept.some((l) => l.startsWith('request 0 '))).toBe(false);
  });

  it('drops chunks not written to within the retention time, and their streams', () => {
    let now = 1_000_000;
    const store = new LogStore({ retentionMs: 60_000, now: () => now, chunkBytes: 2048 });
    store.consumeLogs(records(300, 'old'));
    now += 30_000;
    store.consumeLogs(records(10, 'new'));
    now += 40_000;
    expect(lines(store, 'old')).toEqual([]);
    expect(store.matchStreams([newMatcher('=', 'service_name', 'old')])).toEqual([]);
    expect(lines(store, 'new')).toHaveLength(10);
    expect(store.evictedRecords).toBe(300);
  });

  it('refuses a 1 MB line and a record with 10,000 attributes, counted, keeping the rest of the batch', () => {
    const store = new LogStore();
    const rejections = new Rejections();
    const many: KeyValue[] = Array.from({ length: 10_000 }, (_, i) => ({
      key: `attr.${i}`,
      value: { kind: 'string', value: `v${i}` },
    }));
    const batch = logsBatch([
      {
        resource: { 'service.name': 'svc' },
        records: [
          { timeNs: T0, body: 'x'.repeat(1024 * 1024) },
          { timeNs: T0 + 1, body: 'fine' },
          { timeNs: T0 + 2, body: 'many attributes' },
          { timeNs: T0 + 3, body: 'y'.repeat(70 * 1024), attributes: { big: 'z'.repeat(70 * 1024) } },
        ],
      },
    ]);
    const recs = batch.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    const withMany = { ...recs[2]!, attributes: many };
    const patched = {
      resourceLogs: [
        {
          ...batch.resourceLogs[0]!,
          scopeLogs: [
            { ...batch.resourceLogs[0]!.scopeLogs[0]!, logRecords: [recs[0]!, recs[1]!, withMany, recs[3]!] },
          ],
        },
      ],
    };
    store.consumeLogs(patched, rejections);
    expect(lines(store, 'svc')).toEqual(['fine']);
    expect(rejections.total).toBe(3);
    expect(rejections.message()).toContain('line longer than 262144 bytes (line_too_long)');
    expect(rejections.message()).toContain('more than 128 structured metadata entries (structured_metadata_too_many)');
    expect(rejections.message()).toContain(
      'structured metadata larger than 65536 bytes (structured_metadata_too_large)',
    );
    const metrics = new SelfMetrics();
    store.registerMetrics(metrics);
    expect(metrics.value('orrery_log_store_refused_records_total', { reason: REFUSAL.lineTooLong })).toBe(1);
    expect(metrics.value('orrery_log_store_refused_records_total', { reason: REFUSAL.metadataTooMany })).toBe(1);
    expect(metrics.value('orrery_log_store_records')).toBe(1);
  });

  it('evictOldest frees bytes for the memory limiter, open chunks last', () => {
    const store = new LogStore({ chunkBytes: 4096 });
    store.consumeLogs(records(1000));
    const before = store.stats().bytes;
    const freed = store.evictOldest(before / 2);
    expect(freed).toBeGreaterThanOrEqual(before / 2);
    expect(store.stats().bytes).toBeLessThanOrEqual(before - freed + 1024);
    expect(store.evictOldest(Infinity)).toBeGreaterThan(0);
    expect(store.stats()).toMatchObject({ records: 0, streams: 0 });
  });
});
