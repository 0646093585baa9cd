// Selections shared between the vector selectors of one query. Dashboards select one metric several
// times in a query (an error ratio reads `calls{status="error"}` and `calls` twice): selectors with
// the same matchers over the same time range read one selection, and a selector whose matchers are
// a superset of another's over the same range takes its series from that broader selection, keeping
// those its extra matchers match. The storage answers a selection with every series matching all
// matchers (an absent label matching as ""), so filtering the broader answer by the extra matchers
// gives exactly the narrower answer, in the same label order and with the same samples.
import { getLabel, type Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';
import { scanSeries, type Querier, type SeriesSamples, type SeriesVisitor } from '../storage/storage.js';

/** A selector's predicted time range (selectorRanges in snapshot.ts). */
export interface SelectionRange {
  readonly mint: number;
  readonly maxt: number;
}

/** Where one selector's series come from. */
export interface SelectionSource {
  /** index of the selector whose selection holds them (the selector itself when it has its own) */
  readonly base: number;
  /** the selector's matchers that the base's do not have: its series are the base's that match them */
  readonly extra: readonly Matcher[];
  /** the range both select over */
  readonly mint: number;
  readonly maxt: number;
}

function matcherKey(m: Matcher): string {
  return `${m.name}\u0000${m.type}\u0000${m.value}`;
}

/** The matchers of `narrow` that are not in `broad` (compared by name, type and value). */
export function extraMatchers(narrow: readonly Matcher[], broad: readonly Matcher[]): Matcher[] {
  const have = new Set(broad.map(matcherKey));
  const extra: Matcher[] = [];
  for (const m of narrow) {
    const k = matcherKey(m);
    if (have.has(k)) continue;
    have.add(k);
    extra.push(m);
  }
  return extra;
}

/** Whether a label set matches every matcher, an absent label counting as "" (as the storage selects). */
export function matchesAll(labels: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) if (!m.matches(getLabel(labels, m.name))) return false;
  return true;
}

/**
 * Above this many different matcher sets over one range, only selectors with equal sets share:
 * the superset search compares every pair of sets (a chain of 100,000 terms must not take n²).
 */
const MAX_SETS_COMPARED = 64;

/**
 * For each selector (its matchers and predicted range), the selector whose selection answers it:
 * among the selectors over the same range whose matcher sets are subsets of its own (itself
 * included), the one with the fewest matchers, the first of them on a tie. Selectors with equal
 * matcher sets thus pick the same base, and a base is its own base.
 */
export function planSelections(
  selectors: readonly (readonly Matcher[])[],
  rangeOf: (i: number) => SelectionRange,
): SelectionSource[] {
  const keys = selectors.map((ms) => new Set(ms.map(matcherKey)));
  const ranges = selectors.map((_, i) => rangeOf(i));
  // The first selector of each matcher set and range (for every selector), and those firsts per range.
  const firstOf = new Map<string, number>();
  const firstOfEach: number[] = [];
  const firstsByRange = new Map<string, number[]>();
  selectors.forEach((_, i) => {
    const range = `${ranges[i]!.mint},${ranges[i]!.maxt}`;
    const key = `${range}|${[...keys[i]!].sort().join('\u0001')}`;
    const first = firstOf.get(key);
    if (first !== undefined) {
      firstOfEach.push(first);
      return;
    }
    firstOf.set(key, i);
    firstOfEach.push(i);
    const list = firstsByRange.get(range);
    if (list) list.push(i);
    else firstsByRange.set(range, [i]);
  });
  const baseOfFirst = new Map<number, number>();
  for (const firsts of firstsByRange.values()) {
    for (const i of firsts) {
      let base = i;
      if (firsts.length <= MAX_SETS_COMPARED) {
        for (const j of firsts) {
          const kj = keys[j]!;
          const kb = keys[base]!;
          if (kj.size === 0 || kj.size > kb.size || (kj.size === kb.size && j >= base)) continue;
          let subset = true;
          for (const k of kj) if (!keys[i]!.has(k)) subset = false;
          if (subset) base = j;
        }
      }
      baseOfFirst.set(i, base);
    }
  }
  return selectors.map((ms, i) => {
    const base = baseOfFirst.get(firstOfEach[i]!)!;
    const { mint, maxt } = ranges[i]!;
    return { base, extra: base === i ? [] : extraMatchers(ms, selectors[base]!), mint, maxt };
  });
}

/** The series of a broader selection that a narrower selector's extra matchers match, in order. */
export function narrowed(broad: readonly SeriesSamples[], extra: readonly Matcher[]): SeriesSamples[] {
  if (extra.length === 0) return broad.slice();
  return broad.filter((s) => matchesAll(s.labels, extra));
}

interface Held {
  readonly answer: SeriesSamples[];
  /** reads yet to come; it is let go after the last */
  left: number;
}

/**
 * A Querier for one evaluation of one query: a select by one of the planned selectors (known by
 * its matchers array) over its planned range is answered from its base's selection, made once and
 * held until every selector reading it has read it. Any other select goes to the querier as it is
 * (inside a subquery the engine selects over the subquery's aligned steps, rarely the planned
 * range). Answers of one selection share their sample arrays: readers must not modify or transfer
 * them (the engine copies what it keeps).
 */
export class SharedSelections implements Querier {
  private readonly sources = new Map<readonly Matcher[], SelectionSource>();
  private readonly readers = new Map<number, number>();
  private readonly held = new Map<number, Held>();

  constructor(
    private readonly querier: Querier,
    private readonly selectors: readonly (readonly Matcher[])[],
    plan: readonly SelectionSource[],
  ) {
    for (const src of plan) this.readers.set(src.base, (this.readers.get(src.base) ?? 0) + 1);
    plan.forEach((src, i) => {
      // A selection that no other selector reads is not worth holding.
      if (this.readers.get(src.base)! > 1 && !this.sources.has(selectors[i]!)) this.sources.set(selectors[i]!, src);
    });
  }

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesSamples[] {
    const src = this.sources.get(matchers);
    if (!src || src.mint !== mint || src.maxt !== maxt) return this.querier.select(matchers, mint, maxt);
    let held = this.held.get(src.base);
    if (!held) {
      held = { answer: this.querier.select(this.selectors[src.base]!, mint, maxt), left: this.readers.get(src.base)! };
      this.held.set(src.base, held);
    }
    // A selection read more often than planned is selected again: still right.
    if (--held.left <= 0) this.held.delete(src.base);
    return narrowed(held.answer, src.extra);
  }

  /**
   * A selector sharing its base's selection reads it as select does (decoding the base once for
   * all its readers beats decoding it again per reader: an error ratio reads its metric twice);
   * any other is scanned from the querier.
   */
  scan(matchers: readonly Matcher[], mint: number, maxt: number, visit: SeriesVisitor): void {
    const src = this.sources.get(matchers);
    if (!src || src.mint !== mint || src.maxt !== maxt) return scanSeries(this.querier, matchers, mint, maxt, visit);
    for (const s of this.select(matchers, mint, maxt)) if (visit(s) === false) return;
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    return this.querier.series(matchers, mint, maxt);
  }
  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    return this.querier.labelNames(matchers, mint, maxt);
  }
  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    return this.querier.labelValues(name, matchers, mint, maxt);
  }
}
