// The swarm: simulated users, each looping task → pause, added or removed one at a time at the
// spawn rate (Locust's ramp), with a parent span per task so the undici client spans of its
// requests hang under it, and the demo's baggage (session.id, synthetic_request=true).
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { context, propagation, trace, SpanStatusCode } from '@opentelemetry/api';
import { RequestStats, type EndpointStats, type ErrorStats } from './stats.js';
import { TASKS, pauseMs, pickTask, type ShopClient, type Task } from './tasks.js';

export const MAX_USERS = 500;
export const MAX_SPAWN_RATE = 100;

export interface RunnerOptions {
  /** frontend base URL, e.g. http://127.0.0.1:8090 */
  baseUrl: string;
  users?: number;
  spawnRate?: number;
  /** multiplies the 1–10 s pause (0.1 makes a test ten times busier per user) */
  pauseScale?: number;
  running?: boolean;
  random?: () => number;
  tasks?: readonly Task[];
  requestTimeoutMs?: number;
  now?: () => number;
}

export interface LoadSnapshot {
  running: boolean;
  /** users currently active */
  users: number;
  targetUsers: number;
  spawnRate: number;
  pauseScale: number;
  stats: EndpointStats[];
  totals: EndpointStats;
  errors: ErrorStats[];
}

export interface LoadUpdate {
  users?: number;
  spawnRate?: number;
  running?: boolean;
}

interface SimUser {
  readonly sessionId: string;
  stopped: boolean;
  readonly wake: AbortController;
}

const tracer = trace.getTracer('loadgenerator');

