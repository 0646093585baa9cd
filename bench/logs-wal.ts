// The log store's durability cost, in one process on one core: the same OTLP log batches stored
// in memory only (the reference) and with a data directory (every batch written to the WAL
// first), alternated --runs times; then the WAL's bytes per record and the replay rate of a
// restart on that directory. Records are demo-shaped: five services, unique order IDs, users,
// durations, trace and span IDs and timestamps.
//
//   npm run bench:logs-wal
//   node dist/bench/logs-wal.js --records 300000 --runs 3
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LogStore } from '../src/logs/store.js';
import { logsBatch } from '../src/logs/testdata.js';
import type { LogsData } from '../src/otlp/model.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const RECORDS = arg('records', 300_000);
const RUNS = arg('runs', 3);
const PER_BATCH = 1000;
const SERVICES = ['frontend', 'cartservice', 'checkoutservice', 'recommendationservice', 'paymentservice'];
const hex = (n: number): string => randomBytes(n).toString('hex');

function batches(): LogsData[] {
  const out: LogsData[] = [];
  const t0 = Date.now() * 1e6;
  let n = 0;
  while (n < RECORDS) {
    const per = PER_BATCH / SERVICES.length;
    out.push(
      logsBatch(
        SERVICES.map((service) => ({
          resource: { 'service.name': service, 'service.instance.id': hex(4), 'deployment.environment': 'lab' },
          scope: { name: `${service}-logger`, version: '1.0.0' },
          records: Array.from({ length: per }, (_, i) => {
            const k = n++;
            const miss = i % 7 === 0;
            return {
              timeNs: t0 + k * 1e6 + Math.floor(Math.random() * 1e6),
              body: miss
                ? `cache miss for products of user ${hex(5)}, loading ${1 + (k % 9)}`
                : `order ${hex(6)} handled in ${Math.floor(Math.random() * 300)} ms`,
              severityNumber: miss ? 13 : 9,
              severityText: miss ? 'WARN' : 'INFO',
              traceId: hex(16),
              spanId: hex(8),
              attributes: {
                'app.user.id': hex(5),
                'http.route': `/api/products/${k % 40}`,
                'app.products.count': k % 9,
              },
            };
          }),
        })),
      ),
    );
  }
  return out;
}

interface Run {
  readonly ms: number;
  readonly walBytes: number;
  readonly replayMs: number;
}

function run(data: readonly LogsData[], withDir: boolean): Run {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-bench-logs-wal-'));
  try {
    const store = new LogStore(withDir ? { dataDir: dir, log: () => {} } : {});
    store.start();
    const t = performance.now();
    for (const b of data) store.consumeLogs(b);
    const ms = performance.now() - t;
    const walBytes = store.dataDir?.wal.sizeBytes() ?? 0;
    store.shutdown();
    let replayMs = 0;
    if (withDir) {
      const again = new LogStore({ dataDir: dir, log: () => {} });
      const t2 = performance.now();
      again.start();
      replayMs = performance.now() - t2;
      if (again.stats().records !== store.stats().records) throw new Error('replay lost records');
      again.shutdown();
    }
    return { ms, walBytes, replayMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const data = batches();
const n = data.length * PER_BATCH;
const rate = (ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} records/s`;
console.log(`log store with --data-dir against memory only: ${n.toLocaleString('en-US')} records, ${RUNS} runs`);
for (let r = 0; r < RUNS; r++) {
  const mem = run(data, false);
  const disk = run(data, true);
  console.log(
    `  run ${r + 1}: memory only (reference) ${rate(mem.ms)}; --data-dir ${rate(disk.ms)} ` +
      `(${(mem.ms / disk.ms).toFixed(2)}x); WAL ${(disk.walBytes / n).toFixed(1)} bytes/record; ` +
      `replay ${rate(disk.replayMs)} (${(disk.ms / disk.replayMs).toFixed(2)}x the ingest rate)`,
  );
}
