// loadgenerator: simulated shop users against the frontend, with a control API.
// Env: PORT (control API), FRONTEND_ADDR (host:port of the frontend), LOAD_USERS (default 10),
// LOAD_SPAWN_RATE (users/s, default 1), LOAD_PAUSE_SCALE (default 1), LOAD_AUTOSTART (default
// true), HOST (listen address, default 127.0.0.1).
import { LoadRunner, MAX_SPAWN_RATE, MAX_USERS } from './runner.js';
import { createLoadServer } from './server.js';

function numberEnv(name: string, fallback: number, ok: (n: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`${name}=${raw} is not valid`);
  return n;
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '8089');
  const host = process.env.HOST ?? '127.0.0.1';
  const frontend = process.env.FRONTEND_ADDR ?? '127.0.0.1:8080';
  const runner = new LoadRunner({
    baseUrl: frontend.startsWith('http') ? frontend : `http://${frontend}`,
    users: numberEnv('LOAD_USERS', 10, (n) => Number.isInteger(n) && n >= 0 && n <= MAX_USERS),
    spawnRate: numberEnv('LOAD_SPAWN_RATE', 1, (n) => n > 0 && n <= MAX_SPAWN_RATE),
    pauseScale: numberEnv('LOAD_PAUSE_SCALE', 1, (n) => n > 0 && n <= 100),
    running: !['0', 'false', 'no', 'off'].includes((process.env.LOAD_AUTOSTART ?? 'true').toLowerCase()),
  });
  const server = createLoadServer(runner);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const s = runner.snapshot();
  console.log(
    `[loadgenerator] control API on ${host}:${port}; ${s.targetUsers} users at ${s.spawnRate}/s against ${frontend} (${s.running ? 'running' : 'stopped'})`,
  );

  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    void runner.close();
    // The telemetry hook's own SIGTERM handler flushes and exits; this is the fallback when the
    // service runs without it.
    setTimeout(() => process.exit(0), 4000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(`[loadgenerator] fatal: ${(e as Error).message}`);
  process.exit(1);
});
