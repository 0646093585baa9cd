// A small process supervisor for the demo: start children in dependency order and wait until each
// accepts TCP connections, restart one that exits (a container's restart policy: exponential
// backoff, reset after it has stayed up a while), report restarts, and stop everything without
// leaving a process behind (SIGTERM, wait, SIGKILL; children also exit on their own if the
// supervisor dies, see child-guard.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { Logger } from '@opentelemetry/api-logs';
import { severityOf, toLogAttributes, type LogFields, type LogLevel } from '../services/common/log.js';

export interface ChildSpec {
  readonly name: string;
  /** program to run (default: this node binary) */
  readonly command?: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** TCP port probed for readiness; none means "ready once spawned" */
  readonly port?: number;
  /** names of children that must be ready first */
  readonly dependsOn?: readonly string[];
}

export type ChildState = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped';

export interface ChildInfo {
  name: string;
  pid: number | undefined;
  state: ChildState;
  restarts: number;
  port: number | undefined;
  startedAt: number | undefined;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** uptime after which the backoff starts again from initialMs */
  resetAfterMs: number;
}

export interface SupervisorOptions {
  readonly children: readonly ChildSpec[];
  readonly readinessTimeoutMs?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** grace between SIGTERM and SIGKILL */
  readonly stopTimeoutMs?: number;
  /** print every line of the children; otherwise only errors and lifecycle lines */
  readonly verbose?: boolean;
  /** where lines go (default stderr) */
  readonly output?: (line: string) => void;
  readonly onRestart?: (service: string, count: number, reason: string) => void;
  readonly host?: string;
  /** where exits, restarts and out-of-memory deaths also go as OpenTelemetry log records */
  readonly logger?: Logger;
}

interface Child {
  readonly spec: ChildSpec;
  proc: ChildProcess | undefined;
  state: ChildState;
  restarts: number;
  /** restarts since the child last stayed up resetAfterMs, for the backoff */
  streak: number;
  startedAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  exited: Promise<void>;
  readonly tail: string[];
  /** quiet-mode rate limit */
  printed: { windowStart: number; count: number; suppressed: number };
}

const TAIL_LINES = 40;
const QUIET_LINES_PER_10S = 20;

/** The line of a child's last output that says V8 ran out of heap, if any. */
export function oomLine(tail: readonly string[]): string | undefined {
  return tail.find((l) => /heap out of memory|Reached heap limit|Allocation failed/i.test(l));
}

/** Delay before restart number `streak` (1-based): initial, 2x, 4x … capped. */
export function backoffDelay(streak: number, b: BackoffOptions): number {
  return Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, streak - 1));
}

/** Order children in waves: each wave depends only on earlier waves. Throws on cycles or unknown names. */
export function startWaves(children: readonly ChildSpec[]): ChildSpec[][] {
  const names = new Set(children.map((c) => c.name));
  for (const c of children) {
    for (const d of c.dependsOn ?? []) if (!names.has(d)) throw new Error(`${c.name} depends on unknown service ${d}`);
  }
  const done = new Set<string>();
  const waves: ChildSpec[][] = [];
  let left = [...children];
  while (left.length) {
    const wave = left.filter((c) => (c.dependsOn ?? []).every((d) => done.has(d)));
    if (!wave.length) throw new Error(`dependency cycle among ${left.map((c) => c.name).join(', ')}`);
    waves.push(wave);
    for (const c of wave) done.add(c.name);
    left = left.filter((c) => !done.has(c.name));
  }
  return waves;
}

/** Resolves when host:port accepts a TCP connection, rejects after timeoutMs. */
export function waitForPort(
  port: number,
  host: string,
  timeoutMs: number,
  isDead: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const dead = isDead();
      if (dead) return reject(new Error(dead));
      const sock = net.connect({ port, host });
      sock.setTimeout(1000);
      const retry = (): void => {
        sock.destroy();
        if (Date.now() >= deadline)
          reject(new Error(`no TCP answer on ${host}:${port} within ${Math.round(timeoutMs / 1000)} s`));
        else setTimeout(attempt, 100);
      };
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', retry);
      sock.once('timeout', retry);
    };
    attempt();
  });
}

/** Lines worth showing when not verbose: error-level JSON logs, fatal errors, uncaught exceptions. */
export function isNotable(line: string): boolean {
  if (/^\s*\d+: 0x[0-9a-f]+ /i.test(line)) return false; // native stack frames of a V8 fatal error
  if (line.startsWith('{')) {
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      return level === 'error' || level === 'fatal';
    } catch {
      // not JSON after all
    }
  }
  return /\b(error|fatal|uncaught|exception|out of memory|EADDRINUSE)\b/i.test(line);
}