function errorText(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timeout';
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class LoadRunner {
  readonly stats: RequestStats;
  private readonly users = new Set<SimUser>();
  private targetUsers: number;
  private spawnRate: number;
  private running: boolean;
  private readonly pauseScale: number;
  private readonly random: () => number;
  private readonly tasks: readonly Task[];
  private readonly timeoutMs: number;
  private ticker: NodeJS.Timeout | undefined;
  private readonly loops = new Set<Promise<void>>();

  constructor(private readonly opts: RunnerOptions) {
    this.targetUsers = opts.users ?? 10;
    this.spawnRate = opts.spawnRate ?? 1;
    this.pauseScale = opts.pauseScale ?? 1;
    this.running = opts.running ?? false;
    this.random = opts.random ?? Math.random;
    this.tasks = opts.tasks ?? TASKS;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.stats = new RequestStats(opts.now);
    if (this.running) this.schedule();
  }

  snapshot(): LoadSnapshot {
    return {
      running: this.running,
      users: [...this.users].filter((u) => !u.stopped).length,
      targetUsers: this.targetUsers,
      spawnRate: this.spawnRate,
      pauseScale: this.pauseScale,
      stats: this.stats.endpoints(),
      totals: this.stats.totals(),
      errors: this.stats.errorList(),
    };
  }

  /** Apply a validated update (see validateUpdate). */
  configure(u: LoadUpdate): void {
    if (u.users !== undefined) this.targetUsers = u.users;
    if (u.spawnRate !== undefined) this.spawnRate = u.spawnRate;
    if (u.running === false && this.running) {
      this.running = false;
      // Like Locust's stop: every user stops at once (in-flight requests still finish).
      for (const user of this.users) this.retire(user);
    } else if (u.running === true) {
      this.running = true;
    }
    this.schedule();
  }

  /** Stop all users and wait until their loops have ended. */
  async close(): Promise<void> {
    this.configure({ running: false });
    if (this.ticker) clearTimeout(this.ticker);
    await Promise.all([...this.loops]);
  }

  private schedule(): void {
    if (this.ticker) clearTimeout(this.ticker);
    this.ticker = undefined;
    if (!this.running) return;
    const active = [...this.users].filter((u) => !u.stopped);
    if (active.length === this.targetUsers) return;
    // One user per tick, the first right away: spawn rate r means 1000/r ms between users.
    const step = (): void => {
      this.ticker = undefined;
      if (!this.running) return;
      const live = [...this.users].filter((u) => !u.stopped);
      if (live.length < this.targetUsers) this.spawn();
      else if (live.length > this.targetUsers) this.retire(live[live.length - 1] as SimUser);
      else return;
      this.ticker = setTimeout(step, Math.max(1, 1000 / this.spawnRate));
    };
    step();
  }

  private retire(user: SimUser): void {
    user.stopped = true;
    user.wake.abort();
  }

  private spawn(): void {
    const user: SimUser = { sessionId: randomUUID(), stopped: false, wake: new AbortController() };
    this.users.add(user);
    const loop = this.userLoop(user).finally(() => {
      this.users.delete(user);
      this.loops.delete(loop);
    });
    this.loops.add(loop);
  }

  private async userLoop(user: SimUser): Promise<void> {
    const bag = propagation.createBaggage({
      'session.id': { value: user.sessionId },
      synthetic_request: { value: 'true' },
    });
    const ctx = propagation.setBaggage(context.active(), bag);
    while (!user.stopped) {
      const task = pickTask(this.tasks, this.random);
      await context.with(ctx, () => this.runTask(task, user));
      if (user.stopped) break;
      await sleep(pauseMs(this.random, this.pauseScale), user.wake.signal);
    }
  }

  private runTask(task: Task, user: SimUser): Promise<void> {
    return tracer.startActiveSpan(`user ${task.name}`, async (span) => {
      let failed = 0;
      const client: ShopClient = {
        request: async (method, name, path, body) => {
          const ok = await this.request(method, name, path, body);
          if (!ok) failed++;
          return ok;
        },
      };
      try {
        span.setAttribute('session.id', user.sessionId);
        await task.run({ sessionId: user.sessionId, random: this.random, client });
        if (failed > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} request(s) failed` });
      } catch (e) {
        span.recordException(e as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
      } finally {
        span.end();
      }
    });
  }

  private async request(method: 'GET' | 'POST', name: string, path: string, body?: unknown): Promise<boolean> {
    const t0 = performance.now();
    let error: string | undefined;
    for (let attempt = 1; ; attempt++) {
      error = undefined;
      try {
        const res = await fetch(this.opts.baseUrl + path, {
          method,
          headers: body === undefined ? undefined : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await res.arrayBuffer(); // Locust times the whole response, body included
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (e) {
        error = errorText(e);
      }
      // A pooled keep-alive connection the server closed just as it was reused fails before any
      // response; browsers retry such an idempotent request once, and so do we.
      if (attempt === 1 && method === 'GET' && (error === 'UND_ERR_SOCKET' || error === 'ECONNRESET')) continue;
      break;
    }
    this.stats.record(method, name, performance.now() - t0, error);
    return error === undefined;
  }
}

/** Validate a PUT /api/load body; returns the update or the reason it is refused. */
export function validateUpdate(body: unknown): { ok: true; update: LoadUpdate } | { ok: false; error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, error: 'body must be a JSON object {users?, spawnRate?, running?}' };
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !['users', 'spawnRate', 'running'].includes(k));
  if (unknown.length)
    return { ok: false, error: `unknown field(s) ${unknown.join(', ')}; use users, spawnRate, running` };
  const update: LoadUpdate = {};
  if (b.users !== undefined) {
    if (typeof b.users !== 'number' || !Number.isInteger(b.users) || b.users < 0 || b.users > MAX_USERS) {
      return { ok: false, error: `users must be an integer from 0 to ${MAX_USERS}, got ${JSON.stringify(b.users)}` };
    }
    update.users = b.users;
  }
  if (b.spawnRate !== undefined) {
    if (
      typeof b.spawnRate !== 'number' ||
      !Number.isFinite(b.spawnRate) ||
      b.spawnRate <= 0 ||
      b.spawnRate > MAX_SPAWN_RATE
    ) {
      return {
        ok: false,
        error: `spawnRate must be a number above 0 and at most ${MAX_SPAWN_RATE} users/s, got ${JSON.stringify(b.spawnRate)}`,
      };
    }
    update.spawnRate = b.spawnRate;
  }
  if (b.running !== undefined) {
    if (typeof b.running !== 'boolean')
      return { ok: false, error: `running must be true or false, got ${JSON.stringify(b.running)}` };
    update.running = b.running;
  }
  return { ok: true, update };
}
