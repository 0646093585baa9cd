// Which label values a PromQL expression selects: its `label="value"` matchers (=, !=, =~, !~)
// read from the text, so a panel can tell which service or span name its series concern without
// a parser. Strings are PromQL's double-quoted kind; a regex matcher is anchored, as PromQL's is.

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly op: MatchOp;
  readonly value: string;
}

const MATCHER = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;

function unquote(body: string): string {
  return body.replace(/\\(.)/g, (_w, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** Every matcher on `label` in the expression, in order. */
export function labelMatchers(expr: string, label: string): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  for (const m of expr.matchAll(MATCHER)) {
    if (m[1] === label) out.push({ op: m[2] as MatchOp, value: unquote(m[3]!) });
  }
  return out;
}

/** The single value an expression pins `label` to with `=`, if it pins exactly one. */
export function pinnedValue(expr: string, label: string): string | undefined {
  const values = new Set(
    labelMatchers(expr, label)
      .filter((m) => m.op === '=')
      .map((m) => m.value),
  );
  return values.size === 1 ? [...values][0] : undefined;
}

/** Whether a value passes every matcher (no matchers: every value passes). */
export function matchesAll(matchers: readonly LabelMatcher[], value: string): boolean {
  return matchers.every((m) => {
    if (m.op === '=') return value === m.value;
    if (m.op === '!=') return value !== m.value;
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${m.value})$`);
    } catch {
      return true; // the query fails on its own; do not hide anything because of it
    }
    return m.op === '=~' ? re.test(value) : !re.test(value);
  });
}

/** The longest range `[5m]` of the expression, in ms (0 when it has none). */
export function longestRangeMs(expr: string, parse: (text: string) => number | undefined): number {
  let longest = 0;
  for (const m of expr.matchAll(/\[\s*([0-9a-z.]+)\s*(?::[^\]]*)?\]/g)) longest = Math.max(longest, parse(m[1]!) ?? 0);
  return longest;
}