export class Supervisor {
  private readonly children = new Map<string, Child>();
  private readonly out: (line: string) => void;
  private readonly backoff: BackoffOptions;
  private stopping = false;
  private started = false;

  constructor(private readonly opts: SupervisorOptions) {
    this.out = opts.output ?? ((l) => process.stderr.write(l + '\n'));
    this.backoff = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 30_000, ...opts.backoff };
    for (const spec of opts.children) {
      if (this.children.has(spec.name)) throw new Error(`duplicate child ${spec.name}`);
      this.children.set(spec.name, {
        spec,
        proc: undefined,
        state: 'stopped',
        restarts: 0,
        streak: 0,
        startedAt: undefined,
        timer: undefined,
        exited: Promise.resolve(),
        tail: [],
        printed: { windowStart: 0, count: 0, suppressed: 0 },
      });
    }
  }

  /** Start every child in dependency order; rejects (after stopping what it started) if one fails. */
  async start(): Promise<void> {
    if (this.started) throw new Error('supervisor already started');
    this.started = true;
    try {
      // Each child starts as soon as its own dependencies answer (not a whole wave), so one slow
      // service delays only those that need it. startWaves validates names and cycles first.
      startWaves(this.opts.children);
      const ready = new Map<string, Promise<void>>();
      const readyOf = (spec: ChildSpec): Promise<void> => {
        let p = ready.get(spec.name);
        if (!p) {
          p = Promise.all((spec.dependsOn ?? []).map((d) => readyOf(this.children.get(d)!.spec))).then(() => {
            if (this.stopping) throw new Error('stopped while starting');
            return this.startAndWait(this.children.get(spec.name)!);
          });
          ready.set(spec.name, p);
        }
        return p;
      };
      const all = this.opts.children.map(readyOf);
      // Fail fast on the first error, but let the others settle before stopping them.
      await Promise.all(all).catch(async (e: unknown) => {
        this.stopping = true;
        await Promise.allSettled(all);
        throw e;
      });
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  list(): ChildInfo[] {
    return [...this.children.values()].map((c) => ({
      name: c.spec.name,
      pid: c.proc?.pid,
      state: c.state,
      restarts: c.restarts,
      port: c.spec.port,
      startedAt: c.startedAt,
    }));
  }

  /** PIDs of the children now alive. */
  pids(): number[] {
    return [...this.children.values()].flatMap((c) =>
      c.proc?.pid !== undefined && c.proc.exitCode === null && c.proc.signalCode === null ? [c.proc.pid] : [],
    );
  }

  private async startAndWait(child: Child): Promise<void> {
    const t0 = Date.now();
    this.spawnChild(child);
    const port = child.spec.port;
    if (port === undefined) return;
    const proc = child.proc;
    await waitForPort(port, this.opts.host ?? '127.0.0.1', this.opts.readinessTimeoutMs ?? 60_000, () => {
      if (this.stopping) return 'stopped while starting';
      if (proc && (proc.exitCode !== null || proc.signalCode !== null)) {
        return `${child.spec.name} exited (code ${proc.exitCode}, signal ${proc.signalCode}) before it was ready${this.tailText(child)}`;
      }
      return undefined;
    }).catch((e: Error) => {
      throw new Error(
        `${child.spec.name} did not become ready: ${e.message}${e.message.includes('before it was ready') ? '' : this.tailText(child)}`,
      );
    });
    if (this.opts.verbose)
      this.out(
        `[supervisor] ${child.spec.name} ready on port ${port} in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${proc?.pid})`,
      );
  }

  private tailText(child: Child): string {
    const lines = child.tail.slice(-8);
    return lines.length ? `; last output:\n  ${lines.join('\n  ')}` : '';
  }

  private spawnChild(child: Child): void {
    const { spec } = child;
    const proc = spawn(spec.command ?? process.execPath, [...spec.args], {
      env: { ...spec.env, ORRERY_SUPERVISED: '1' },
      // stdin is a pipe the child watches (child-guard.ts): EOF means the supervisor is gone.
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: false,
    });
    child.proc = proc;
    child.state = 'starting';
    child.startedAt = Date.now();
    child.tail.length = 0;
    proc.stdin?.on('error', () => undefined); // EPIPE when the child has already gone
    for (const [stream, isErr] of [
      [proc.stdout, false],
      [proc.stderr, true],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onLine(child, line, isErr));
    }
    let resolveExit: () => void = () => undefined;
    child.exited = new Promise((r) => (resolveExit = r));
    proc.on('error', (err) => {
      this.out(`[supervisor] ${spec.name} could not be started: ${err.message}`);
    });
    proc.on('exit', (code, signal) => {
      resolveExit();
      if (child.proc === proc) this.onExit(child, code, signal);
    });
    if (child.state === 'starting') child.state = 'running';
  }

  private onLine(child: Child, line: string, isErr: boolean): void {
    child.tail.push(line);
    if (child.tail.length > TAIL_LINES) child.tail.shift();
    const name = child.spec.name;
    if (this.opts.verbose) return this.out(`${name} | ${line}`);
    if (!isNotable(line)) return;
    void isErr;
    // Quiet mode also caps the rate, so a failing service cannot flood the terminal.
    const now = Date.now();
    const p = child.printed;
    if (now - p.windowStart > 10_000) {
      if (p.suppressed) this.out(`${name} | … ${p.suppressed} more error line(s) suppressed`);
      p.windowStart = now;
      p.count = 0;
      p.suppressed = 0;
    }
    if (p.count++ < QUIET_LINES_PER_10S) this.out(`${name} | ${line}`);
    else p.suppressed++;
  }

  private exitReason(child: Child, code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    return oomLine(child.tail) === undefined ? how : `out of memory (${how})`;
  }

  private record(level: LogLevel, msg: string, fields: LogFields): void {
    const severity = severityOf(level);
    this.opts.logger?.emit({
      severityNumber: severity.number,
      severityText: severity.text,
      body: msg,
      attributes: toLogAttributes(fields),
    });
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    const name = child.spec.name;
    if (this.stopping || child.state === 'stopping') {
      child.state = 'stopped';
      return;
    }
    const uptime = Date.now() - (child.startedAt ?? Date.now());
    if (uptime >= this.backoff.resetAfterMs) child.streak = 0;
    child.streak++;
    child.restarts++;
    const delay = backoffDelay(child.streak, this.backoff);
    const reason = this.exitReason(child, code, signal);
    child.state = 'backoff';
    const secs = delay >= 1000 ? `${Math.round(delay / 100) / 10}s` : `${delay}ms`;
    const fatal = oomLine(child.tail);
    this.out(
      `[supervisor] ${name} exited (code ${code}, signal ${signal}${fatal === undefined ? '' : ', out of memory'}), restart #${child.restarts} in ${secs}`,
    );
    this.record(
      fatal === undefined ? 'warn' : 'error',
      `${name} exited: ${reason}; restart #${child.restarts} in ${secs}`,
      {
        'app.service.name': name,
        'process.pid': child.proc?.pid,
        'process.exit.code': code,
        'app.process.exit.signal': signal,
        'app.process.out_of_memory': fatal !== undefined,
        'app.process.fatal_error': fatal,
        'app.process.uptime_ms': uptime,
        'app.restart.count': child.restarts,
        'app.restart.delay_ms': delay,
      },
    );
    try {
      this.opts.onRestart?.(name, child.restarts, reason);
    } catch (e) {
      this.out(`[supervisor] onRestart callback failed: ${(e as Error).message}`);
    }
    child.timer = setTimeout(() => {
      child.timer = undefined;
      if (this.stopping) return;
      this.spawnChild(child);
      const port = child.spec.port;
      const proc = child.proc;
      if (port !== undefined) {
        waitForPort(port, this.opts.host ?? '127.0.0.1', this.opts.readinessTimeoutMs ?? 60_000, () =>
          this.stopping || proc !== child.proc || (proc && proc.exitCode !== null) ? 'gone' : undefined,
        ).then(
          () => {
            this.out(`[supervisor] ${name} is back (pid ${proc?.pid})`);
            this.record('info', `${name} is back after restart #${child.restarts}`, {
              'app.service.name': name,
              'process.pid': proc?.pid,
              'app.restart.count': child.restarts,
            });
          },
          (e: Error) => {
            if (e.message !== 'gone') this.out(`[supervisor] ${name} restarted but is not answering: ${e.message}`);
          },
        );
      }
    }, delay);
  }

  /** SIGTERM every child, wait up to stopTimeoutMs, SIGKILL the rest, and wait until all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running: Child[] = [];
    for (const c of this.children.values()) {
      if (c.timer) clearTimeout(c.timer);
      c.timer = undefined;
      const p = c.proc;
      if (p && p.exitCode === null && p.signalCode === null) {
        c.state = 'stopping';
        running.push(c);
        p.kill('SIGTERM');
      } else c.state = 'stopped';
    }
    const grace = this.opts.stopTimeoutMs ?? 5000;
    const all = Promise.all(running.map((c) => c.exited));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace))),
    ]);
    if (timer) clearTimeout(timer);
    if (timedOut) {
      for (const c of running) {
        const p = c.proc;
        if (p && p.exitCode === null && p.signalCode === null) {
          this.out(`[supervisor] ${c.spec.name} did not stop within ${grace} ms; killing it`);
          p.kill('SIGKILL');
        }
      }
      await all;
    }
    for (const c of running) c.state = 'stopped';
  }
}
