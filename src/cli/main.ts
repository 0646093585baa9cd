#!/usr/bin/env node
// The command dispatcher behind `orrery <command> [options]`, and the backend's own commands.
// A command is a module exporting run(argv) → exit code, loaded only when it runs, so
// `orrery flags …` does not pay for the backend's modules.
//
// Run directly (dist/src/cli/main.js), this is the backend alone: serve and promql-test. The
// `orrery` bin is demo/cli/main.ts, which adds the demo's commands (demo, flags, load) to these.
// Commands come in as a registry rather than being found here because src/ never imports demo/:
// the demo depends on the backend, never the reverse (eslint.config.js and test/architecture.test.ts
// hold that line).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export interface Command {
  /** one line for `orrery --help` */
  readonly summary: string;
  load(): Promise<CommandModule>;
}

/** Commands by name, in the order `orrery --help` lists them. */
export type CommandRegistry = Readonly<Record<string, Command>>;

export const BACKEND_COMMANDS = {
  serve: {
    summary: 'run the telemetry backend: OTLP in, trace and metric stores, query APIs and the console',
    load: () => import('./commands/serve.js'),
  },
  'promql-test': {
    summary: 'run Prometheus PromQL test scripts (*.test) against the engine',
    load: () => import('./commands/promql-test.js'),
  },
} as const satisfies CommandRegistry;

export function usage(commands: CommandRegistry): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length)) + 2;
  return [
    'Usage: orrery <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([c, d]) => `  ${c.padEnd(width)}${d.summary}`),
    '',
    'Run `orrery <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[], commands: CommandRegistry = BACKEND_COMMANDS): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(usage(commands));
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    console.log('orrery 0.1.0');
    return 0;
  }
  if (!Object.hasOwn(commands, command)) {
    console.error(`orrery: unknown command "${command}"\n`);
    console.error(usage(commands));
    return 2;
  }
  const mod = await commands[command]!.load();
  return mod.run(rest);
}

/** Whether the module at `moduleUrl` is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    // realpath: the npm bin is a symlink to the file
    return realpathSync(invoked) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Runs `orrery` over `commands` with the process's arguments and sets its exit code. */
export function runAsBin(commands: CommandRegistry): void {
  main(process.argv.slice(2), commands).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`orrery: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
    },
  );
}

// Run only when executed, not when imported (by the bin or by tests).
if (isEntryPoint(import.meta.url)) runAsBin(BACKEND_COMMANDS);
