// The zod/mini building blocks of the console's data documents (dashboards, scenarios): every
// message names what a field must be, as an author reads it ("must be one of timeseries, stat,
// bar"), and issue paths are written as authors write them (panels[2].queries[0].expr).
import * as z from 'zod/mini';

export interface ValidationError {
  /** JSON path of the offending field, e.g. panels[2].queries[0].expr */
  readonly path: string;
  readonly message: string;
}

export const str = () => z.string({ error: 'must be a string' });
export const nonEmpty = () => str().check(z.refine((v) => v.trim() !== '', { error: 'must not be empty' }));
export const num = (opts: { min?: number; max?: number } = {}) =>
  z
    .number({ error: 'must be a finite number' })
    .check(
      ...(opts.min === undefined ? [] : [z.gte(opts.min, { error: `must be at least ${opts.min}` })]),
      ...(opts.max === undefined ? [] : [z.lte(opts.max, { error: `must be at most ${opts.max}` })]),
    );
export const oneOf = <T extends readonly [string, ...string[]]>(allowed: T) =>
  z.enum(allowed, { error: `must be one of ${allowed.join(', ')}` });
export const obj = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, { error: 'must be an object' });
export const arr = <T extends z.core.SomeType>(item: T) => z.array(item, { error: 'must be an array' });

/** The JSON path of an issue as authors write it: panels[2].queries[0].expr, or (root). */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out === '' ? '(root)' : out;
}

/** Every issue of a failed parse, with its path. */
export function issuesOf(error: z.core.$ZodError): ValidationError[] {
  return error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
}

/** "panels[2].queries[0].expr: must not be empty; uid: must be a string" */
export function formatValidationErrors(errors: readonly ValidationError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
