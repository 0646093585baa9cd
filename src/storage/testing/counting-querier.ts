// A Querier for tests that records the reads it passes on to another: which path an engine took
// shows in whether it selected a whole selection or scanned it series by series.
import { scanSeries, type Querier } from '../storage.js';

export type QuerierRead = 'select' | 'scan';

export interface CountingQuerier extends Querier {
  /** every select and scan, in the order they were made */
  readonly reads: QuerierRead[];
  readonly selects: number;
  readonly scans: number;
}

/** `q` answering every call, with its selects and scans recorded. */
export function countingQuerier(q: Querier): CountingQuerier {
  const reads: QuerierRead[] = [];
  return {
    reads,
    get selects() {
      return reads.filter((r) => r === 'select').length;
    },
    get scans() {
      return reads.filter((r) => r === 'scan').length;
    },
    select: (ms, mint, maxt) => {
      reads.push('select');
      return q.select(ms, mint, maxt);
    },
    scan: (ms, mint, maxt, visit) => {
      reads.push('scan');
      scanSeries(q, ms, mint, maxt, visit);
    },
    series: (ms, mint, maxt) => q.series(ms, mint, maxt),
    labelNames: (ms, mint, maxt) => q.labelNames(ms, mint, maxt),
    labelValues: (name, ms, mint, maxt) => q.labelValues(name, ms, mint, maxt),
  };
}
