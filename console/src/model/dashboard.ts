// Dashboards are data: a JSON document of panels with PromQL queries, validated here and rendered
// by generic panel code. The shape follows Grafana's model (title, templating variables, time
// settings, panels with gridPos, targets with legend formats, thresholds), trimmed to what Orrery draws.
import { z } from 'zod';
import type { PanelLink } from './links.js';

export type PanelType = 'timeseries' | 'stat' | 'bar';
export type Unit = 'percent' | 'bytes' | 'ms' | 's' | 'reqps' | 'short' | 'none';

export interface PanelQuery {
  readonly refId: string;
  readonly expr: string;
  /** Grafana legend format: "{{label}} text", empty = the series' label set */
  readonly legendFormat: string;
}

export interface Threshold {
  readonly value: number;
  readonly color: string;
}

export interface Panel {
  readonly id: number;
  readonly title: string;
  readonly type: PanelType;
  readonly unit: Unit;
  readonly description: string;
  /** grid of 24 columns; h in rows of 30 px */
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly queries: readonly PanelQuery[];
  readonly stack: boolean;
  readonly thresholds: readonly Threshold[];
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly decimals: number | undefined;
  /** in-console links shown in the panel's header, e.g. "View traces" */
  readonly links: readonly PanelLink[];
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  /** 'query': values from the label values of a metric; 'custom': a fixed list */
  readonly type: 'query' | 'custom';
  /** for 'query': `label_values(metric, label)`; for 'custom': comma-separated values */
  readonly query: string;
  readonly default: string;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly time: { readonly from: string; readonly to: string };
  /** auto-refresh interval ('' = off), e.g. '10s' */
  readonly refresh: string;
  readonly variables: readonly Variable[];
  readonly panels: readonly Panel[];
}

export interface ValidationError {
  /** JSON path of the offending field, e.g. panels[2].queries[0].expr */
  readonly path: string;
  readonly message: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly dashboard: Dashboard }
  | { readonly ok: false; readonly errors: readonly ValidationError[] };

const PANEL_TYPES = ['timeseries', 'stat', 'bar'] as const satisfies readonly PanelType[];
export const UNITS = ['percent', 'bytes', 'ms', 's', 'reqps', 'short', 'none'] as const satisfies readonly Unit[];
const REFRESH = /^(|\d+[smh])$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Every message names what the field must be, as an author reads it: "panels[0].type: must be one
// of timeseries, stat, bar". zod collects every issue rather than stopping at the first, so an
// author can fix a file in one pass.
const str = () => z.string({ error: 'must be a string' });
const nonEmpty = () => str().refine((v) => v.trim() !== '', { error: 'must not be empty' });
const num = (opts: { min?: number; max?: number } = {}) => {
  let n = z.number({ error: 'must be a finite number' });
  if (opts.min !== undefined) n = n.min(opts.min, { error: `must be at least ${opts.min}` });
  if (opts.max !== undefined) n = n.max(opts.max, { error: `must be at most ${opts.max}` });
  return n;
};
const oneOf = <T extends readonly [string, ...string[]]>(allowed: T) =>
  z.enum(allowed, { error: `must be one of ${allowed.join(', ')}` });
const obj = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, { error: 'must be an object' });
const arr = <T extends z.ZodType>(item: T) => z.array(item, { error: 'must be an array' });

const variableSchema = obj({
  name: nonEmpty()
    .refine((v) => v === '' || NAME.test(v), { error: 'must be an identifier' })
    .refine((v) => !v.startsWith('__'), { error: 'names starting with __ are reserved for built-in variables' }),
  label: str().optional(),
  type: oneOf(['query', 'custom'] as const),
  query: nonEmpty(),
  default: str().default(''),
}).transform((v): Variable => ({ ...v, label: v.label ?? v.name }));

const querySchema = obj({ refId: str().optional(), expr: nonEmpty(), legendFormat: str().default('') });

const panelSchema = obj({
  id: num({ min: 0 }),
  title: nonEmpty(),
  type: oneOf(PANEL_TYPES),
  unit: oneOf(UNITS).default('short'),
  description: str().default(''),
  gridPos: obj({
    x: num({ min: 0, max: 23 }),
    y: num({ min: 0 }),
    w: num({ min: 1, max: 24 }),
    h: num({ min: 1, max: 50 }),
  }),
  queries: arr(querySchema)
    .min(1, { error: 'must hold at least one query' })
    .transform((qs): PanelQuery[] =>
      qs.map((q, j) => ({ refId: q.refId ?? String.fromCharCode(65 + j), expr: q.expr, legendFormat: q.legendFormat })),
    ),
  stack: z.boolean({ error: 'must be true or false' }).default(false),
  thresholds: arr(obj({ value: num(), color: nonEmpty() })).default([]),
  min: num().optional(),
  max: num().optional(),
  decimals: num({ min: 0, max: 10 }).optional(),
  links: arr(obj({ title: nonEmpty(), url: nonEmpty() })).default([]),
}).transform((p): Panel => ({ ...p, min: p.min, max: p.max, decimals: p.decimals }));

/**
 * Panel ids must be unique. zod skips a list's refinements once an item has failed, so this rule
 * runs on the raw list: a duplicate is reported beside every other issue.
 */
function duplicateIds(input: unknown): ValidationError[] {
  const panels = typeof input === 'object' && input !== null ? (input as { panels?: unknown }).panels : undefined;
  if (!Array.isArray(panels)) return [];
  const seen = new Set<number>();
  const errors: ValidationError[] = [];
  panels.forEach((p: unknown, i) => {
    const id = typeof p === 'object' && p !== null ? (p as { id?: unknown }).id : undefined;
    if (typeof id !== 'number') return;
    if (seen.has(id)) errors.push({ path: `panels[${i}].id`, message: `duplicate panel id ${id}` });
    seen.add(id);
  });
  return errors;
}

const dashboardSchema = obj({
  uid: nonEmpty().refine((v) => v === '' || /^[A-Za-z0-9_-]+$/.test(v), {
    error: 'may hold only letters, digits, _ and -',
  }),
  title: nonEmpty(),
  description: str().default(''),
  tags: arr(str()).default([]),
  time: obj({ from: nonEmpty(), to: nonEmpty() }).default({ from: 'now-15m', to: 'now' }),
  refresh: str()
    .refine((v) => REFRESH.test(v), { error: 'must be empty or a duration like 10s' })
    .default(''),
  variables: arr(variableSchema).default([]),
  panels: arr(panelSchema),
});

/** The JSON path of an issue as authors write it: panels[2].queries[0].expr, or (root). */
function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out === '' ? '(root)' : out;
}

export function validateDashboard(input: unknown): ValidationResult {
  const parsed = dashboardSchema.safeParse(input);
  const errors: ValidationError[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
  errors.push(...duplicateIds(input));
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  return { ok: true, dashboard: parsed.data };
}

/** "panels[2].queries[0].expr: must not be empty; uid: must be a string" */
export function formatValidationErrors(errors: readonly ValidationError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
