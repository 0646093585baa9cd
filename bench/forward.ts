// Scale-out benchmark (`npm run bench:forward`): what forwarding and remote write cost and how
// they behave when the upstream goes away. The backend (`orrery serve`, built) runs pinned to
// core 0; the sender (bench/sender.ts, demo-shaped traces with every ID, time and request ID
// fresh, 512 spans per OTLP/HTTP protobuf request) and the upstream sink run on core 1.
//
//   1. local ingest, the reference measured in this run: spans/s accepted and per backend CPU-second;
//   2. the same with --forward-otlp to the sink: spans/s in (accepted) and out (delivered), and the
//      ratio to 1 (goal: within 20 %), alternated with 1 for --rounds rounds (A B A B); per CPU-second
//      both while the sender ran and counting the CPU the backend spent until its queue was empty;
//   3. remote write, in this process: samples/s through the store's appender with remote write to
//      the sink, against the store alone (unique series values and timestamps);
//   4. a full queue: the sink down, the backend (--forward-queue-size 100) fed for 15 s, past the
//      point where it answers 503; its RSS growth against the bytes the queue holds;
//   5. an outage: the sink down for --outage while the sender goes on (backing off 100 ms after
//      each 503), then back: the time until the queue is empty, and that every span accepted was
//      delivered (nothing lost).
//
//   npm run bench:forward                                   (defaults: 10 s runs, a 60 s outage)
//   node dist/bench/forward.js --duration 5s --outage 10s   (a quick run)
//   node dist/bench/forward.js --rounds 3 --only-forwarding (1 and 2 alone)
//   … --client-gzip    the sender gzips its requests (forwarding passes those bytes on as they came)
//   … --profile DIR    CPU profiles of the forwarding backends (node --cpu-prof) in DIR
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../src/cli/args.js';
import { FakeUpstream } from '../src/exporters/otlp/testing.js';
import { RemoteWriteExporter } from '../src/exporters/remotewrite/exporter.js';
import { labelsFromRecord, type Labels } from '../src/labels/labels.js';
import { Head } from '../src/tsdb/head.js';
import {
  metricValue as metric,
  procCpuSeconds,
  procStatus,
  startBackend as startProcess,
  type RunningBackend,
} from './backend-process.js';
import { runSender, type SenderResult } from './sender.js';

/** An upstream that takes every request (drains the body, answers 200), and can go down and come back. */
function sinkUpstream(): FakeUpstream {
  const sink = new FakeUpstream();
  sink.keepBodies = false;
  return sink;
}

/** `orrery serve` on core 0 with a 1 GiB trace budget, settled for half a second after it is ready */
async function startBackend(
  extra: string[],
  nodeArgs: string[] = [],
): Promise<RunningBackend & { readonly otlp: string }> {
  const b = await startProcess({ args: ['--trace-budget', '1GiB', ...extra], nodeArgs, maxOldSpaceMb: 4096 });
  await new Promise((r) => setTimeout(r, 500));
  return { ...b, otlp: `http://127.0.0.1:${b.httpPort}/v1/traces` };
}

/** the sender on core 1 for durationMs (gzip: it compresses its requests) */
function send(url: string, durationMs: number, connections: number, gzip = false): Promise<SenderResult> {
  return runSender({ url, durationMs, connections, gzip });
}

