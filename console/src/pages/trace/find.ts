// Find in trace (Jaeger's "Find…" box): the words typed, separated by spaces; a span matches when
// one of them is found, case-insensitively, in its service, operation, a tag or process tag key or
// value, a log field, or is its span ID. `key=value` matches a tag with exactly that key and value.
import type { JaegerKeyValue } from '../../api/traces.js';
import type { TraceTree } from './tree.js';

function terms(query: string): string[] {
  return query
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => t.toLowerCase());
}

function kvMatches(kvs: readonly JaegerKeyValue[] | null | undefined, term: string): boolean {
  if (!kvs) return false;
  const eq = term.indexOf('=');
  if (eq > 0) {
    const k = term.slice(0, eq);
    const v = term.slice(eq + 1);
    return kvs.some((kv) => kv.key.toLowerCase() === k && String(kv.value).toLowerCase() === v);
  }
  return kvs.some((kv) => kv.key.toLowerCase().includes(term) || String(kv.value).toLowerCase().includes(term));
}

/** The node indices that match, in tree order (empty for an empty query). */
export function findSpans(tree: TraceTree, query: string): number[] {
  const ts = terms(query);
  if (ts.length === 0) return [];
  const out: number[] = [];
  for (const node of tree.nodes) {
    const s = node.span;
    const hit = ts.some(
      (t) =>
        node.service.toLowerCase().includes(t) ||
        s.operationName.toLowerCase().includes(t) ||
        s.spanID.toLowerCase().replace(/^0+/, '') === t.replace(/^0+/, '') ||
        kvMatches(s.tags, t) ||
        kvMatches(node.process?.tags, t) ||
        s.logs.some((l) => kvMatches(l.fields, t)),
    );
    if (hit) out.push(node.index);
  }
  return out;
}
