// OTLP v1 (common, resource, trace, metrics, logs, collector requests/responses) and
// google.rpc.Status as a protobufjs JSON descriptor, written from the published field numbers.
// Used only by tests and bench/decode.ts: an independent encoder/decoder to check ours against
// (the OpenTelemetry JS SDK never emits summaries or exemplars) and a baseline for speed.
import protobuf from 'protobufjs';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated'; options?: { packed?: boolean } }>;

const msg = (fields: Fields, oneofs?: Record<string, string[]>) =>
  oneofs
    ? { fields, oneofs: Object.fromEntries(Object.entries(oneofs).map(([k, v]) => [k, { oneof: v }])) }
    : { fields };
const rep = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });

const common = {
  AnyValue: msg(
    {
      stringValue: { type: 'string', id: 1 },
      boolValue: { type: 'bool', id: 2 },
      intValue: { type: 'int64', id: 3 },
      doubleValue: { type: 'double', id: 4 },
      arrayValue: { type: 'ArrayValue', id: 5 },
      kvlistValue: { type: 'KeyValueList', id: 6 },
      bytesValue: { type: 'bytes', id: 7 },
    },
    { value: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] },
  ),
  ArrayValue: msg({ values: rep('AnyValue', 1) }),
  KeyValueList: msg({ values: rep('KeyValue', 1) }),
  KeyValue: msg({ key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } }),
  InstrumentationScope: msg({
    name: { type: 'string', id: 1 },
    version: { type: 'string', id: 2 },
    attributes: rep('KeyValue', 3),
    droppedAttributesCount: { type: 'uint32', id: 4 },
  }),
};

const C = 'opentelemetry.proto.common.v1.';
const R = 'opentelemetry.proto.resource.v1.Resource';

const resource = {
  Resource: msg({ attributes: rep(C + 'KeyValue', 1), droppedAttributesCount: { type: 'uint32', id: 2 } }),
};

const trace = {
  TracesData: msg({ resourceSpans: rep('ResourceSpans', 1) }),
  ResourceSpans: msg({
    resource: { type: R, id: 1 },
    scopeSpans: rep('ScopeSpans', 2),
    schemaUrl: { type: 'string', id: 3 },
  }),
  ScopeSpans: msg({
    scope: { type: C + 'InstrumentationScope', id: 1 },
    spans: rep('Span', 2),
    schemaUrl: { type: 'string', id: 3 },
  }),
  Span: {
    ...msg({
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      parentSpanId: { type: 'bytes', id: 4 },
      flags: { type: 'fixed32', id: 16 },
      name: { type: 'string', id: 5 },
      kind: { type: 'int32', id: 6 },
      startTimeUnixNano: { type: 'fixed64', id: 7 },
      endTimeUnixNano: { type: 'fixed64', id: 8 },
      attributes: rep(C + 'KeyValue', 9),
      droppedAttributesCount: { type: 'uint32', id: 10 },
      events: rep('Event', 11),
      droppedEventsCount: { type: 'uint32', id: 12 },
      links: rep('Link', 13),
      droppedLinksCount: { type: 'uint32', id: 14 },
      status: { type: 'Status', id: 15 },
    }),
    nested: {
      Event: msg({
        timeUnixNano: { type: 'fixed64', id: 1 },
        name: { type: 'string', id: 2 },
        attributes: rep(C + 'KeyValue', 3),
        droppedAttributesCount: { type: 'uint32', id: 4 },
      }),
      Link: msg({
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        attributes: rep(C + 'KeyValue', 4),
        droppedAttributesCount: { type: 'uint32', id: 5 },
        flags: { type: 'fixed32', id: 6 },
      }),
    },
  },
  Status: msg({ message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } }),
};

const exemplar = msg({
  filteredAttributes: rep(C + 'KeyValue', 7),
  timeUnixNano: { type: 'fixed64', id: 2 },
  asDouble: { type: 'double', id: 3 },
  asInt: { type: 'sfixed64', id: 6 },
  spanId: { type: 'bytes', id: 4 },
  traceId: { type: 'bytes', id: 5 },
});

