// Test harness: starts some of the shop's services from dist/ exactly as the supervisor does
// (`node --import dist/demo/telemetry/register.js <entry>`, the topology's env), with an in-test
// OTLP/HTTP receiver (the project's own) collecting what they export. Used by the multi-process
// tests beside the services; needs `npx tsc -p tsconfig.json` first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyValue, LogRecord, LogsData, MetricsData, Span, TracesData } from '../../../src/otlp/model.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver } from '../../../src/receivers/otlp-http.js';
import { SHOP_SERVICES } from '../../topology.js';

/** The project root, from demo/services/testing (sources) or dist/demo/services/testing. */
export const ROOT = [
  fileURLToPath(new URL('../../../', import.meta.url)),
  fileURLToPath(new URL('../../../../', import.meta.url)),
].find((p) => existsSync(path.join(p, 'package.json')))!;

export interface CollectedSpan extends Span {
  readonly service: string;
  readonly resource: readonly KeyValue[];
}

export interface CollectedLogRecord extends LogRecord {
  readonly service: string;
  readonly scope: string;
}

export interface RunningShop {
  addr(service: string): string;
  readonly spans: CollectedSpan[];
  readonly logs: CollectedLogRecord[];
  readonly metrics: MetricsData[];
  readonly processes: ReadonlyMap<string, ChildProcess>;
  output(service: string): string;
  /** the spans of one trace */
  trace(traceId: string): CollectedSpan[];
  /** polls until `check` returns a value (not undefined), or throws after timeoutMs */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface ShopOptions {
  readonly services: readonly string[];
  /** flagd-format flag definitions written to the flag service's file */
  readonly flags?: Record<string, boolean>;
  readonly metricIntervalMs?: number;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port below Linux's ephemeral range (32768+), where random EADDRINUSE cannot strike. */
export async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (!taken.has(port) && (await isFree(port))) {
      taken.add(port);
      return port;
    }
  }
}

function waitForPort(port: number, timeoutMs: number, dead: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const why = dead();
      if (why) return reject(new Error(why));
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function attr(attrs: readonly KeyValue[], key: string): string {
  const v = attrs.find((a) => a.key === key)?.value;
  return v && v.kind === 'string' ? v.value : '';
}

export async function startShop(opts: ShopOptions): Promise<RunningShop> {
  const register = path.join(ROOT, 'dist/demo/telemetry/register.js');
  const specs = opts.services.map((name) => {
    const spec = SHOP_SERVICES.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown service ${name}`);
    if (!existsSync(path.join(ROOT, spec.entry)))
      throw new Error(`${spec.entry} is missing: run npx tsc -p tsconfig.json first`);
    return spec;
  });
  if (!existsSync(register))
    throw new Error('dist/demo/telemetry/register.js is missing: run npx tsc -p tsconfig.json first');

  const spans: CollectedSpan[] = [];
  const metrics: MetricsData[] = [];
  const logs: CollectedLogRecord[] = [];
  const receiver: OtlpHttpReceiver = createOtlpHttpReceiver({
    port: 0,
    traces: {
      consumeTraces(batch: TracesData) {
        for (const rs of batch.resourceSpans) {
          const service = attr(rs.resource.attributes, 'service.name');
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans) spans.push({ ...s, service, resource: rs.resource.attributes });
        }
      },
    },
    metrics: { consumeMetrics: (batch: MetricsData) => void metrics.push(batch) },
    logs: {
      consumeLogs(batch: LogsData) {
        for (const rl of batch.resourceLogs) {
          const service = attr(rl.resource.attributes, 'service.name');
          for (const sl of rl.scopeLogs)
            for (const r of sl.logRecords) logs.push({ ...r, service, scope: sl.scope.name });
        }
      },
    },
  });
  await receiver.start();
  const otlpPort = receiver.port;

  const taken = new Set<number>();
  const ports = new Map<string, number>();
  for (const spec of specs) ports.set(spec.name, await freePort(taken));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'orrery-shop-test-'));
  const flagsFile = path.join(tmp, 'flags.json');
  const flags: Record<string, unknown> = {};
  for (const [key, on] of Object.entries(opts.flags ?? {})) {
    flags[key] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: on ? 'on' : 'off' };
  }
  writeFileSync(flagsFile, JSON.stringify({ flags }));

  const processes = new Map<string, ChildProcess>();
  const outputs = new Map<string, string>();
  for (const spec of specs) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      PORT: String(ports.get(spec.name)),
      OTEL_SERVICE_NAME: spec.name,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_RESOURCE_ATTRIBUTES: `service.namespace=opentelemetry-demo,service.instance.id=${spec.name}-1,service.version=0.1.0-test`,
      OTEL_METRIC_EXPORT_INTERVAL: String(opts.metricIntervalMs ?? 2000),
      FLAGS_FILE: flagsFile,
      MALLOC_ARENA_MAX: '2', // as the supervisor sets it
    };
    // a peer that is not started gets a port where nothing listens: calls to it fail fast
    for (const [envName, peer] of Object.entries(spec.peers)) env[envName] = `127.0.0.1:${ports.get(peer) ?? 1}`;
    const child = spawn(
      process.execPath,
      ['--import', register, '--max-semi-space-size=1', '--optimize-for-size', path.join(ROOT, spec.entry)],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    outputs.set(spec.name, '');
    const keep = (d: Buffer): void =>
      void outputs.set(spec.name, (outputs.get(spec.name)! + d.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    processes.set(spec.name, child);
  }

  const stop = async (): Promise<void> => {
    await Promise.all(
      [...processes.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await receiver.stop();
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    await Promise.all(
      specs.map((spec) =>
        waitForPort(ports.get(spec.name)!, 240_000, () => {
          const child = processes.get(spec.name)!;
          return child.exitCode !== null ? `exited with ${child.exitCode}` : undefined;
        }).catch((err: unknown) => {
          throw new Error(`${spec.name}: ${(err as Error).message}\n${outputs.get(spec.name)}`);
        }),
      ),
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    addr: (service) => `127.0.0.1:${ports.get(service)}`,
    spans,
    logs,
    metrics,
    processes,
    output: (service) => outputs.get(service) ?? '',
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    async waitFor(what, check, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop,
  };
}
