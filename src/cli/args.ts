// A tiny flag parser for the `orrery` commands: `--name value` and `--name=value`, boolean
// `--name` / `--no-name`, an environment variable for each flag (the flag wins), typed values
// (ports, sizes like 256MB or 1GiB, durations like 2h or 1h30m) and errors that name the flag
// and say what was expected. Sizes follow Prometheus's convention: KB, MB, GB are powers of 1024,
// as are KiB, MiB, GiB. A 'list' flag may be repeated and each value may be comma-separated.

export type FlagType = 'string' | 'int' | 'port' | 'size' | 'duration' | 'bool' | 'number' | 'list';

export interface FlagSpec {
  readonly type: FlagType;
  /** environment variable read when the flag is absent */
  readonly env?: string;
  /** a value of the flag's type, or its text form ('256MB', '2h') */
  readonly default?: string | number | boolean;
  readonly help: string;
  /** placeholder in usage text, e.g. 'PORT' */
  readonly metavar?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type ValueOf<T extends FlagType> = T extends 'string'
  ? string
  : T extends 'bool'
    ? boolean
    : T extends 'list'
      ? string[]
      : number;

/** Parsed values by flag name; flags without a default may be undefined. */
export type ParsedFlags<S extends FlagSpecs> = {
  -readonly [K in keyof S]: S[K] extends { default: string | number | boolean }
    ? ValueOf<S[K]['type']>
    : ValueOf<S[K]['type']> | undefined;
};

export interface ParseResult<S extends FlagSpecs> {
  readonly flags: ParsedFlags<S>;
  readonly positionals: string[];
  readonly help: boolean;
}

/** A command-line mistake: print the message (and usage) and exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** '256MB' → 268435456; throws with a reason on bad input. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new Error(`"${text}" is not a size (examples: 512MB, 1GiB, 1048576)`);
  }
  return Math.round(Number(m[1]) * unit);
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/**
 * Prometheus-style duration ('2h', '30m', '1h30m', '500ms', '10s') → milliseconds. '0' is allowed.
 * Laxer on purpose than promql/parser/format.ts parseDuration (model.ParseDuration): flags also
 * take fractions ('1.5h') and units in any order.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length || s === '')
    throw new Error(`"${text}" is not a duration (examples: 2h, 30m, 1h30m, 10s, 500ms)`);
  return Math.round(total);
}

function parseValue(type: FlagType, text: string): string | number | boolean | string[] {
  switch (type) {
    case 'string':
      return text;
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'bool': {
      const t = text.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(t)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
      throw new Error(`"${text}" is not a boolean (true or false)`);
    }
    case 'int': {
      if (!/^-?\d+$/.test(text.trim())) throw new Error(`"${text}" is not an integer`);
      return Number(text);
    }
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`"${text}" is not a number`);
      return n;
    }
    case 'port': {
      const n = Number(text);
      if (!/^\d+$/.test(text.trim()) || n > 65535)
        throw new Error(`"${text}" is not a port number (0-65535; 0 picks a free port)`);
      return n;
    }
    case 'size':
      return parseSize(text);
    case 'duration':
      return parseDuration(text);
  }
}

function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/**
 * Parses argv against specs keyed by camelCase names (`otlpHttpPort` is `--otlp-http-port`).
 * Throws UsageError on unknown flags, missing values and bad values.
 */
export function parseArgs<S extends FlagSpecs>(
  argv: readonly string[],
  specs: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ParseResult<S> {
  const byFlag = new Map<string, string>();
  for (const key of Object.keys(specs)) byFlag.set(flagName(key), key);
  const raw = new Map<string, string | boolean>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let key = byFlag.get(name);
    if (key === undefined && name.startsWith('no-') && eq < 0) {
      const k = byFlag.get(name.slice(3));
      if (k !== undefined && specs[k]!.type === 'bool') {
        raw.set(k, false);
        continue;
      }
    }
    if (key === undefined) throw new UsageError(`unknown option --${name}`);
    const spec = specs[key]!;
    let value: string | boolean;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (spec.type === 'bool') value = true;
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new UsageError(`option --${name} needs a value`);
      value = next;
      i++;
    }
    const before = raw.get(key);
    // A repeated list flag adds to the list; any other flag takes its last value.
    raw.set(
      key,
      spec.type === 'list' && typeof before === 'string' && typeof value === 'string' ? `${before},${value}` : value,
    );
    name = '';
    key = undefined;
  }
  const flags: Record<string, string | number | boolean | string[] | undefined> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const given = raw.get(key);
    const envText = spec.env !== undefined ? env[spec.env] : undefined;
    let source: string;
    let text: string | boolean | undefined;
    if (given !== undefined) {
      source = `--${flagName(key)}`;
      text = given;
    } else if (envText !== undefined && envText !== '') {
      source = `${spec.env}`;
      text = envText;
    } else {
      source = `default of --${flagName(key)}`;
      text = spec.default === undefined ? undefined : typeof spec.default === 'string' ? spec.default : undefined;
      if (text === undefined) {
        flags[key] = spec.default;
        continue;
      }
    }
    if (typeof text === 'boolean') {
      flags[key] = text;
      continue;
    }
    try {
      flags[key] = parseValue(spec.type, text);
    } catch (e) {
      throw new UsageError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { flags: flags as ParsedFlags<S>, positionals, help };
}

/** Usage lines for the flags, aligned, with env variables and defaults. */
export function formatFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([key, s]) => {
    const left = `  --${flagName(key)}${s.type === 'bool' ? '' : ` ${s.metavar ?? s.type.toUpperCase()}`}`;
    const extra: string[] = [];
    if (s.default !== undefined) extra.push(`default ${String(s.default)}`);
    if (s.env) extra.push(`env ${s.env}`);
    return [left, `${s.help}${extra.length ? ` (${extra.join(', ')})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, r]) => l.padEnd(width) + r).join('\n');
}
