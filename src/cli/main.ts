#!/usr/bin/env node
// The `orrery` command: dispatches `orrery <command> [options]` to ./commands/<command>.js, each
// exporting run(argv) → exit code. Commands load on demand so `orrery flags …` does not pay for
// the backend's modules.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const COMMANDS: Readonly<Record<string, string>> = {
  serve: 'run the telemetry backend: OTLP in, trace and metric stores, query APIs and the console',
  demo: 'run the demo shop with the backend, the console and the load generator',
  flags: "read or set the demo's feature flags (e.g. orrery flags set recommendationCache on)",
  load: "read or change the demo's load generator (users, spawn rate)",
  'promql-test': 'run Prometheus PromQL test scripts (*.test) against the engine',
};

interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'Usage: orrery <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([c, d]) => `  ${c.padEnd(width)}${d}`),
    '',
    'Run `orrery <command> --help` for the options of a command.',
  ].join('\n');
}

function isCommandModule(m: unknown): m is CommandModule {
  return typeof m === 'object' && m !== null && typeof (m as { run?: unknown }).run === 'function';
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(usage());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    console.log('orrery 0.1.0');
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    console.error(`orrery: unknown command "${command}"\n`);
    console.error(usage());
    return 2;
  }
  let mod: unknown;
  try {
    mod = await import(`./commands/${command}.js`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String((err as Error).message).includes(`commands/${command}.js`))
      throw err;
    mod = undefined;
  }
  if (!isCommandModule(mod)) {
    console.error(`orrery: command "${command}" is not available in this build`);
    return 1;
  }
  return mod.run(rest);
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    // realpath: the npm bin is a symlink to this file
    return realpathSync(invoked) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run only when executed as the bin, not when imported by tests.
if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`orrery: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
    },
  );
}
