// The inverted index: for every label pair, the sorted list of series refs that carry it, and
// the set algebra over such lists that turns label matchers into series, with the semantics of
// Prometheus's PostingsForMatchers (a matcher that matches the empty string also selects series
// that lack the label).
import type { Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';

/** A sorted (ascending, no duplicates) list of series refs. */
export type Postings = readonly number[];

const EMPTY: Postings = [];

/** What matcher evaluation reads: the head's MemPostings and an on-disk block's index both provide it. */
export interface PostingsIndex {
  get(name: string, value: string): Postings;
  allPostings(): Postings;
  /** Postings of every value of `name` accepted by `accept`, merged. */
  forValues(name: string, accept: (value: string) => boolean): Postings;
}

export class MemPostings implements PostingsIndex {
  private readonly index = new Map<string, Map<string, number[]>>();
  private all: number[] = [];

  /** Adds a series. Refs must be added in increasing order, which keeps every list sorted by a push. */
  add(ref: number, labels: Labels): void {
    for (const l of labels) {
      let values = this.index.get(l.name);
      if (!values) {
        values = new Map();
        this.index.set(l.name, values);
      }
      const list = values.get(l.value);
      if (list) list.push(ref);
      else values.set(l.value, [ref]);
    }
    this.all.push(ref);
  }

  /** Removes series in one pass over the lists they appear in (retention deletes in batches). */
  delete(refs: ReadonlySet<number>, labelsOf: (ref: number) => Labels): void {
    if (refs.size === 0) return;
    const touched = new Map<string, Set<string>>();
    for (const ref of refs) {
      for (const l of labelsOf(ref)) {
        let s = touched.get(l.name);
        if (!s) touched.set(l.name, (s = new Set()));
        s.add(l.value);
      }
    }
    for (const [name, vals] of touched) {
      const values = this.index.get(name);
      if (!values) continue;
      for (const v of vals) {
        const list = values.get(v);
        if (!list) continue;
        const kept = list.filter((r) => !refs.has(r));
        if (kept.length === 0) values.delete(v);
        else values.set(v, kept);
      }
      if (values.size === 0) this.index.delete(name);
    }
    this.all = this.all.filter((r) => !refs.has(r));
  }

  get(name: string, value: string): Postings {
    return this.index.get(name)?.get(value) ?? EMPTY;
  }

  allPostings(): Postings {
    return this.all;
  }

  labelNames(): string[] {
    return [...this.index.keys()].sort();
  }

  labelValues(name: string): string[] {
    const values = this.index.get(name);
    return values ? [...values.keys()].sort() : [];
  }

  /** Postings of every value of `name` accepted by `accept`, merged. */
  forValues(name: string, accept: (value: string) => boolean): Postings {
    const values = this.index.get(name);
    if (!values) return EMPTY;
    const lists: Postings[] = [];
    for (const [v, list] of values) if (accept(v)) lists.push(list);
    return merge(lists);
  }
}

export function intersect(lists: readonly Postings[]): Postings {
  if (lists.length === 0) return EMPTY;
  // Start from the shortest list: the result can be no longer.
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let acc: Postings = sorted[0]!;
  for (let k = 1; k < sorted.length && acc.length > 0; k++) acc = intersect2(acc, sorted[k]!);
  return acc;
}

function intersect2(a: Postings, b: Postings): Postings {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i = seek(a, y, i + 1);
    else j = seek(b, x, j + 1);
  }
  return out;
}

/** First index >= from whose value is >= target (galloping, so a short list skips fast through a long one). */
function seek(list: Postings, target: number, from: number): number {
  let step = 1;
  let lo = from;
  let hi = from;
  while (hi < list.length && list[hi]! < target) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > list.length) hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function merge(lists: readonly Postings[]): Postings {
  if (lists.length === 0) return EMPTY;
  if (lists.length === 1) return lists[0]!;
  if (lists.length === 2) return merge2(lists[0]!, lists[1]!);
  // Divide and conquer keeps the work at n log k.
  const mid = lists.length >>> 1;
  return merge2(merge(lists.slice(0, mid)), merge(lists.slice(mid)));
}

function merge2(a: Postings, b: Postings): Postings {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** a minus b */
export function without(a: Postings, b: Postings): Postings {
  if (b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out.push(x);
  }
  return out;
}

/** Regexes made only of literal alternatives (a|b|c) are answered by lookups, not by scanning values. */
function literalAlternatives(re: string): string[] | undefined {
  if (/[\\.+*?()[\]{}^$]/.test(re)) return undefined;
  return re.split('|');
}

/** Series carrying `m.name` with a value that `m` matches. */
function postingsForMatcher(ix: PostingsIndex, m: Matcher): Postings {
  if (m.type === '=') return ix.get(m.name, m.value);
  if (m.type === '=~') {
    const alts = literalAlternatives(m.value);
    if (alts) return merge(alts.map((v) => ix.get(m.name, v)));
  }
  return ix.forValues(m.name, (v) => m.matches(v));
}

/** Series carrying `m.name` with a value that `m` does not match. */
function inversePostingsForMatcher(ix: PostingsIndex, m: Matcher): Postings {
  return ix.forValues(m.name, (v) => !m.matches(v));
}

/**
 * The series selected by all matchers, as Prometheus's PostingsForMatchers computes them:
 * matchers that cannot match the empty string intersect; the others subtract the series whose
 * value they reject, so a matcher like {a=""} or {a!~"x"} also keeps series without label a.
 * No matchers select nothing.
 */
export function postingsForMatchers(ix: PostingsIndex, matchers: readonly Matcher[]): Postings {
  const its: Postings[] = [];
  const notIts: Postings[] = [];
  const mustBeSet = new Set<string>();
  for (const m of matchers) if (!m.matches('')) mustBeSet.add(m.name);
  for (const m of matchers) {
    if (mustBeSet.has(m.name)) {
      const matchesEmpty = m.matches('');
      const isNot = m.type === '!=' || m.type === '!~';
      if (isNot && matchesEmpty) {
        // l!="foo" alongside a matcher that requires l: subtract the series with l="foo".
        notIts.push(ix.forValues(m.name, (v) => !m.matches(v)));
      } else if (isNot && !matchesEmpty) {
        // l!="" : every series with l set to a value m accepts.
        const it = ix.forValues(m.name, (v) => m.matches(v));
        if (it.length === 0) return EMPTY;
        its.push(it);
      } else {
        const it = postingsForMatcher(ix, m);
        if (it.length === 0) return EMPTY;
        its.push(it);
      }
    } else {
      // The matcher accepts '' and so also series without the label: remove what it rejects.
      notIts.push(inversePostingsForMatcher(ix, m));
    }
  }
  if (its.length === 0) {
    if (notIts.length === 0) return EMPTY;
    its.push(ix.allPostings());
  }
  let out = intersect(its);
  for (const n of notIts) out = without(out, n);
  return out;
}
