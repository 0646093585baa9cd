// Trace statistics (Jaeger's "Trace Statistics" view): per service and operation, how many spans,
// their total, average, smallest and largest duration, and the same for self time.
import { selfTimeUs } from './selfTime.js';
import type { TraceTree } from './tree.js';

export interface OperationStats {
  readonly service: string;
  readonly operation: string;
  readonly count: number;
  readonly totalUs: number;
  readonly avgUs: number;
  readonly minUs: number;
  readonly maxUs: number;
  readonly selfTotalUs: number;
  readonly selfAvgUs: number;
  readonly selfMinUs: number;
  readonly selfMaxUs: number;
  /** self time as a share of these spans' duration, 0..100 */
  readonly selfPercent: number;
}

export type StatsColumn = Exclude<keyof OperationStats, 'service' | 'operation'> | 'service' | 'operation';

export function traceStats(tree: TraceTree): OperationStats[] {
  const groups = new Map<string, { service: string; operation: string; d: number[]; self: number[] }>();
  tree.nodes.forEach((node, i) => {
    const key = `${node.service}\u0000${node.span.operationName}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { service: node.service, operation: node.span.operationName, d: [], self: [] }));
    g.d.push(node.span.duration);
    g.self.push(selfTimeUs(tree, i));
  });
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return [...groups.values()]
    .map((g) => {
      const total = sum(g.d);
      const selfTotal = sum(g.self);
      return {
        service: g.service,
        operation: g.operation,
        count: g.d.length,
        totalUs: total,
        avgUs: total / g.d.length,
        minUs: Math.min(...g.d),
        maxUs: Math.max(...g.d),
        selfTotalUs: selfTotal,
        selfAvgUs: selfTotal / g.d.length,
        selfMinUs: Math.min(...g.self),
        selfMaxUs: Math.max(...g.self),
        selfPercent: total > 0 ? (selfTotal / total) * 100 : 100,
      };
    })
    .sort((a, b) => b.totalUs - a.totalUs || (a.service + a.operation < b.service + b.operation ? -1 : 1));
}

export function sortStats(rows: readonly OperationStats[], by: StatsColumn, descending: boolean): OperationStats[] {
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[by];
    const y = b[by];
    return (
      (typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x) < String(y)
          ? -1
          : String(x) > String(y)
            ? 1
            : 0) * dir
    );
  });
}
