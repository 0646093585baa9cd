// Builders of OTLP log batches for tests and benchmarks: records in the decoded model, with
// resource and record attributes given as plain records of strings, numbers and booleans.
import type { AnyValue, KeyValue, LogRecord, LogsData } from '../otlp/model.js';

export type PlainValue = string | number | boolean | { readonly [k: string]: PlainValue };

export function toAnyValue(v: PlainValue): AnyValue {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'double', value: v };
  return { kind: 'kvlist', value: kvs(v) };
}

export function kvs(record: { readonly [k: string]: PlainValue }): KeyValue[] {
  return Object.entries(record).map(([key, v]) => ({ key, value: toAnyValue(v) }));
}

export interface RecordSpec {
  readonly timeNs: number;
  readonly body: string | AnyValue;
  readonly severityNumber?: number;
  readonly severityText?: string;
  readonly attributes?: { readonly [k: string]: PlainValue };
  readonly traceId?: string;
  readonly spanId?: string;
}

export function logRecord(spec: RecordSpec): LogRecord {
  return {
    timeUnixNano: spec.timeNs,
    observedTimeUnixNano: 0,
    severityNumber: spec.severityNumber ?? 0,
    severityText: spec.severityText ?? '',
    body: typeof spec.body === 'string' ? { kind: 'string', value: spec.body } : spec.body,
    attributes: kvs(spec.attributes ?? {}),
    traceId: spec.traceId ?? '',
    spanId: spec.spanId ?? '',
  };
}

/** One batch: per resource (attributes), one scope's records. */
export function logsBatch(
  groups: readonly {
    readonly resource: { readonly [k: string]: PlainValue };
    readonly scope?: { readonly name: string; readonly version?: string };
    readonly records: readonly RecordSpec[];
  }[],
): LogsData {
  return {
    resourceLogs: groups.map((g) => ({
      resource: { attributes: kvs(g.resource), droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeLogs: [
        {
          scope: { name: g.scope?.name ?? '', version: g.scope?.version ?? '', attributes: [] },
          schemaUrl: '',
          logRecords: g.records.map(logRecord),
        },
      ],
    })),
  };
}
