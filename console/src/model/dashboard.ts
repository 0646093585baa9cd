// Dashboards are data: a JSON document of panels with PromQL queries, validated here and rendered
// by generic panel code. The shape follows Grafana's model (title, templating variables, time
// settings, panels with gridPos, targets with legend formats, thresholds), trimmed to what Orrery draws.
import * as z from 'zod/mini';
import type { PanelLink } from './links.js';
import { arr, issuesOf, nonEmpty, num, obj, oneOf, str, type ValidationError } from './schema.js';

export { formatValidationErrors, type ValidationError } from './schema.js';

/** 'logs': the newest lines of a LogQL log query (its first query), from the Loki API */
export type PanelType = 'timeseries' | 'stat' | 'bar' | 'logs';
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
  /**
   * what a click on a point opens: 'latency' the traces of its series above its value (and the
   * panel draws exemplars), 'errors' its series' error traces, 'none' nothing
   */
  readonly pointLinks: PointLinkKind;
}

export type PointLinkKind = 'none' | 'latency' | 'errors';

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

export type ValidationResult =
  | { readonly ok: true; readonly dashboard: Dashboard }
  | { readonly ok: false; readonly errors: readonly ValidationError[] };

const PANEL_TYPES = ['timeseries', 'stat', 'bar', 'logs'] as const satisfies readonly PanelType[];
export const UNITS = ['percent', 'bytes', 'ms', 's', 'reqps', 'short', 'none'] as const satisfies readonly Unit[];
const POINT_LINKS = ['none', 'latency', 'errors'] as const satisfies readonly PointLinkKind[];
const REFRESH = /^(|\d+[smh])$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// zod collects every issue rather than stopping at the first, so an author can fix a file in one
// pass. (zod/mini: the same checks as zod's classic API, a third of its size in the bundle.)
const variableSchema = z.pipe(
  obj({
    name: nonEmpty().check(
      z.refine((v) => v === '' || NAME.test(v), { error: 'must be an identifier' }),
      z.refine((v) => !v.startsWith('__'), { error: 'names starting with __ are reserved for built-in variables' }),
    ),
    label: z.optional(str()),
    type: oneOf(['query', 'custom'] as const),
    query: nonEmpty(),
    default: z._default(str(), ''),
  }),
  z.transform((v): Variable => ({ ...v, label: v.label ?? v.name })),
);

const querySchema = obj({ refId: z.optional(str()), expr: nonEmpty(), legendFormat: z._default(str(), '') });

const panelSchema = z.pipe(
  obj({
    id: num({ min: 0 }),
    title: nonEmpty(),
    type: oneOf(PANEL_TYPES),
    unit: z._default(oneOf(UNITS), 'short'),
    description: z._default(str(), ''),
    gridPos: obj({
      x: num({ min: 0, max: 23 }),
      y: num({ min: 0 }),
      w: num({ min: 1, max: 24 }),
      h: num({ min: 1, max: 50 }),
    }),
    queries: z.pipe(
      arr(querySchema).check(z.minLength(1, { error: 'must hold at least one query' })),
      z.transform((qs): PanelQuery[] =>
        qs.map((q, j) => ({
          refId: q.refId ?? String.fromCharCode(65 + j),
          expr: q.expr,
          legendFormat: q.legendFormat,
        })),
      ),
    ),
    stack: z._default(z.boolean({ error: 'must be true or false' }), false),
    thresholds: z._default(arr(obj({ value: num(), color: nonEmpty() })), []),
    min: z.optional(num()),
    max: z.optional(num()),
    decimals: z.optional(num({ min: 0, max: 10 })),
    links: z._default(arr(obj({ title: nonEmpty(), url: nonEmpty() })), []),
    pointLinks: z._default(oneOf(POINT_LINKS), 'none'),
  }),
  z.transform((p): Panel => ({ ...p, min: p.min, max: p.max, decimals: p.decimals })),
);

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

/** A logs panel's queries are LogQL log queries: a stream selector first (`{…} | …`). */
function logsPanelQueries(input: unknown): ValidationError[] {
  const panels = typeof input === 'object' && input !== null ? (input as { panels?: unknown }).panels : undefined;
  if (!Array.isArray(panels)) return [];
  const errors: ValidationError[] = [];
  panels.forEach((p: unknown, i) => {
    if (typeof p !== 'object' || p === null || (p as { type?: unknown }).type !== 'logs') return;
    const queries = (p as { queries?: unknown }).queries;
    if (!Array.isArray(queries)) return;
    queries.forEach((q: unknown, j) => {
      const expr = typeof q === 'object' && q !== null ? (q as { expr?: unknown }).expr : undefined;
      if (typeof expr === 'string' && expr.trim() !== '' && !expr.trim().startsWith('{'))
        errors.push({
          path: `panels[${i}].queries[${j}].expr`,
          message: 'a logs panel needs a LogQL log query: a stream selector first, e.g. {service_name="x"} |= "text"',
        });
    });
  });
  return errors;
}

const dashboardSchema = obj({
  uid: nonEmpty().check(
    z.refine((v) => v === '' || /^[A-Za-z0-9_-]+$/.test(v), { error: 'may hold only letters, digits, _ and -' }),
  ),
  title: nonEmpty(),
  description: z._default(str(), ''),
  tags: z._default(arr(str()), []),
  time: z._default(obj({ from: nonEmpty(), to: nonEmpty() }), { from: 'now-15m', to: 'now' }),
  refresh: z._default(
    str().check(z.refine((v) => REFRESH.test(v), { error: 'must be empty or a duration like 10s' })),
    '',
  ),
  variables: z._default(arr(variableSchema), []),
  panels: arr(panelSchema),
});

export function validateDashboard(input: unknown): ValidationResult {
  const parsed = dashboardSchema.safeParse(input);
  const errors: ValidationError[] = parsed.success ? [] : issuesOf(parsed.error);
  errors.push(...duplicateIds(input), ...logsPanelQueries(input));
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  return { ok: true, dashboard: parsed.data };
}
