// Guided scenarios are data: a JSON document per scenario (scenarios/ at the repository root)
// with ordered steps, each an explanation, a link to where it is done and live checks. Checks are
// data too: a flag's value, a PromQL condition (holds when the query returns a sample), or a visit
// the console recorded (a page, optionally a trace with a span tag). A step is ticked when its
// checks all hold and every step before it is ticked; a tick stays, since a later step may undo
// what an earlier one saw (switching the flag off ends the rising memory).
import * as z from 'zod/mini';
import { arr, formatValidationErrors, issuesOf, nonEmpty, obj, str, type ValidationError } from '../../model/schema.js';
import { inConsole } from '../../model/links.js';
import { formatDurationMs, parseDurationMs } from '../../model/time.js';

export interface FlagCheck {
  readonly kind: 'flag';
  readonly flag: string;
  readonly value: string;
}

export interface PromqlCheck {
  readonly kind: 'promql';
  readonly expr: string;
  /** what the condition means, as the page shows it */
  readonly description: string;
  /**
   * ms the condition waits after the step before it was ticked, so that the query's window holds
   * only what came after (memory that rises while the shop warms up is not the leak); 0 = none
   */
  readonly afterMs: number;
}

export interface SpanTag {
  /** the span's service; any service when absent */
  readonly service: string | undefined;
  readonly key: string;
  readonly value: string;
}

export interface VisitCheck {
  readonly kind: 'visit';
  /** the page's path, or its start when it ends with / (/trace/ for any trace) */
  readonly path: string;
  /** query parameters the visit must have had */
  readonly params: Readonly<Record<string, string>>;
  /** for trace pages: a span of the trace must carry this tag */
  readonly spanTag: SpanTag | undefined;
}

export type Check = FlagCheck | PromqlCheck | VisitCheck;

export interface ScenarioStep {
  readonly title: string;
  readonly explanation: string;
  readonly link: { readonly title: string; readonly url: string };
  readonly checks: readonly Check[];
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** the demo flag the scenario is about */
  readonly flag: string;
  readonly description: string;
  readonly steps: readonly ScenarioStep[];
}

const consoleUrl = () =>
  nonEmpty().check(z.refine((v) => v === '' || inConsole(v), { error: 'must be an address inside the console (/…)' }));

const checkSchema = z.discriminatedUnion(
  'kind',
  [
    obj({ kind: z.literal('flag'), flag: nonEmpty(), value: nonEmpty() }),
    z.pipe(
      obj({
        kind: z.literal('promql'),
        expr: nonEmpty(),
        description: nonEmpty(),
        after: z.optional(
          str().check(
            z.refine((v) => parseDurationMs(v) !== undefined, { error: 'must be a duration like 2m or 30s' }),
          ),
        ),
      }),
      z.transform((c): PromqlCheck => ({
        kind: c.kind,
        expr: c.expr,
        description: c.description,
        afterMs: c.after === undefined ? 0 : (parseDurationMs(c.after) ?? 0),
      })),
    ),
    z.pipe(
      obj({
        kind: z.literal('visit'),
        path: consoleUrl(),
        params: z._default(z.record(z.string(), str(), { error: 'must be an object of strings' }), {}),
        spanTag: z.optional(obj({ service: z.optional(nonEmpty()), key: nonEmpty(), value: str() })),
      }),
      z.transform((v): VisitCheck => ({
        ...v,
        spanTag: v.spanTag ? { service: v.spanTag.service, key: v.spanTag.key, value: v.spanTag.value } : undefined,
      })),
    ),
  ],
  { error: 'must be one of flag, promql, visit' },
);

const scenarioSchema = obj({
  id: nonEmpty().check(
    z.refine((v) => v === '' || /^[A-Za-z0-9_-]+$/.test(v), { error: 'may hold only letters, digits, _ and -' }),
  ),
  title: nonEmpty(),
  flag: nonEmpty(),
  description: z._default(str(), ''),
  steps: arr(
    obj({
      title: nonEmpty(),
      explanation: nonEmpty(),
      link: obj({ title: nonEmpty(), url: consoleUrl() }),
      checks: arr(checkSchema).check(z.minLength(1, { error: 'must hold at least one check' })),
    }),
  ).check(z.minLength(1, { error: 'must hold at least one step' })),
});

