// Dashboards are data: a JSON document of panels with PromQL queries, validated here and rendered
// by generic panel code. The shape follows Grafana's model (title, templating variables, time
// settings, panels with gridPos, targets with legend formats, thresholds), trimmed to what Orrery draws.

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

const PANEL_TYPES: readonly PanelType[] = ['timeseries', 'stat', 'bar'];
export const UNITS: readonly Unit[] = ['percent', 'bytes', 'ms', 's', 'reqps', 'short', 'none'];
const REFRESH = /^(|\d+[smh])$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Json = Record<string, unknown>;

/** Collects every error rather than stopping at the first, so an author can fix a file in one pass. */
class Checker {
  readonly errors: ValidationError[] = [];

  fail(path: string, message: string): undefined {
    this.errors.push({ path, message });
    return undefined;
  }

  object(v: unknown, path: string): Json | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.fail(path, 'must be an object');
    return v as Json;
  }

  string(o: Json, key: string, path: string, opts: { optional?: string; nonEmpty?: boolean } = {}): string {
    const v = o[key];
    if (v === undefined && opts.optional !== undefined) return opts.optional;
    if (typeof v !== 'string') return this.fail(`${path}${key}`, 'must be a string') ?? '';
    if (opts.nonEmpty && v.trim() === '') return this.fail(`${path}${key}`, 'must not be empty') ?? '';
    return v;
  }

  number(
    o: Json,
    key: string,
    path: string,
    opts: { optional?: boolean; min?: number; max?: number } = {},
  ): number | undefined {
    const v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(`${path}${key}`, 'must be a finite number');
    if (opts.min !== undefined && v < opts.min) return this.fail(`${path}${key}`, `must be at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) return this.fail(`${path}${key}`, `must be at most ${opts.max}`);
    return v;
  }

  array(o: Json, key: string, path: string, optional = false): unknown[] {
    const v = o[key];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) return this.fail(`${path}${key}`, 'must be an array') ?? [];
    return v;
  }

  oneOf<T extends string>(o: Json, key: string, path: string, allowed: readonly T[], fallback?: T): T {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      return this.fail(`${path}${key}`, `must be one of ${allowed.join(', ')}`) ?? allowed[0]!;
    }
    return v as T;
  }
}

export function validateDashboard(input: unknown): ValidationResult {
  const c = new Checker();
  const root = c.object(input, '(root)');
  if (!root) return { ok: false, errors: c.errors };
  const uid = c.string(root, 'uid', '', { nonEmpty: true });
  if (uid !== '' && !/^[A-Za-z0-9_-]+$/.test(uid)) c.fail('uid', 'may hold only letters, digits, _ and -');
  const title = c.string(root, 'title', '', { nonEmpty: true });
  const description = c.string(root, 'description', '', { optional: '' });
  const tags = c
    .array(root, 'tags', '', true)
    .map((t, i) => (typeof t === 'string' ? t : (c.fail(`tags[${i}]`, 'must be a string') ?? '')));
  const timeObj = root['time'] === undefined ? { from: 'now-15m', to: 'now' } : c.object(root['time'], 'time');
  const time = timeObj
    ? {
        from: c.string(timeObj, 'from', 'time.', { nonEmpty: true }),
        to: c.string(timeObj, 'to', 'time.', { nonEmpty: true }),
      }
    : { from: 'now-15m', to: 'now' };
  const refresh = c.string(root, 'refresh', '', { optional: '' });
  if (!REFRESH.test(refresh)) c.fail('refresh', 'must be empty or a duration like 10s');

  const variables: Variable[] = [];
  c.array(root, 'variables', '', true).forEach((raw, i) => {
    const p = `variables[${i}].`;
    const v = c.object(raw, `variables[${i}]`);
    if (!v) return;
    const name = c.string(v, 'name', p, { nonEmpty: true });
    if (name !== '' && !NAME.test(name)) c.fail(`${p}name`, 'must be an identifier');
    if (name.startsWith('__')) c.fail(`${p}name`, 'names starting with __ are reserved for built-in variables');
    variables.push({
      name,
      label: c.string(v, 'label', p, { optional: name }),
      type: c.oneOf(v, 'type', p, ['query', 'custom'] as const),
      query: c.string(v, 'query', p, { nonEmpty: true }),
      default: c.string(v, 'default', p, { optional: '' }),
    });
  });

  const panels: Panel[] = [];
  const ids = new Set<number>();
  c.array(root, 'panels', '').forEach((raw, i) => {
    const p = `panels[${i}].`;
    const o = c.object(raw, `panels[${i}]`);
    if (!o) return;
    const id = c.number(o, 'id', p, { min: 0 }) ?? -1;
    if (ids.has(id)) c.fail(`${p}id`, `duplicate panel id ${id}`);
    ids.add(id);
    const g = c.object(o['gridPos'], `${p}gridPos`);
    const gridPos = g
      ? {
          x: c.number(g, 'x', `${p}gridPos.`, { min: 0, max: 23 }) ?? 0,
          y: c.number(g, 'y', `${p}gridPos.`, { min: 0 }) ?? 0,
          w: c.number(g, 'w', `${p}gridPos.`, { min: 1, max: 24 }) ?? 12,
          h: c.number(g, 'h', `${p}gridPos.`, { min: 1, max: 50 }) ?? 8,
        }
      : { x: 0, y: 0, w: 12, h: 8 };
    const queries: PanelQuery[] = [];
    const rawQueries = c.array(o, 'queries', p);
    if (Array.isArray(o['queries']) && rawQueries.length === 0) c.fail(`${p}queries`, 'must hold at least one query');
    rawQueries.forEach((rq, j) => {
      const qp = `${p}queries[${j}].`;
      const q = c.object(rq, `${p}queries[${j}]`);
      if (!q) return;
      queries.push({
        refId: c.string(q, 'refId', qp, { optional: String.fromCharCode(65 + j) }),
        expr: c.string(q, 'expr', qp, { nonEmpty: true }),
        legendFormat: c.string(q, 'legendFormat', qp, { optional: '' }),
      });
    });
    const thresholds: Threshold[] = [];
    c.array(o, 'thresholds', p, true).forEach((rt, j) => {
      const t = c.object(rt, `${p}thresholds[${j}]`);
      if (!t) return;
      thresholds.push({
        value: c.number(t, 'value', `${p}thresholds[${j}].`) ?? 0,
        color: c.string(t, 'color', `${p}thresholds[${j}].`, { nonEmpty: true }),
      });
    });
    const stack = o['stack'] ?? false;
    if (typeof stack !== 'boolean') c.fail(`${p}stack`, 'must be true or false');
    panels.push({
      id,
      title: c.string(o, 'title', p, { nonEmpty: true }),
      type: c.oneOf(o, 'type', p, PANEL_TYPES),
      unit: c.oneOf(o, 'unit', p, UNITS, 'short'),
      description: c.string(o, 'description', p, { optional: '' }),
      gridPos,
      queries,
      stack: stack === true,
      thresholds,
      min: c.number(o, 'min', p, { optional: true }),
      max: c.number(o, 'max', p, { optional: true }),
      decimals: c.number(o, 'decimals', p, { optional: true, min: 0, max: 10 }),
    });
  });

  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return { ok: true, dashboard: { uid, title, description, tags, time, refresh, variables, panels } };
}

/** "panels[2].queries[0].expr: must not be empty; uid: must be a string" */
export function formatValidationErrors(errors: readonly ValidationError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