interface RunSetup {
  readonly durationMs: number;
  readonly connections: number;
  /** the sender gzips its requests */
  readonly gzip: boolean;
  /** node --cpu-prof flags for the forwarding backends */
  readonly profile: string[];
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

interface IngestFigures {
  readonly perSec: number;
  /** spans per backend CPU-second while the sender ran */
  readonly perCpu: number;
  /** the same with the CPU the backend spent until its forwarding queue was empty */
  readonly perCpuDrained: number;
  readonly accepted: number;
  readonly delivered: number;
}

/** One backend, the sender for durationMs, and (forwarding) the wait until its queue is empty. */
async function ingestRun(label: string, extra: string[], setup: RunSetup): Promise<IngestFigures> {
  const forwarding = extra.includes('--forward-otlp');
  const b = await startBackend(extra, forwarding ? setup.profile : []);
  try {
    const cpu0 = procCpuSeconds(b.pid);
    const s = await send(b.otlp, setup.durationMs, setup.connections, setup.gzip);
    const cpu = procCpuSeconds(b.pid) - cpu0;
    const drainedMs = forwarding
      ? await waitFor(
          'forwarding queue empty',
          async () => (await metric(b.api, 'otelcol_exporter_queue_size', 'data_type="traces"')) === 0,
          60_000,
        )
      : 0;
    const cpuDrained = procCpuSeconds(b.pid) - cpu0;
    const delivered = forwarding ? await metric(b.api, 'otelcol_exporter_sent_spans_total') : 0;
    const perSec = s.accepted / s.secs;
    const perCpu = s.accepted / cpu;
    console.log(
      `${label}: in ${Math.round(perSec)} spans/s (${s.accepted} accepted, ${s.refused} refused), ${Math.round(perCpu)} spans per backend CPU-second (${((cpu / s.secs) * 100).toFixed(0)}% of its core)` +
        (forwarding
          ? `; delivered ${delivered}, queue empty ${(drainedMs / 1000).toFixed(1)} s after the sender stopped: ${Math.round(s.accepted / cpuDrained)} spans per CPU-second with the drain`
          : ''),
    );
    return { perSec, perCpu, perCpuDrained: s.accepted / cpuDrained, accepted: s.accepted, delivered };
  } finally {
    await b.stop();
  }
}

/** Local ingest and forwarding alternated (A B A B): per-round and overall ratios. */
async function compareForwarding(sinkUrl: string, rounds: number, setup: RunSetup, forwardArgs: readonly string[]) {
  const local: IngestFigures[] = [];
  const fwd: IngestFigures[] = [];
  for (let r = 1; r <= rounds; r++) {
    local.push(await ingestRun(`round ${r}, local ingest (reference)`, [], setup));
    fwd.push(await ingestRun(`round ${r}, with --forward-otlp`, ['--forward-otlp', sinkUrl, ...forwardArgs], setup));
  }
  const mean = (xs: IngestFigures[], f: (x: IngestFigures) => number) => xs.reduce((n, x) => n + f(x), 0) / xs.length;
  const ratio = (f: (x: IngestFigures) => number) => (mean(fwd, f) / mean(local, f)).toFixed(2);
  const perRound = fwd.map((f, i) => (f.perCpu / local[i]!.perCpu).toFixed(2)).join(', ');
  const delivered = fwd.reduce((n, f) => n + f.delivered, 0);
  const accepted = fwd.reduce((n, f) => n + f.accepted, 0);
  console.log(
    `forwarding / local over ${rounds} rounds: ${ratio((x) => x.perSec)}x spans/s, ${ratio((x) => x.perCpu)}x spans per CPU-second while sending (rounds: ${perRound}), ${(mean(fwd, (x) => x.perCpuDrained) / mean(local, (x) => x.perCpu)).toFixed(2)}x counting the forwarder's drain (goal ≥ 0.80); delivered ${delivered} of ${accepted} accepted; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

function remoteWriteBench(sinkUrl: string, seriesCount: number, steps: number): Promise<void> {
  const series: Labels[] = [];
  for (let i = 0; i < seriesCount; i++) {
    series.push(
      labelsFromRecord({
        __name__: 'traces_span_metrics_calls_total',
        service_name: `service-${i % 17}`,
        span_name: `GET /api/products/${i}`,
        span_kind: 'SPAN_KIND_SERVER',
        status_code: i % 9 === 0 ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
        instance: `pod-${(i * 7919) % 1000}`,
      }),
    );
  }
  const t0 = Date.now() - steps * 1000;
  const feed = (app: { append(l: Labels, t: number, v: number): unknown }): number => {
    const start = performance.now();
    for (let s = 0; s < steps; s++)
      for (let i = 0; i < seriesCount; i++)
        app.append(series[i]!, t0 + s * 1000 + (i % 997), s * 3.7 + i * 0.001 + Math.random());
    return (performance.now() - start) / 1000;
  };
  const samples = seriesCount * steps;
  const alone = feed(new Head({ retentionMs: 3600_000 }));
  const rw = new RemoteWriteExporter({ url: sinkUrl, capacityPerShard: 100_000, capacityBytesPerShard: 2 ** 30 });
  return (async () => {
    await rw.start();
    const wall0 = performance.now();
    const appendSecs = feed(rw.wrap(new Head({ retentionMs: 3600_000 })));
    await rw.idle();
    const wall = (performance.now() - wall0) / 1000;
    await rw.shutdown();
    console.log(
      `remote write: ${samples} samples (${seriesCount} series × ${steps}) stored and sent in ${wall.toFixed(2)} s = ${Math.round(samples / wall)} samples/s delivered; appending with remote write ${Math.round(samples / appendSecs)} samples/s against ${Math.round(samples / alone)} samples/s into the store alone (${(alone / appendSecs).toFixed(2)}x)`,
    );
  })();
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    duration: { type: 'duration', default: '10s', help: 'length of each ingest run' },
    outage: { type: 'duration', default: '60s', help: 'how long the upstream is down in the outage run' },
    connections: { type: 'int', default: 8, help: 'concurrent keep-alive connections of the sender' },
    fullQueue: { type: 'int', default: 100, help: '--forward-queue-size of the full-queue run (requests)' },
    rounds: { type: 'int', default: 2, help: 'local and forwarding runs, alternated' },
    onlyForwarding: { type: 'bool', default: false, help: 'stop after the forwarding comparison' },
    clientGzip: { type: 'bool', default: false, help: 'the sender gzips its requests (both runs)' },
    forwardCompression: {
      type: 'string',
      default: 'gzip',
      help: "the forwarding backend's --forward-compression (gzip or none)",
    },
    profile: { type: 'string', help: 'write CPU profiles of the forwarding backends (node --cpu-prof) here' },
  });
  const sink = sinkUpstream();
  await sink.start();
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  console.log(
    `forwarding bench: backend on core 0, sender and sink on core 1; ${flags.duration / 1000} s per run, ${flags.connections} connections, 512 spans per request${flags.clientGzip ? ', gzip-compressed by the sender' : ''}, forwarded with --forward-compression ${flags.forwardCompression}`,
  );

  // 1 and 2: local ingest as the reference, alternated with forwarding, in the same run.
  await compareForwarding(
    sinkUrl,
    flags.rounds,
    {
      durationMs: flags.duration,
      connections: flags.connections,
      gzip: flags.clientGzip,
      profile: flags.profile !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile)}`] : [],
    },
    ['--forward-compression', flags.forwardCompression],
  );
  if (flags.onlyForwarding) {
    await sink.stop();
    return;
  }

  // 3: remote write in this process.
  await remoteWriteBench(`${sinkUrl}/api/v1/write`, 5000, 40);

  // 4: a full queue.
  await sink.stop();
  const full = await startBackend(['--forward-otlp', sinkUrl, '--forward-queue-size', String(flags.fullQueue)]);
  try {
    const rss0 = procStatus(full.pid, 'VmRSS');
    const s = await send(full.otlp, 15_000, flags.connections);
    const held = await metric(full.api, 'orrery_exporter_queue_bytes', 'data_type="traces"');
    const size = await metric(full.api, 'otelcol_exporter_queue_size', 'data_type="traces"');
    const rss = procStatus(full.pid, 'VmRSS');
    console.log(
      `full queue (upstream down): ${size} requests, ${mib(held)} MiB queued (${s.accepted} spans) before senders got 503 (${s.refused} spans refused); backend RSS ${mib(rss0)} → ${mib(rss)} MiB, growth ${((rss - rss0) / held).toFixed(2)}x the queued bytes (the trace store keeps its copy too)`,
    );
  } finally {
    await full.stop();
  }

  // 5: an outage with the sender going on.
  await sink.start();
  const o = await startBackend(['--forward-otlp', sinkUrl, '--trace-budget', '256MB']);
  try {
    const sending = send(o.otlp, flags.outage + 10_000, 2);
    await new Promise((r) => setTimeout(r, 5000));
    await sink.stop();
    console.log(`outage: upstream down for ${flags.outage / 1000} s while the sender goes on`);
    await new Promise((r) => setTimeout(r, flags.outage));
    const queued = await metric(o.api, 'otelcol_exporter_queue_size', 'data_type="traces"');
    await sink.start();
    const recovery = await waitFor(
      'queue empty after the outage',
      async () => (await metric(o.api, 'otelcol_exporter_queue_size', 'data_type="traces"')) === 0,
      600_000,
    );
    const s = await sending;
    await waitFor(
      'queue empty after the sender stopped',
      async () => (await metric(o.api, 'otelcol_exporter_queue_size', 'data_type="traces"')) === 0,
      60_000,
    );
    const accepted = await metric(o.api, 'otelcol_receiver_accepted_spans_total', 'transport="http"');
    const delivered = await metric(o.api, 'otelcol_exporter_sent_spans_total');
    const failed = await metric(o.api, 'otelcol_exporter_send_failed_spans_total');
    console.log(
      `outage: ${queued} requests queued when the upstream came back; queue empty ${(recovery / 1000).toFixed(1)} s later; accepted ${accepted} spans (${s.refused} refused with 503 during the outage), delivered ${delivered}, failed ${failed}: ${delivered === accepted && failed === 0 ? 'nothing lost' : `LOST ${accepted - delivered}`}`,
    );
  } finally {
    await o.stop();
    await sink.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