export type ScenarioResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly ValidationError[] };

export function validateScenario(input: unknown): ScenarioResult {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: issuesOf(parsed.error) };
  return { ok: true, scenario: parsed.data };
}

export interface ScenarioEntry {
  readonly file: string;
  readonly scenario?: Scenario;
  /** why the file cannot be shown, naming the field */
  readonly error?: string;
}

/** Validates every file on its own, so one broken file hides nothing else; ids must be unique. */
export function toScenarioEntries(
  files: readonly { file: string; json?: unknown; parseError?: string }[],
): ScenarioEntry[] {
  const seen = new Set<string>();
  return files.map((f): ScenarioEntry => {
    if (f.parseError !== undefined) return { file: f.file, error: `not valid JSON: ${f.parseError}` };
    const r = validateScenario(f.json);
    if (!r.ok) return { file: f.file, error: formatValidationErrors(r.errors) };
    if (seen.has(r.scenario.id)) return { file: f.file, error: `id: "${r.scenario.id}" is used by another file` };
    seen.add(r.scenario.id);
    return { file: f.file, scenario: r.scenario };
  });
}

/** What a check looks for, in words. */
export function describeCheck(c: Check): string {
  switch (c.kind) {
    case 'flag':
      return `flag ${c.flag} is ${c.value}`;
    case 'promql':
      return c.afterMs > 0
        ? `${c.description}, from ${formatDurationMs(c.afterMs)} after the step before`
        : c.description;
    case 'visit': {
      const params = Object.entries(c.params).map(([k, v]) => `${k}=${v}`);
      const page = c.path.endsWith('/') ? `a page under ${c.path}` : `the page ${c.path}`;
      const tag = c.spanTag
        ? ` with a span${c.spanTag.service ? ` of ${c.spanTag.service}` : ''} tagged ${c.spanTag.key}=${c.spanTag.value}`
        : '';
      return `${page}${params.length ? ` (${params.join(', ')})` : ''}${tag} opened in the console`;
    }
  }
}

/** A scenario's progress: when it was started and when each step was ticked (ms). */
export interface Progress {
  readonly startedAt: number;
  readonly ticked: readonly (number | null)[];
}

export function startProgress(steps: number, now: number): Progress {
  return { startedAt: now, ticked: new Array<number | null>(steps).fill(null) };
}

/** The index of the first step not ticked yet (steps.length when all are). */
export function currentStep(p: Progress): number {
  const i = p.ticked.findIndex((t) => t === null);
  return i < 0 ? p.ticked.length : i;
}

/** Ticks, in order, the steps whose checks hold now, from the first one not ticked. */
export function advance(p: Progress, holds: readonly boolean[], now: number): Progress {
  let i = currentStep(p);
  if (i >= p.ticked.length || !holds[i]) return p;
  const ticked = [...p.ticked];
  while (i < ticked.length && holds[i]) ticked[i++] = now;
  return { ...p, ticked };
}

/** A stored progress for a scenario of `steps` steps, or undefined when it does not fit. */
export function readProgress(raw: string | null, steps: number): Progress | undefined {
  if (raw === null) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { startedAt, ticked } = v as { startedAt?: unknown; ticked?: unknown };
  if (typeof startedAt !== 'number' || !Array.isArray(ticked) || ticked.length !== steps) return undefined;
  if (!ticked.every((t) => t === null || typeof t === 'number')) return undefined;
  const list = ticked as (number | null)[];
  // ticks come in order: a tick after a gap is not progress this model could have made
  const first = list.indexOf(null);
  if (first >= 0 && list.slice(first).some((t) => t !== null)) return undefined;
  return { startedAt, ticked: list };
}
