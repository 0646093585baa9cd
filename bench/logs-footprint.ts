// What the logs SDK costs one shop service: currencyservice started exactly as the supervisor
// starts it (launchArgs: the same V8 flags, the telemetry --import, MALLOC_ARENA_MAX=2), under the
// same load (Convert calls at a steady rate, so it logs "request handled" for every one), with
// logs on and, as the reference measured in the same run, with OTEL_LOGS_EXPORTER=none (the logs
// SDK and exporter are then never loaded). Runs alternate so a drift of the machine hits both.
// RSS and PSS are read from /proc once the load has run; an in-process OTLP sink answers every
// export and counts the log records' bytes.
//
//   npm run bench:logs-footprint       (node dist/bench/logs-footprint.js [--rounds 3] [--seconds 15] [--rate 20])
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from '../src/cli/args.js';
import { packageRoot } from '../src/server/paths.js';
import { grpcClient } from '../demo/services/common/grpc.js';
import { launchArgs } from '../demo/supervisor/shop.js';
import { SHOP_SERVICES, serviceEnv } from '../demo/topology.js';
import { freePort } from '../demo/services/testing/harness.js';

interface Sink {
  readonly port: number;
  /** bytes of POST /v1/logs bodies received */
  readonly logBytes: number;
  readonly logRequests: number;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const counts = { logBytes: 0, logRequests: 0 };
  const server: Server = createServer((req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      if (req.url === '/v1/logs') {
        counts.logBytes += size;
        counts.logRequests++;
      }
      // an empty body is an empty Export*ServiceResponse: full success
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get logBytes() {
      return counts.logBytes;
    },
    get logRequests() {
      return counts.logRequests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Memory {
  readonly rssMb: number;
  readonly pssMb: number;
}

function memoryOf(pid: number): Memory {
  const kb = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rssMb: kb(rollup, 'Rss') / 1024, pssMb: kb(rollup, 'Pss') / 1024 };
}

async function waitListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"msg":"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

interface Run {
  readonly memory: Memory;
  readonly calls: number;
}

async function runOnce(logs: boolean, sink: Sink, seconds: number, rate: number): Promise<Run> {
  const root = packageRoot();
  const spec = SHOP_SERVICES.find((s) => s.name === 'currencyservice')!;
  const port = await freePort(new Set());
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...serviceEnv(spec, 23_000),
    PORT: String(port),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}`,
    MALLOC_ARENA_MAX: '2',
    ...(logs ? {} : { OTEL_LOGS_EXPORTER: 'none' }),
  };
  const child = spawn(process.execPath, launchArgs(root, spec.entry), { env, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    await waitListening(child, 60_000);
    const client = grpcClient('CurrencyService', `127.0.0.1:${port}`);
    let calls = 0;
    const end = Date.now() + seconds * 1000;
    // steady load: `rate` calls a second, each with its own amount (unique values in every record)
    while (Date.now() < end) {
      const tick = Date.now();
      await Promise.all(
        Array.from({ length: rate }, (_, i) =>
          client
            .Convert({ from: { currencyCode: 'USD', units: 10 + calls + i, nanos: 0 }, toCode: 'EUR' })
            .then(() => calls++),
        ),
      );
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tick))));
    }
    // one more batch delay, so the last records are exported and the heap has settled
    await new Promise((r) => setTimeout(r, 1500));
    return { memory: memoryOf(child.pid!), calls };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    rounds: { type: 'int', default: 3, help: 'runs with logs on and off, alternating' },
    seconds: { type: 'int', default: 15, help: 'load per run' },
    rate: { type: 'int', default: 20, help: 'Convert calls per second' },
  });
  const { rounds, seconds, rate } = flags;
  const sink = await startSink();
  const on: Run[] = [];
  const off: Run[] = [];
  let bytes = 0;
  let requests = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      off.push(await runOnce(false, sink, seconds, rate));
      const before = { bytes: sink.logBytes, requests: sink.logRequests };
      on.push(await runOnce(true, sink, seconds, rate));
      bytes += sink.logBytes - before.bytes;
      requests += sink.logRequests - before.requests;
    }
  } finally {
    await sink.close();
  }
  const fmt = (n: number): string => n.toFixed(1);
  const rssOn = median(on.map((r) => r.memory.rssMb));
  const rssOff = median(off.map((r) => r.memory.rssMb));
  const pssOn = median(on.map((r) => r.memory.pssMb));
  const pssOff = median(off.map((r) => r.memory.pssMb));
  const callsOn = on.reduce((a, r) => a + r.calls, 0);
  console.log(`currencyservice, ${rounds} rounds of ${seconds} s at ${rate} Convert calls/s (median of the rounds)`);
  console.log(`  logs off (OTEL_LOGS_EXPORTER=none, reference): RSS ${fmt(rssOff)} MB, PSS ${fmt(pssOff)} MB`);
  console.log(`  logs on  (sdk-logs, batch, OTLP/protobuf):     RSS ${fmt(rssOn)} MB, PSS ${fmt(pssOn)} MB`);
  console.log(
    `  change: RSS ${rssOn - rssOff >= 0 ? '+' : ''}${fmt(rssOn - rssOff)} MB (ratio ${(rssOn / rssOff).toFixed(3)}), ` +
      `PSS ${pssOn - pssOff >= 0 ? '+' : ''}${fmt(pssOn - pssOff)} MB (ratio ${(pssOn / pssOff).toFixed(3)})`,
  );
  console.log(
    `  exported: ${requests} OTLP log requests, ${(bytes / 1024).toFixed(0)} KiB for ${callsOn} calls ` +
      `(${callsOn > 0 ? (bytes / callsOn).toFixed(0) : '-'} bytes per "request handled" record, protobuf, batched)`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
