// Replay time of a large samples WAL (issue 14 asks for 1 GB): writes a WAL of --size bytes
// through the backend's own WAL appender (10,000 series of demo-shaped labels, the pod unique per
// series, one sample per series every 10 s of simulated time ending now, each a counter that
// grows by a random amount, committed 1,000 samples at a time as a receiver commits a request), then
// replays it into a fresh head as `orrery serve --data-dir` does on start, and prints the replay
// time, MB/s and samples/s. The reference measured in the same run is the head alone: appending
// the same samples to an empty head without any WAL (what replay cannot be faster than).
//
//   npm run bench:wal-replay                    (default --size 1GB)
//   node dist/bench/wal-replay.js --size 256MB
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from '../src/cli/args.js';
import type { Labels } from '../src/labels/labels.js';
import { Head } from '../src/tsdb/head.js';
import { SamplesWal } from '../src/tsdb/wal/samples-wal.js';

const SERIES = 10_000;
const STEP_MS = 10_000;

function seriesLabels(): Labels[] {
  const names = [
    'process_runtime_heap_bytes',
    'rpc_server_duration_count',
    'http_server_active_requests',
    'app_cart_items',
  ];
  const services = ['frontend', 'cartservice', 'checkoutservice', 'currencyservice', 'paymentservice'];
  return Array.from({ length: SERIES }, (_, i) => [
    { name: '__name__', value: names[i % names.length]! },
    { name: 'instance', value: `10.0.${(i >> 8) & 255}.${i & 255}:9464` },
    { name: 'job', value: services[i % services.length]! },
    { name: 'pod', value: randomUUID() },
    { name: 'route', value: `/api/${i % 17}` },
  ]);
}

/** Counters growing by random amounts: a new value every sample, compressible as real ones are. */
function counters(): (i: number) => number {
  const value = new Float64Array(SERIES);
  return (i) => (value[i]! += Math.floor(Math.random() * 20));
}

/** Writes a WAL of at least `size` bytes into dir; its head is garbage once this returns. */
function writeWal(
  dir: string,
  labels: readonly Labels[],
  size: number,
): { bytes: number; samples: number; rounds: number; t0: number } {
  const wal = new SamplesWal({ dir, head: new Head(), log: () => {}, checkpointMinBytes: Number.MAX_SAFE_INTEGER });
  wal.start();
  const next = counters();
  // Time runs up to now at the latest even at 5 bytes per sample (the head refuses the future).
  const t0 = Math.floor(Date.now() / STEP_MS) * STEP_MS - Math.ceil(size / (SERIES * 5)) * STEP_MS;
  let rounds = 0;
  while (wal.wal.sizeBytes() < size) {
    const t = t0 + rounds * STEP_MS;
    for (let i = 0; i < SERIES; i++) {
      wal.appender.append(labels[i]!, t + (i % 1000), next(i));
      if (i % 1000 === 999) wal.appender.commit();
    }
    rounds++;
  }
  wal.shutdown();
  return { bytes: wal.wal.sizeBytes(), samples: rounds * SERIES, rounds, t0 };
}

/** Milliseconds to append the same samples to an empty head without a WAL. */
function headOnlyMs(labels: readonly Labels[], rounds: number, t0: number): number {
  const head = new Head();
  const next = counters();
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    const t = t0 + r * STEP_MS;
    for (let i = 0; i < SERIES; i++) head.append(labels[i]!, t + (i % 1000), next(i));
  }
  return performance.now() - start;
}

function main(): void {
  const { flags } = parseArgs(process.argv.slice(2), {
    size: { type: 'size', default: '1GB', help: 'WAL bytes to write and replay' },
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-wal-replay-'));
  try {
    const labels = seriesLabels();
    const genStart = performance.now();
    const { bytes, samples, rounds, t0 } = writeWal(dir, labels, flags.size);
    console.log(
      `wrote ${(bytes / 2 ** 20).toFixed(0)} MiB of WAL: ${samples} samples of ${SERIES} series (${(bytes / samples).toFixed(1)} bytes per sample) in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
    );
    const refMs = headOnlyMs(labels, rounds, t0);
    console.log(
      `reference: the same ${samples} samples appended to an empty head without a WAL in ${(refMs / 1000).toFixed(2)} s`,
    );

    const replay = new SamplesWal({ dir, head: new Head(), log: (l) => console.log(l) });
    replay.start();
    const s = replay.replayStats!;
    replay.shutdown();
    const secs = s.durationMs / 1000;
    console.log(
      `replay of ${(s.wal.bytes / 2 ** 20).toFixed(0)} MiB: ${s.samples} samples, ${s.series} series in ${secs.toFixed(2)} s = ` +
        `${(s.wal.bytes / 2 ** 20 / secs).toFixed(0)} MiB/s, ${Math.round(s.samples / secs)} samples/s; ` +
        `${(s.durationMs / refMs).toFixed(2)}x the head-only reference`,
    );
    if (s.samples !== samples) throw new Error(`replayed ${s.samples} samples, wrote ${samples}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
