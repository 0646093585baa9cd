// featureflagservice: serves the flags of a flagd-format file over OFREP and a management API.
// Env: PORT (listen port), FLAGS_FILE (the live file; the bundled defaults are copied there when
// it does not exist yet), ANNOTATIONS_URL (where flag changes are posted as chart markers),
// HOST (listen address, default 127.0.0.1).
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log as emit } from '../services/common/log.js';
import { FlagStore } from './store.js';
import { createFlagServer } from './server.js';

/** The bundled defaults: next to this file in the source tree, or demo/flags/ from dist/. */
async function defaultFlagsText(): Promise<string> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'flags.json'), path.resolve(here, '../../../demo/flags/flags.json')];
  for (const c of candidates) {
    try {
      return await fsp.readFile(c, 'utf8');
    } catch {
      // try the next place
    }
  }
  throw new Error(`bundled flags.json not found (looked in ${candidates.join(', ')})`);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '8013');
  const host = process.env.HOST ?? '127.0.0.1';
  const defaults = await defaultFlagsText();
  let file = process.env.FLAGS_FILE;
  if (!file) file = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'orrery-flags-')), 'flags.json');
  await fsp.mkdir(path.dirname(file), { recursive: true });
  // Copy the defaults only when missing, so a restart of this service keeps the flags as set.
  await fsp.writeFile(file, defaults, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });

  // Each line also becomes a log record (flag changes, reloads, errors), its level read from the text.
  const log = (line: string): void => {
    console.error(line);
    const msg = line.replace(/^\[featureflagservice\] /, '');
    emit(/^(error|fatal)\b/.test(msg) ? 'error' : 'info', msg, {}, { stdout: false });
  };
  const store = await FlagStore.open({ file, fallbackText: defaults, log });
  store.watch();
  const server = createFlagServer({ store, annotationsUrl: process.env.ANNOTATIONS_URL, log });
  server.keepAliveTimeout = 65_000; // clients reuse connections for frequent evaluations
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  console.log(`[featureflagservice] listening on ${host}:${port}, flags in ${file}`);
  emit('info', `listening on ${host}:${port}`, { port, 'app.flags.file': file }, { stdout: false });

  const stop = (): void => {
    store.close();
    server.close();
    server.closeAllConnections();
    // The telemetry hook's own SIGTERM handler flushes and exits; this is the fallback when the
    // service runs without it.
    setTimeout(() => process.exit(0), 4000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(`[featureflagservice] fatal: ${(e as Error).message}`);
  process.exit(1);
});
