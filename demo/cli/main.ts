#!/usr/bin/env node
// The `orrery` bin: the backend's commands (src/cli/main.ts) and the demo's (this folder) in one
// registry. It is assembled here, on the demo side, because the demo depends on the backend and
// never the reverse: src/ cannot name demo/ modules, so the one place that knows both is the demo.
import { BACKEND_COMMANDS, isEntryPoint, runAsBin, type CommandRegistry } from '../../src/cli/main.js';

export const DEMO_COMMANDS = {
  demo: {
    summary: 'run the demo shop with the backend, the console and the load generator',
    load: () => import('./demo.js'),
  },
  flags: {
    summary: "read or set the demo's feature flags (e.g. orrery flags set recommendationCache on)",
    load: () => import('./flags.js'),
  },
  load: {
    summary: "read or change the demo's load generator (users, spawn rate)",
    load: () => import('./load.js'),
  },
} as const satisfies CommandRegistry;

/** Every command of `orrery`, in the order its --help lists them. */
export const ORRERY_COMMANDS: CommandRegistry = {
  serve: BACKEND_COMMANDS.serve,
  ...DEMO_COMMANDS,
  'promql-test': BACKEND_COMMANDS['promql-test'],
};

if (isEntryPoint(import.meta.url)) runAsBin(ORRERY_COMMANDS);
