// The flag file as the single source of truth. The store keeps the last good definitions in a
// flagd-core instance, reloads when the file changes (fs.watch on the directory, because an
// atomic rename replaces the file's inode, plus a stat poll where fs.watch misses events), and
// keeps serving the last good flags when an edit breaks the file, reporting why.
import { promises as fsp, statSync, watch as fsWatch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { FlagdCore } from '@openfeature/flagd-core';
import {
  applySetting,
  flagSetting,
  hasCustomTargeting,
  parseFlagFile,
  parseSetting,
  FlagValueError,
  type FlagDefinition,
  type FlagFile,
  type FlagSetting,
  type FlagState,
  type JsonObject,
} from './definitions.js';

export interface FlagInfo {
  key: string;
  description: string;
  state: FlagState;
  variants: JsonObject;
  defaultVariant: string;
  /** "on", "off", the probability of "on" for a fractional rule, or the default variant's name */
  value: FlagSetting;
  /** true when the targeting is something other than our two-bucket fractional rule */
  customTargeting: boolean;
}

export interface FlagStatus {
  file: string;
  /** bumps on every applied change */
  version: number;
  loadedAt: string;
  /** why the file on disk is not in force (the last good flags are), or null */
  error: { message: string; at: string } | null;
}

export interface FlagStoreOptions {
  file: string;
  /** text to start from when the file is missing or invalid at start */
  fallbackText?: string;
  log?: (line: string) => void;
  pollMs?: number;
}

export class UnknownFlagError extends Error {}

interface Loaded {
  file: FlagFile;
  core: FlagdCore;
}

export class FlagStore {
  private loaded: Loaded;
  private lastText: string;
  private lastTextValid = true;
  private version = 1;
  private loadedAt = new Date().toISOString();
  private error: FlagStatus['error'] = null;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastStat = '';
  private writes: Promise<unknown> = Promise.resolve();
  private tmpCounter = 0;
  private readonly log: (line: string) => void;
  private readonly listeners: Array<(version: number) => void> = [];

  private constructor(
    private readonly opts: FlagStoreOptions,
    loaded: Loaded,
    text: string,
  ) {
    this.loaded = loaded;
    this.lastText = text;
    this.log = opts.log ?? ((l) => console.error(l));
  }

  /** Load the file; if it is missing or invalid, start from the fallback and report the error. */
  static async open(opts: FlagStoreOptions): Promise<FlagStore> {
    let text: string | undefined;
    let problem: string | undefined;
    try {
      text = await fsp.readFile(opts.file, 'utf8');
    } catch (e) {
      problem = `cannot read ${opts.file}: ${(e as Error).message}`;
    }
    if (text !== undefined) {
      const parsed = parseFlagFile(text);
      if (parsed.ok) return new FlagStore(opts, parsed, text);
      problem = `${opts.file}: ${parsed.error}`;
    }
    if (opts.fallbackText === undefined) throw new Error(problem);
    const fb = parseFlagFile(opts.fallbackText);
    if (!fb.ok) throw new Error(`fallback flags invalid: ${fb.error}`);
    const store = new FlagStore(opts, fb, text ?? opts.fallbackText);
    store.lastTextValid = text === undefined;
    store.error = { message: `${problem}; serving the built-in default flags`, at: new Date().toISOString() };
    store.log(`[featureflagservice] error: ${store.error.message}`);
    return store;
  }

  get core(): FlagdCore {
    return this.loaded.core;
  }

  status(): FlagStatus {
    return { file: this.opts.file, version: this.version, loadedAt: this.loadedAt, error: this.error };
  }

  onChange(listener: (version: number) => void): void {
    this.listeners.push(listener);
  }

  list(): FlagInfo[] {
    return Object.entries(this.loaded.file.flags).map(([key, flag]) => info(key, flag));
  }

  get(key: string): FlagInfo | undefined {
    const flag = this.loaded.file.flags[key];
    return flag ? info(key, flag) : undefined;
  }

  /**
   * Set a flag from the API value ("on" | "off" | 0..1) and write the file atomically.
   * Throws UnknownFlagError or FlagValueError (both mean HTTP 400).
   */
  set(key: string, value: unknown): Promise<{ flag: FlagInfo; changed: boolean }> {
    // Serialize writers so two quick PUTs cannot interleave their read-modify-write.
    const run = this.writes.then(() => this.setNow(key, value));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async setNow(key: string, value: unknown): Promise<{ flag: FlagInfo; changed: boolean }> {
    const current = this.loaded.file.flags[key];
    if (!current)
      throw new UnknownFlagError(
        `unknown flag ${JSON.stringify(key)}; flags are ${Object.keys(this.loaded.file.flags).join(', ')}`,
      );
    const setting = parseSetting(value);
    const next = applySetting(key, current, setting);
    const file: FlagFile = { ...this.loaded.file, flags: { ...this.loaded.file.flags, [key]: next } };
    const text = JSON.stringify(file, null, 2) + '\n';
    const parsed = parseFlagFile(text);
    if (!parsed.ok) throw new FlagValueError(parsed.error);
    const changed = text !== this.lastText;
    await this.writeAtomically(text);
    this.apply(parsed, text);
    // The write replaced whatever invalid edit was on disk, so nothing is in error any more.
    this.error = null;
    return { flag: info(key, next), changed };
  }

  private async writeAtomically(text: string): Promise<void> {
    const dir = path.dirname(this.opts.file);
    const tmp = path.join(dir, `.${path.basename(this.opts.file)}.${process.pid}.${++this.tmpCounter}.tmp`);
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fsp.rename(tmp, this.opts.file);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  private apply(parsed: Loaded, text: string): void {
    this.loaded = { file: parsed.file, core: parsed.core };
    this.lastText = text;
    this.lastTextValid = true;
    this.version++;
    this.loadedAt = new Date().toISOString();
    for (const l of this.listeners) l(this.version);
  }

  /** Read the file and apply it if it changed; returns true when new flags took effect. */
  async reload(): Promise<boolean> {
    let text: string;
    try {
      text = await fsp.readFile(this.opts.file, 'utf8');
    } catch (e) {
      return this.reportError(`cannot read ${this.opts.file}: ${(e as Error).message}`);
    }
    if (text === this.lastText) {
      // Unchanged text: only a "cannot read" error can have gone away (the file came back).
      if (this.error && this.lastTextValid) this.error = null;
      return false;
    }
    const parsed = parseFlagFile(text);
    if (!parsed.ok) {
      this.lastText = text; // do not re-report the same broken text on every poll
      this.lastTextValid = false;
      return this.reportError(`${this.opts.file}: ${parsed.error}`);
    }
    this.apply(parsed, text);
    if (this.error) this.log(`[featureflagservice] flag file is valid again: ${this.opts.file}`);
    this.error = null;
    this.log(`[featureflagservice] reloaded flags from ${this.opts.file} (version ${this.version})`);
    return true;
  }

  private reportError(message: string): false {
    if (this.error?.message !== message) {
      this.log(`[featureflagservice] error: ${message}; keeping the last good flags`);
    }
    this.error = { message, at: new Date().toISOString() };
    return false;
  }

  /** Start watching the file so an edit takes effect within about a second. */
  watch(): void {
    const dir = path.dirname(this.opts.file);
    const base = path.basename(this.opts.file);
    const schedule = (): void => {
      if (this.debounce) clearTimeout(this.debounce);
      // Editors write in several steps; wait for them to settle before parsing.
      this.debounce = setTimeout(() => void this.reload(), 100);
    };
    try {
      this.watcher = fsWatch(dir, { persistent: false }, (_event, name) => {
        if (name === null || name === base) schedule();
      });
      this.watcher.on('error', () => undefined); // the poll still covers us
    } catch {
      // fs.watch is unavailable on some filesystems; the poll below covers it.
    }
    try {
      const s = statSync(this.opts.file);
      this.lastStat = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      this.lastStat = 'missing';
    }
    const pollMs = this.opts.pollMs ?? 1000;
    this.poll = setInterval(() => {
      fsp.stat(this.opts.file).then(
        (s) => {
          const sig = `${s.ino}:${s.size}:${s.mtimeMs}`;
          if (sig !== this.lastStat) {
            this.lastStat = sig;
            schedule();
          }
        },
        () => {
          if (this.lastStat !== 'missing') {
            this.lastStat = 'missing';
            schedule();
          }
        },
      );
    }, pollMs);
    this.poll.unref();
  }

  close(): void {
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
  }
}

function info(key: string, flag: FlagDefinition): FlagInfo {
  const description = flag.metadata?.description;
  return {
    key,
    description: typeof description === 'string' ? description : '',
    state: flag.state,
    variants: flag.variants,
    defaultVariant: flag.defaultVariant,
    value: flagSetting(flag),
    customTargeting: hasCustomTargeting(flag),
  };
}
