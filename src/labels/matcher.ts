// Label matchers (=, !=, =~, !~). Regular expressions use RE2 syntax (re2js: linear time, so a
// hostile pattern cannot hang the process) and are fully anchored, as Prometheus anchors them.
import { RE2JS } from 're2js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  matches(value: string): boolean;
}

/** Thrown when a regular expression does not compile; the message is RE2's. */
export class BadRegexError extends Error {}

export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  switch (type) {
    case '=':
      return { type, name, value, matches: (v) => v === value };
    case '!=':
      return { type, name, value, matches: (v) => v !== value };
    case '=~':
    case '!~': {
      let re: RE2JS;
      try {
        re = RE2JS.compile(`^(?:${value})$`);
      } catch (e) {
        throw new BadRegexError(e instanceof Error ? e.message : String(e));
      }
      const positive = type === '=~';
      return { type, name, value, matches: (v) => re.matches(v) === positive };
    }
  }
}

/** Prometheus's String() of a matcher: name="value" */
export function matcherToString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}