const metrics = {
  MetricsData: msg({ resourceMetrics: rep('ResourceMetrics', 1) }),
  ResourceMetrics: msg({
    resource: { type: R, id: 1 },
    scopeMetrics: rep('ScopeMetrics', 2),
    schemaUrl: { type: 'string', id: 3 },
  }),
  ScopeMetrics: msg({
    scope: { type: C + 'InstrumentationScope', id: 1 },
    metrics: rep('Metric', 2),
    schemaUrl: { type: 'string', id: 3 },
  }),
  Metric: msg(
    {
      name: { type: 'string', id: 1 },
      description: { type: 'string', id: 2 },
      unit: { type: 'string', id: 3 },
      gauge: { type: 'Gauge', id: 5 },
      sum: { type: 'Sum', id: 7 },
      histogram: { type: 'Histogram', id: 9 },
      exponentialHistogram: { type: 'ExponentialHistogram', id: 10 },
      summary: { type: 'Summary', id: 11 },
      metadata: rep(C + 'KeyValue', 12),
    },
    { data: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] },
  ),
  Gauge: msg({ dataPoints: rep('NumberDataPoint', 1) }),
  Sum: msg({
    dataPoints: rep('NumberDataPoint', 1),
    aggregationTemporality: { type: 'int32', id: 2 },
    isMonotonic: { type: 'bool', id: 3 },
  }),
  Histogram: msg({ dataPoints: rep('HistogramDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 } }),
  ExponentialHistogram: msg({
    dataPoints: rep('ExponentialHistogramDataPoint', 1),
    aggregationTemporality: { type: 'int32', id: 2 },
  }),
  Summary: msg({ dataPoints: rep('SummaryDataPoint', 1) }),
  NumberDataPoint: msg(
    {
      attributes: rep(C + 'KeyValue', 7),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      asDouble: { type: 'double', id: 4 },
      asInt: { type: 'sfixed64', id: 6 },
      exemplars: rep('Exemplar', 5),
      flags: { type: 'uint32', id: 8 },
    },
    { value: ['asDouble', 'asInt'] },
  ),
  HistogramDataPoint: msg(
    {
      attributes: rep(C + 'KeyValue', 9),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      bucketCounts: rep('fixed64', 6),
      explicitBounds: rep('double', 7),
      exemplars: rep('Exemplar', 8),
      flags: { type: 'uint32', id: 10 },
      min: { type: 'double', id: 11 },
      max: { type: 'double', id: 12 },
    },
    { _sum: ['sum'], _min: ['min'], _max: ['max'] },
  ),
  ExponentialHistogramDataPoint: {
    ...msg(
      {
        attributes: rep(C + 'KeyValue', 1),
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: { type: 'double', id: 5 },
        scale: { type: 'sint32', id: 6 },
        zeroCount: { type: 'fixed64', id: 7 },
        positive: { type: 'Buckets', id: 8 },
        negative: { type: 'Buckets', id: 9 },
        flags: { type: 'uint32', id: 10 },
        exemplars: rep('Exemplar', 11),
        min: { type: 'double', id: 12 },
        max: { type: 'double', id: 13 },
        zeroThreshold: { type: 'double', id: 14 },
      },
      { _sum: ['sum'], _min: ['min'], _max: ['max'] },
    ),
    nested: { Buckets: msg({ offset: { type: 'sint32', id: 1 }, bucketCounts: rep('uint64', 2) }) },
  },
  SummaryDataPoint: {
    ...msg({
      attributes: rep(C + 'KeyValue', 7),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      quantileValues: rep('ValueAtQuantile', 6),
      flags: { type: 'uint32', id: 8 },
    }),
    nested: { ValueAtQuantile: msg({ quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } }) },
  },
  Exemplar: { ...exemplar, oneofs: { value: { oneof: ['asDouble', 'asInt'] } } },
};

const logs = {
  LogsData: msg({ resourceLogs: rep('ResourceLogs', 1) }),
  ResourceLogs: msg({
    resource: { type: R, id: 1 },
    scopeLogs: rep('ScopeLogs', 2),
    schemaUrl: { type: 'string', id: 3 },
  }),
  ScopeLogs: msg({
    scope: { type: C + 'InstrumentationScope', id: 1 },
    logRecords: rep('LogRecord', 2),
    schemaUrl: { type: 'string', id: 3 },
  }),
  LogRecord: msg({
    timeUnixNano: { type: 'fixed64', id: 1 },
    observedTimeUnixNano: { type: 'fixed64', id: 11 },
    severityNumber: { type: 'int32', id: 2 },
    severityText: { type: 'string', id: 3 },
    body: { type: C + 'AnyValue', id: 5 },
    attributes: rep(C + 'KeyValue', 6),
    droppedAttributesCount: { type: 'uint32', id: 7 },
    flags: { type: 'fixed32', id: 8 },
    traceId: { type: 'bytes', id: 9 },
    spanId: { type: 'bytes', id: 10 },
    eventName: { type: 'string', id: 12 },
  }),
};

const service = (request: string, list: string, of: string, rejected: string) => ({
  [`Export${request}ServiceRequest`]: msg({ [list]: rep(of, 1) }),
  [`Export${request}ServiceResponse`]: msg({ partialSuccess: { type: `Export${request}PartialSuccess`, id: 1 } }),
  [`Export${request}PartialSuccess`]: msg({
    [rejected]: { type: 'int64', id: 1 },
    errorMessage: { type: 'string', id: 2 },
  }),
});

const P = 'opentelemetry.proto.';

export const otlpSchemaJson = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: { nested: { v1: { nested: common } } },
            resource: { nested: { v1: { nested: resource } } },
            trace: { nested: { v1: { nested: trace } } },
            metrics: { nested: { v1: { nested: metrics } } },
            logs: { nested: { v1: { nested: logs } } },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: { nested: service('Trace', 'resourceSpans', P + 'trace.v1.ResourceSpans', 'rejectedSpans') },
                  },
                },
                metrics: {
                  nested: {
                    v1: {
                      nested: service(
                        'Metrics',
                        'resourceMetrics',
                        P + 'metrics.v1.ResourceMetrics',
                        'rejectedDataPoints',
                      ),
                    },
                  },
                },
                logs: {
                  nested: {
                    v1: { nested: service('Logs', 'resourceLogs', P + 'logs.v1.ResourceLogs', 'rejectedLogRecords') },
                  },
                },
              },
            },
          },
        },
      },
    },
    google: {
      nested: {
        protobuf: { nested: { Any: msg({ typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } }) } },
        rpc: {
          nested: {
            Status: msg({
              code: { type: 'int32', id: 1 },
              message: { type: 'string', id: 2 },
              details: rep('google.protobuf.Any', 3),
            }),
          },
        },
      },
    },
  },
};

/** A fresh protobufjs root over the schema above. */
export function otlpRoot(): protobuf.Root {
  return protobuf.Root.fromJSON(otlpSchemaJson as protobuf.INamespace);
}

export const TYPES = {
  traceRequest: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  traceResponse: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  metricsRequest: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  metricsResponse: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  logsRequest: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  logsResponse: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  status: 'google.rpc.Status',
} as const;
