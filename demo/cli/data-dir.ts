// Where `orrery demo` keeps its data between runs: one directory per console port (two demos on
// different ports never share one), under the XDG state directory as the base-directory spec
// places state that should outlive a restart but is not a document: $XDG_STATE_HOME, or
// ~/.local/state when that is unset or not an absolute path.
import os from 'node:os';
import path from 'node:path';

export function defaultDemoDataDir(port: number, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const xdg = env['XDG_STATE_HOME'];
  const state = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'state');
  return path.join(state, 'orrery', `demo-${port}`);
}

/** The data directory for the flags given: --data-dir, none with --ephemeral, else the default. */
export function demoDataDir(
  flags: { readonly dataDir?: string | undefined; readonly ephemeral: boolean },
  port: number,
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
): string | undefined {
  if (flags.ephemeral) return undefined;
  return flags.dataDir !== undefined ? path.resolve(flags.dataDir) : defaultDemoDataDir(port, env, home);
}
