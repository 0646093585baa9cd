// Live evaluation of a scenario's checks against the running demo: flags through the flag API,
// PromQL conditions through the Prometheus API (a condition holds when it returns a sample), and
// visits from the console's own record, with the trace of a trace visit fetched to read its tags.
import { fetchFlags, type Flag } from '../../api/flags.js';
import { queryInstant, type InstantResult } from '../../api/prometheus.js';
import { errorMessage } from '../../api/queryClient.js';
import { fetchTrace } from '../../api/traces.js';
import type { Check, VisitCheck } from './model.js';
import { matchingVisits, traceHasSpanTag, visitedTraceId, type Visit } from './visits.js';

export interface CheckResult {
  readonly holds: boolean;
  /** what was seen, e.g. "recommendationCache is off" or the query's error */
  readonly detail: string;
}

/** Whether an instant query's answer holds as a condition, and the values it saw. */
export function conditionHolds(result: InstantResult): CheckResult {
  if (result.resultType === 'scalar') {
    const v = Number(result.result[1]);
    return { holds: Number.isFinite(v) && v !== 0, detail: `value ${result.result[1]}` };
  }
  if (result.resultType === 'string') return { holds: false, detail: 'the query returns a string' };
  const values = result.resultType === 'vector' ? result.result.map((s) => roughly(s.value[1])) : [];
  if (values.length === 0) return { holds: false, detail: 'not yet (no sample satisfies the condition)' };
  return { holds: true, detail: `holds: ${values.slice(0, 3).join(', ')}${values.length > 3 ? ', …' : ''}` };
}

/** A sample's value to 4 significant digits ("111874.14867" → "111900"), as a person reads it. */
function roughly(text: string): string {
  const v = Number(text);
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : text;
}

/** A flag's value in the scenarios' words: on, off, or the share of on. */
export function flagValueText(flag: Flag): string {
  return typeof flag.value === 'number' ? `${Math.round(flag.value * 100)}% on` : flag.value;
}

export interface CheckContext {
  readonly sinceMs: number;
  /** when the step before this one was ticked (the scenario's start for the first; null: not yet) */
  readonly previousTickMs: number | null;
  readonly nowMs: number;
  readonly visits: readonly Visit[];
  readonly flags: () => Promise<Flag[]>;
  readonly signal?: AbortSignal;
}

/** The traces already read for visit checks: a trace's tags do not change once it is complete. */
const tracesWithTag = new Map<string, boolean>();

async function visitHolds(c: VisitCheck, ctx: CheckContext): Promise<CheckResult> {
  const visits = matchingVisits(c, ctx.visits, ctx.sinceMs);
  if (!c.spanTag) {
    return visits.length > 0
      ? { holds: true, detail: `opened at ${new Date(visits[0]!.at).toLocaleTimeString()}` }
      : { holds: false, detail: 'not opened since the scenario started' };
  }
  const tag = c.spanTag;
  const ids = [...new Set(visits.map(visitedTraceId).filter((id): id is string => id !== undefined))].slice(0, 10);
  for (const id of ids) {
    const key = `${id} ${tag.service ?? ''} ${tag.key}=${tag.value}`;
    let has = tracesWithTag.get(key);
    if (has === undefined) {
      const trace = await fetchTrace(id, ctx.signal);
      has = trace !== null && traceHasSpanTag(trace, tag);
      if (has) tracesWithTag.set(key, true);
    }
    if (has) return { holds: true, detail: `trace ${id} opened` };
  }
  return {
    holds: false,
    detail:
      ids.length === 0
        ? 'no trace opened since the scenario started'
        : `${ids.length} trace${ids.length === 1 ? '' : 's'} opened, none with ${tag.key}=${tag.value}`,
  };
}

export async function evaluateCheck(c: Check, ctx: CheckContext): Promise<CheckResult> {
  try {
    switch (c.kind) {
      case 'flag': {
        const flag = (await ctx.flags()).find((f) => f.key === c.flag);
        if (!flag) return { holds: false, detail: `the flag service has no flag ${c.flag}` };
        const value = flagValueText(flag);
        return { holds: value === c.value, detail: `${c.flag} is ${value}` };
      }
      case 'promql': {
        if (c.afterMs > 0) {
          const from = ctx.previousTickMs;
          if (from === null) return { holds: false, detail: 'waits for the step before' };
          const left = from + c.afterMs - ctx.nowMs;
          if (left > 0) return { holds: false, detail: `checked in ${Math.ceil(left / 1000)} s` };
        }
        return conditionHolds(await queryInstant(c.expr, ctx.nowMs, ctx.signal));
      }
      case 'visit':
        return await visitHolds(c, ctx);
    }
  } catch (e) {
    return { holds: false, detail: `cannot check: ${errorMessage(e)}` };
  }
}

/** Every check of every step, the flags read once for all of them. */
export async function evaluateSteps(
  steps: readonly { readonly checks: readonly Check[] }[],
  base: Omit<CheckContext, 'flags' | 'previousTickMs'>,
  ticked: readonly (number | null)[],
): Promise<CheckResult[][]> {
  let flags: Promise<Flag[]> | undefined;
  const ctx = { ...base, flags: () => (flags ??= fetchFlags(base.signal)) };
  return Promise.all(
    steps.map((s, i) => {
      const previousTickMs = i === 0 ? base.sinceMs : (ticked[i - 1] ?? null);
      return Promise.all(s.checks.map((c) => evaluateCheck(c, { ...ctx, previousTickMs })));
    }),
  );
}
