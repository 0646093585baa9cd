// What to offer at the cursor of a PromQL query: metric names and functions for a bare word,
// label names inside braces or by/without lists, label values after `label=` or `label=~`.

export type CompletionContext =
  | { readonly kind: 'metric'; readonly prefix: string }
  | { readonly kind: 'labelName'; readonly prefix: string; readonly metric: string | undefined }
  | {
      readonly kind: 'labelValue';
      readonly prefix: string;
      readonly label: string;
      readonly metric: string | undefined;
    }
  | { readonly kind: 'none' };

export const PROMQL_FUNCTIONS = [
  'abs',
  'absent',
  'absent_over_time',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'count_over_time',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'delta',
  'deriv',
  'exp',
  'floor',
  'histogram_quantile',
  'holt_winters',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'max_over_time',
  'min_over_time',
  'minute',
  'month',
  'predict_linear',
  'present_over_time',
  'quantile_over_time',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sort',
  'sort_desc',
  'sqrt',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'time',
  'timestamp',
  'vector',
  'year',
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
] as const;

/** The metric name of the selector whose braces enclose `pos`, if any. */
function metricBefore(text: string, braceIndex: number): string | undefined {
  const m = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(text.slice(0, braceIndex));
  return m ? m[1] : undefined;
}

export function completionContext(query: string, cursor: number): CompletionContext {
  const before = query.slice(0, cursor);
  // Inside a string? Only label values are completed there.
  const value = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)$/.exec(before);
  const openBrace = before.lastIndexOf('{');
  const closeBrace = before.lastIndexOf('}');
  const inBraces = openBrace > closeBrace;
  if (value && inBraces) {
    return { kind: 'labelValue', prefix: value[3]!, label: value[1]!, metric: metricBefore(before, openBrace) };
  }
  if (inBraces) {
    const name = /(?:[{,]\s*)([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
    if (name) return { kind: 'labelName', prefix: name[1] ?? '', metric: metricBefore(before, openBrace) };
    return { kind: 'none' };
  }
  const grouping = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)$/.exec(before);
  if (grouping) {
    const last = /([A-Za-z_][A-Za-z0-9_]*)?$/.exec(grouping[1]!);
    return { kind: 'labelName', prefix: last?.[1] ?? '', metric: undefined };
  }
  if (/\[[^\]]*$/.test(before)) return { kind: 'none' };
  const word = /([A-Za-z_:][A-Za-z0-9_:]*)$/.exec(before);
  if (word) return { kind: 'metric', prefix: word[1]! };
  return { kind: 'none' };
}

/** Candidates that start with the prefix (case-insensitive), then those that contain it. */
export function rankCandidates(candidates: readonly string[], prefix: string, limit = 50): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const c of candidates) {
    const lc = c.toLowerCase();
    if (lc === p) continue;
    if (lc.startsWith(p)) starts.push(c);
    else if (p !== '' && lc.includes(p)) contains.push(c);
  }
  return [...starts.sort(), ...contains.sort()].slice(0, limit);
}

/** Replaces the prefix before the cursor with the chosen candidate; returns the new text and cursor. */
export function applyCompletion(
  query: string,
  cursor: number,
  prefix: string,
  candidate: string,
): { text: string; cursor: number } {
  const start = cursor - prefix.length;
  const text = query.slice(0, start) + candidate + query.slice(cursor);
  return { text, cursor: start + candidate.length };
}
