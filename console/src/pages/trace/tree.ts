// A trace as the waterfall reads it: spans in tree order (depth-first, children by start time),
// each with its depth, parent and subtree end, so collapsing and row lookups are index arithmetic.
// Spans whose parent is missing (not yet arrived, or dropped) become extra roots marked as
// orphans; a parent chain that loops is cut the same way; spans outside their parent's bounds
// are marked as clock skew rather than moved, so what is drawn is what was sent.
import type { JaegerProcess, JaegerSpan, JaegerTrace } from '../../api/traces.js';
import { isErrorSpan } from '../search/results.js';

export interface SpanNode {
  readonly index: number;
  readonly span: JaegerSpan;
  readonly service: string;
  readonly process: JaegerProcess | undefined;
  readonly depth: number;
  /** -1 for a root */
  readonly parent: number;
  readonly children: readonly number[];
  /** exclusive end of this node's subtree in `nodes` */
  readonly subtreeEnd: number;
  /** its parent span is referenced but not in the trace (or the chain loops) */
  readonly orphan: boolean;
  /** starts before its parent or ends after it: the two hosts' clocks disagree */
  readonly clockSkew: boolean;
  readonly error: boolean;
  /** µs from the trace start */
  readonly offsetUs: number;
}

export interface TraceTree {
  readonly traceID: string;
  readonly nodes: readonly SpanNode[];
  readonly roots: readonly number[];
  /** µs since the epoch */
  readonly startUs: number;
  readonly endUs: number;
  readonly durationUs: number;
  /** levels of nesting (a lone root is 1) */
  readonly depth: number;
  readonly services: readonly string[];
  readonly errorCount: number;
}

function parentIdOf(span: JaegerSpan): string | undefined {
  return (
    span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)?.spanID ??
    span.references.find((r) => r.refType === 'CHILD_OF')?.spanID
  );
}

export function buildTree(trace: JaegerTrace): TraceTree {
  const spans = trace.spans;
  const n = spans.length;
  // the first span with an ID is the one children attach to
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) if (!byId.has(spans[i]!.spanID)) byId.set(spans[i]!.spanID, i);
  const parentOf = new Int32Array(n).fill(-1);
  const orphan = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const pid = parentIdOf(spans[i]!);
    if (pid === undefined) continue;
    const p = byId.get(pid);
    if (p === undefined || p === i) orphan[i] = 1;
    else parentOf[i] = p;
  }
  // cut loops: walk each chain with a visit stamp
  const stamp = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j >= 0 && stamp[j] === -1) {
      stamp[j] = i;
      j = parentOf[j]!;
    }
    if (j >= 0 && stamp[j] === i) {
      // j is on a cycle started in this walk: detach it
      parentOf[j] = -1;
      orphan[j] = 1;
    }
  }
  const kids: number[][] = Array.from({ length: n }, () => []);
  const rootList: number[] = [];
  for (let i = 0; i < n; i++) (parentOf[i]! >= 0 ? kids[parentOf[i]!]! : rootList).push(i);
  const byStart = (a: number, b: number): number =>
    spans[a]!.startTime - spans[b]!.startTime || (spans[a]!.spanID < spans[b]!.spanID ? -1 : 1);
  for (const k of kids) k.sort(byStart);
  // true roots before orphans, then by start
  rootList.sort((a, b) => orphan[a]! - orphan[b]! || byStart(a, b));

  let startUs = Infinity;
  let endUs = -Infinity;
  for (const s of spans) {
    startUs = Math.min(startUs, s.startTime);
    endUs = Math.max(endUs, s.startTime + s.duration);
  }
  if (n === 0) startUs = endUs = 0;

  // depth-first order without recursion (a 5,000-deep chain must not overflow the stack)
  const order: number[] = [];
  const depthOf = new Int32Array(n);
  const stack: number[] = [];
  for (let r = rootList.length - 1; r >= 0; r--) stack.push(rootList[r]!);
  while (stack.length > 0) {
    const i = stack.pop()!;
    order.push(i);
    const k = kids[i]!;
    for (let c = k.length - 1; c >= 0; c--) {
      depthOf[k[c]!] = depthOf[i]! + 1;
      stack.push(k[c]!);
    }
  }
  const pos = new Int32Array(n);
  order.forEach((spanIdx, p) => (pos[spanIdx] = p));
  const subtreeEnd = new Int32Array(n);
  for (let p = n - 1; p >= 0; p--) {
    const i = order[p]!;
    const k = kids[i]!;
    subtreeEnd[p] = k.length === 0 ? p + 1 : subtreeEnd[pos[k[k.length - 1]!]!]!;
  }
  const services = new Set<string>();
  let depth = 0;
  let errorCount = 0;
  const nodes = order.map((i, p): SpanNode => {
    const span = spans[i]!;
    const process = trace.processes[span.processID];
    const service = process?.serviceName ?? 'unknown service';
    services.add(service);
    depth = Math.max(depth, depthOf[i]! + 1);
    const parent = parentOf[i]! >= 0 ? spans[parentOf[i]!]! : undefined;
    const error = isErrorSpan(span);
    if (error) errorCount++;
    return {
      index: p,
      span,
      service,
      process,
      depth: depthOf[i]!,
      parent: parentOf[i]! >= 0 ? pos[parentOf[i]!]! : -1,
      children: kids[i]!.map((c) => pos[c]!),
      subtreeEnd: subtreeEnd[p]!,
      orphan: orphan[i] === 1,
      clockSkew:
        parent !== undefined &&
        (span.startTime < parent.startTime || span.startTime + span.duration > parent.startTime + parent.duration),
      error,
      offsetUs: span.startTime - startUs,
    };
  });
  return {
    traceID: trace.traceID,
    nodes,
    roots: rootList.map((r) => pos[r]!),
    startUs,
    endUs,
    durationUs: endUs - startUs,
    depth,
    services: [...services].sort(),
    errorCount,
  };
}

/** The rows shown when the given spans (by ID) are collapsed: their descendants are hidden. */
export function visibleRows(tree: TraceTree, collapsed: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (let i = 0; i < tree.nodes.length;) {
    const node = tree.nodes[i]!;
    out.push(i);
    i = collapsed.has(node.span.spanID) ? node.subtreeEnd : i + 1;
  }
  return out;
}

/** Every span with children: collapse all. */
export function parentIds(tree: TraceTree): Set<string> {
  return new Set(tree.nodes.filter((n) => n.children.length > 0).map((n) => n.span.spanID));
}

/** The ancestors of a row, nearest first (to expand down to a found span). */
export function ancestors(tree: TraceTree, index: number): number[] {
  const out: number[] = [];
  for (let p = tree.nodes[index]?.parent ?? -1; p >= 0; p = tree.nodes[p]!.parent) out.push(p);
  return out;
}
