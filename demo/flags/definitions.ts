// The flagd flag-definition format (https://flagd.dev/reference/flag-definitions/) as types, plus
// the validation and the two edits the management API makes. Validation runs before flagd-core
// so that a broken file is reported with a message a person can act on ("flag x: defaultVariant
// 'maybe' is not one of its variants on, off") instead of flagd-core's generic one.
import { FlagdCore } from '@openfeature/flagd-core';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type FlagState = 'ENABLED' | 'DISABLED';

export interface FlagDefinition {
  state: FlagState;
  variants: JsonObject;
  defaultVariant: string;
  /** JsonLogic; absent or {} means "always the default variant" */
  targeting?: JsonObject;
  /** flagd allows string/number/boolean values here; we keep `description` in it */
  metadata?: Record<string, string | number | boolean>;
}

export interface FlagFile {
  $schema?: string;
  flags: Record<string, FlagDefinition>;
  metadata?: Record<string, string | number | boolean>;
}

/** What the management API shows as a flag's current setting. */
export type FlagSetting = 'on' | 'off' | number | string;

export type ParseResult = { ok: true; file: FlagFile; core: FlagdCore } | { ok: false; error: string };

const STATES: readonly string[] = ['ENABLED', 'DISABLED'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse and validate a flag file's text; on success also returns a flagd-core loaded with it. */
export function parseFlagFile(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
  if (!isObject(raw)) return { ok: false, error: 'the file must hold a JSON object with a "flags" object' };
  if (!isObject(raw.flags)) return { ok: false, error: 'missing or invalid "flags" object' };
  for (const [key, flag] of Object.entries(raw.flags)) {
    const err = validateFlag(key, flag);
    if (err) return { ok: false, error: err };
  }
  const core = new FlagdCore();
  try {
    core.setConfigurations(text);
  } catch (e) {
    // flagd-core's schema check (e.g. an unknown JsonLogic operator in targeting)
    return { ok: false, error: `rejected by flagd-core: ${(e as Error).message}` };
  }
  return { ok: true, file: raw as unknown as FlagFile, core };
}

function validateFlag(key: string, flag: unknown): string | undefined {
  if (!isObject(flag)) return `flag ${key}: must be an object`;
  if (typeof flag.state !== 'string' || !STATES.includes(flag.state)) {
    return `flag ${key}: state ${JSON.stringify(flag.state)} is not ENABLED or DISABLED`;
  }
  if (!isObject(flag.variants) || Object.keys(flag.variants).length === 0) {
    return `flag ${key}: "variants" must be a non-empty object`;
  }
  const names = Object.keys(flag.variants);
  const types = new Set(Object.values(flag.variants).map((v) => (Array.isArray(v) ? 'array' : typeof v)));
  if (types.size > 1) return `flag ${key}: variants mix types (${[...types].join(', ')})`;
  if (typeof flag.defaultVariant !== 'string' || !names.includes(flag.defaultVariant)) {
    return `flag ${key}: defaultVariant ${JSON.stringify(flag.defaultVariant)} is not one of its variants ${names.join(', ')}`;
  }
  if (flag.targeting !== undefined && !isObject(flag.targeting)) return `flag ${key}: "targeting" must be an object`;
  if (flag.metadata !== undefined) {
    if (!isObject(flag.metadata)) return `flag ${key}: "metadata" must be an object`;
    for (const [mk, mv] of Object.entries(flag.metadata)) {
      if (!['string', 'number', 'boolean'].includes(typeof mv))
        return `flag ${key}: metadata.${mk} must be a string, number or boolean`;
    }
  }
  if (isObject(flag.targeting) && 'fractional' in flag.targeting) {
    const buckets = flag.targeting.fractional;
    if (!Array.isArray(buckets)) return `flag ${key}: fractional must be an array of [variant, weight]`;
    for (const b of buckets) {
      if (typeof b === 'string') continue; // optional bucketing expression
      if (isObject(b)) continue; // e.g. {"var": "email"} as bucketing key
      if (!Array.isArray(b) || typeof b[0] !== 'string' || !names.includes(b[0])) {
        return `flag ${key}: fractional bucket ${JSON.stringify(b)} does not name a variant`;
      }
      if (b.length > 1 && (typeof b[1] !== 'number' || !Number.isInteger(b[1]) || b[1] < 0)) {
        return `flag ${key}: fractional weight ${JSON.stringify(b[1])} must be a non-negative integer`;
      }
    }
  }
  return undefined;
}

/** The fractional rule that serves `on` with probability p (weights are integers in flagd). */
export function fractionalRule(p: number): JsonObject {
  // Percent weights read best in the file; finer probabilities use a 10 000 scale.
  const scale = Math.abs(p * 100 - Math.round(p * 100)) < 1e-9 ? 100 : 10_000;
  const on = Math.round(p * scale);
  return {
    fractional: [
      ['on', on],
      ['off', scale - on],
    ],
  };
}

/** The probability of `on` if targeting is exactly our two-bucket fractional rule, else undefined. */
export function fractionalProbability(targeting: JsonObject | undefined): number | undefined {
  if (!targeting) return undefined;
  const keys = Object.keys(targeting);
  if (keys.length !== 1 || keys[0] !== 'fractional') return undefined;
  const buckets = targeting.fractional;
  if (!Array.isArray(buckets)) return undefined;
  let on = 0;
  let total = 0;
  for (const b of buckets) {
    if (!Array.isArray(b) || typeof b[0] !== 'string') return undefined;
    const w = typeof b[1] === 'number' ? b[1] : 1;
    total += w;
    if (b[0] === 'on') on += w;
    else if (b[0] !== 'off') return undefined;
  }
  return total > 0 ? on / total : undefined;
}

/** How the API reports a flag: its probability of `on`, or the default variant's name. */
export function flagSetting(flag: FlagDefinition): FlagSetting {
  const p = fractionalProbability(flag.targeting);
  if (p !== undefined) return p;
  return flag.defaultVariant;
}

export function hasCustomTargeting(flag: FlagDefinition): boolean {
  return (
    flag.targeting !== undefined &&
    Object.keys(flag.targeting).length > 0 &&
    fractionalProbability(flag.targeting) === undefined
  );
}

export class FlagValueError extends Error {}

/** Parse an API value: "on", "off" or a probability 0..1 (a number, or a numeric string from a CLI). */
export function parseSetting(value: unknown): 'on' | 'off' | number {
  if (value === 'on' || value === 'off') return value;
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*(0|1|0?\.\d+|1\.0*)\s*$/.test(value)) n = Number(value);
  if (n === undefined || !Number.isFinite(n)) {
    throw new FlagValueError(`value must be "on", "off" or a probability from 0 to 1, got ${JSON.stringify(value)}`);
  }
  if (n < 0 || n > 1) throw new FlagValueError(`probability must be from 0 to 1, got ${n}`);
  return n;
}

/** A copy of `flag` with `setting` applied: on/off set the default variant and drop targeting. */
export function applySetting(key: string, flag: FlagDefinition, setting: 'on' | 'off' | number): FlagDefinition {
  const next: FlagDefinition = { ...flag, state: 'ENABLED' };
  if (typeof setting === 'number') {
    for (const v of ['on', 'off']) {
      if (!(v in flag.variants))
        throw new FlagValueError(`flag ${key} has no "${v}" variant, so it takes no probability`);
    }
    next.targeting = fractionalRule(setting);
  } else {
    if (!(setting in flag.variants)) throw new FlagValueError(`flag ${key} has no "${setting}" variant`);
    next.defaultVariant = setting;
    delete next.targeting;
  }
  return next;
}
