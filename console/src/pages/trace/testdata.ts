// Terse builders of Jaeger-shaped traces for the trace pages' model tests.
import type { JaegerKeyValue, JaegerSpan, JaegerTrace } from '../../api/traces.js';

export interface SpanSpec {
  id: string;
  parent?: string;
  service: string;
  op: string;
  /** µs from T0 */
  start: number;
  duration: number;
  tags?: JaegerKeyValue[];
  logs?: JaegerSpan['logs'];
}

export const T0_US = 1_700_000_000_000_000;

export function makeTrace(specs: readonly SpanSpec[], traceID = 'abcdef0123456789'): JaegerTrace {
  const pids = new Map<string, string>();
  const processes: JaegerTrace['processes'] = {};
  const spans = specs.map((s): JaegerSpan => {
    let pid = pids.get(s.service);
    if (!pid) {
      pid = `p${pids.size + 1}`;
      pids.set(s.service, pid);
      processes[pid] = {
        serviceName: s.service,
        tags: [{ key: 'host.name', type: 'string', value: `${s.service}-host` }],
      };
    }
    return {
      traceID,
      spanID: s.id,
      flags: 1,
      operationName: s.op,
      references: s.parent ? [{ refType: 'CHILD_OF', traceID, spanID: s.parent }] : [],
      startTime: T0_US + s.start,
      duration: s.duration,
      tags: s.tags ?? [],
      logs: s.logs ?? [],
      processID: pid,
      warnings: null,
    };
  });
  return { traceID, spans, processes, warnings: null };
}

export const errorTag: JaegerKeyValue = { key: 'error', type: 'bool', value: true };
