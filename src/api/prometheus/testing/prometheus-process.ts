// Starts a throw-away real Prometheus (the oracle for differential tests and benchmarks): a free
// loopback port below the ephemeral range, a temporary data directory and config, stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export function prometheusAvailable(): boolean {
  return existsSync(PROMETHEUS_BIN);
}

export interface PrometheusProcess {
  readonly url: string;
  readonly pid: number;
  /** the temporary --storage.tsdb.path */
  readonly dataDir: string;
  /** Prometheus's own log, for diagnosing failures */
  log(): string;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port in 20000-32000 (Linux's ephemeral range starts at 32768 and races with it). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await portFree(port)) return port;
  }
  throw new Error('no free port found');
}

export interface PrometheusConfig {
  /** YAML of the scrape_configs list, or a function of Prometheus's own host:port; default none (all data by remote write) */
  readonly scrapeConfigs?: string | ((selfAddress: string) => string);
  /** global scrape interval; default 15s */
  readonly scrapeInterval?: string;
  /** a directory copied into --storage.tsdb.path before start (blocks for Prometheus to read) */
  readonly initialData?: string;
}

export async function startPrometheus(
  extraArgs: readonly string[] = [],
  conf: PrometheusConfig = {},
): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-prom-'));
  const config = join(dir, 'prometheus.yml');
  if (conf.initialData !== undefined) cpSync(conf.initialData, join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const interval = conf.scrapeInterval ?? '15s';
  const scrape =
    typeof conf.scrapeConfigs === 'function' ? conf.scrapeConfigs(`127.0.0.1:${port}`) : conf.scrapeConfigs;
  writeFileSync(
    config,
    `global:\n  scrape_interval: ${interval}\n  evaluation_interval: ${interval}\n` +
      (scrape === undefined ? 'scrape_configs: []\n' : `scrape_configs:\n${scrape}\n`),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid;
  if (pid === undefined) throw new Error('prometheus did not start');
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (!exited) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) process.kill(pid, 'SIGKILL');
      }, 5000);
      await done;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`prometheus exited early:\n${log}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.status === 200) return { url, pid, dataDir: join(dir, 'data'), log: () => log, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus not ready after 30 s:\n${log}`);
}
