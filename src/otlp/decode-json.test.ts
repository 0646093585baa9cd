import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './decode-json.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from './decode-protobuf.js';
import { DecodeReport } from './decode-report.js';
import { MAX_VALUE_NESTING } from './model.js';
import { deepJsonRequest } from './testing/deep-values.js';
import { demoSpans } from './testing/demo-spans.js';
import { richLogs, richSpans, ROOT_ID, sdkMetrics, TRACE_ID } from './testing/fixtures.js';

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

const span = (extra: Record<string, unknown>) => ({ traceId: TRACE_ID, spanId: ROOT_ID, name: 's', ...extra });
const traces = (...spans: unknown[]) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

describe('OTLP/JSON decoding agrees with protobuf decoding of the same SDK data', () => {
  it('traces: every attribute type, events, links, status, resource', () => {
    const spans = richSpans();
    const fromJson = decodeTracesJson(JsonTraceSerializer.serializeRequest(spans)!);
    const fromProto = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(fromJson).toEqual(fromProto);
    expect(fromJson.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.parentSpanId).toBe(ROOT_ID);
  });

  it('traces: a demo batch', () => {
    const spans = demoSpans(300);
    expect(decodeTracesJson(JsonTraceSerializer.serializeRequest(spans)!)).toEqual(
      decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(spans)!),
    );
  });

  it('metrics: sums, gauges, histograms, exponential histograms', async () => {
    const rm = await sdkMetrics();
    expect(decodeMetricsJson(JsonMetricsSerializer.serializeRequest(rm)!)).toEqual(
      decodeMetricsRequest(ProtobufMetricsSerializer.serializeRequest(rm)!),
    );
  });

  it('logs: structured and text bodies, bytes attributes', () => {
    const logs = richLogs();
    expect(decodeLogsJson(JsonLogsSerializer.serializeRequest(logs)!)).toEqual(
      decodeLogsRequest(ProtobufLogsSerializer.serializeRequest(logs)!),
    );
  });
});

describe('decodeTracesJson', () => {
  it('accepts proto field names, enum names, int64 as strings or numbers, upper-case hex', () => {
    const data = decodeTracesJson(
      JSON.stringify({
        resource_spans: [
          {
            resource: {
              attributes: [{ key: 'service.name', value: { string_value: 'cart' } }],
              dropped_attributes_count: '2',
            },
            scope_spans: [
              {
                scope: { name: 'lib' },
                schema_url: 'u',
                spans: [
                  {
                    trace_id: TRACE_ID.toUpperCase(),
                    span_id: ROOT_ID,
                    parent_span_id: '',
                    kind: 'SPAN_KIND_CONSUMER',
                    start_time_unix_nano: '1700000000000000000',
                    end_time_unix_nano: 1700000000500000000,
                    attributes: [
                      { key: 'i', value: { int_value: '-12' } },
                      { key: 'd', value: { double_value: 'NaN' } },
                      { key: 'b', value: { bytes_value: 'AAEC' } },
                      { key: 'a', value: { array_value: { values: [{ bool_value: true }, {}] } } },
                      { key: 'm', value: { kvlist_value: { values: [{ key: 'x', value: { doubleValue: 1.5 } }] } } },
                    ],
                    status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                    unknown_future_field: { whatever: [1, 2, 3] },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const rs = data.resourceSpans[0]!;
    expect(rs.resource).toEqual({
      attributes: [{ key: 'service.name', value: { kind: 'string', value: 'cart' } }],
      droppedAttributesCount: 2,
    });
    expect(rs.scopeSpans[0]!.schemaUrl).toBe('u');
    const s = rs.scopeSpans[0]!.spans[0]!;
    expect(s).toMatchObject({
      traceId: TRACE_ID,
      spanId: ROOT_ID,
      parentSpanId: '',
      kind: 5,
      startTimeUnixNano: 1_700_000_000_000_000_000,
      endTimeUnixNano: 1_700_000_000_500_000_000,
      status: { code: 2, message: 'boom' },
    });
    expect(s.attributes[0]!.value).toEqual({ kind: 'int', value: -12 });
    expect(s.attributes[1]!.value.kind).toBe('double');
    expect(Number.isNaN((s.attributes[1]!.value as { value: number }).value)).toBe(true);
    expect(s.attributes[2]!.value).toEqual({ kind: 'bytes', value: new Uint8Array([0, 1, 2]) });
    expect(s.attributes[3]!.value).toEqual({
      kind: 'array',
      value: [{ kind: 'bool', value: true }, { kind: 'empty' }],
    });
    expect(s.attributes[4]!.value).toEqual({
      kind: 'kvlist',
      value: [{ key: 'x', value: { kind: 'double', value: 1.5 } }],
    });
  });

  it('keeps int64 attribute values beyond 2^53 exact, given as decimal strings or as number literals', () => {
    // written by hand: JSON.stringify cannot write these literals, JSON.parse would round them
    const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"${ROOT_ID}",
      "startTimeUnixNano": 1700000000000000123, "name":"s","attributes":[
      {"key":"str","value":{"intValue":"9007199254740993"}},
      {"key":"num","value":{"intValue": 9007199254740993}},
      {"key":"max","value":{"int_value":9223372036854775807}},
      {"key":"min","value":{"intValue":"-9223372036854775808"}},
      {"key":"safe","value":{"intValue":9007199254740991}},
      {"key":"text","value":{"stringValue":"\\\"intValue\\\": 12345678901234567"}},
      {"key":"map","value":{"kvlistValue":{"values":[{"key":"n","value":{"intValue":-9007199254740993}}]}}}]}]}]}]}`;
    const span = decodeTracesJson(text).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.attributes.map((a) => a.value)).toEqual([
      { kind: 'int', value: 9007199254740993n },
      { kind: 'int', value: 9007199254740993n },
      { kind: 'int', value: 9223372036854775807n },
      { kind: 'int', value: -9223372036854775808n },
      { kind: 'int', value: 9007199254740991 },
      { kind: 'string', value: '"intValue": 12345678901234567' },
      { kind: 'kvlist', value: [{ key: 'n', value: { kind: 'int', value: -9007199254740993n } }] },
    ]);
    // other int64 fields keep their documented double precision
    expect(span.startTimeUnixNano).toBe(1700000000000000123);
  });

  it('refuses an intValue outside int64, and one beyond 2^53 written so that it cannot be exact', () => {
    expect(
      decodeError(() =>
        decodeTracesJson(traces(span({ attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] }))),
      ).message,
    ).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: 9223372036854775808 is outside the int64 range',
    );
    expect(
      decodeError(() => decodeTracesJson(traces(span({ attributes: [{ key: 'k', value: { intValue: 1e300 } }] }))))
        .message,
    ).toMatch(/attributes\[0\]\.value\.intValue: integer literal beyond 2\^53 is not exact/);
  });

  it('refuses array and kvlist values nested deeper than MAX_VALUE_NESTING, with a clear message', () => {
    const request = (levels: number) => deepJsonRequest(levels, TRACE_ID, ROOT_ID);
    const atLimit = decodeTracesJson(request(MAX_VALUE_NESTING)).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    let v = atLimit.attributes[0]!.value;
    let levels = 0;
    for (; v.kind === 'kvlist' || v.kind === 'array'; levels++)
      v = v.kind === 'array' ? v.value[0]! : v.value[0]!.value;
    expect(levels).toBe(MAX_VALUE_NESTING);
    for (const deep of [MAX_VALUE_NESTING + 1, 3000, 100_000]) {
      const err = decodeError(() => decodeTracesJson(request(deep)));
      expect(err.detail).toBe(`array and kvlist values nested deeper than ${MAX_VALUE_NESTING} levels`);
      expect(err.path).toMatch(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\[0\]\.value\.kvlistValue/);
    }
  });

  it('leaves out spans with an all-zero trace or span ID and counts them; an all-zero parent is no parent', () => {
    const report = new DecodeReport();
    const data = decodeTracesJson(
      traces(
        span({ traceId: '0'.repeat(32), name: 'zero trace' }),
        span({ name: 'kept', parentSpanId: '0'.repeat(16) }),
        span({ spanId: '0'.repeat(16), name: 'zero span' }),
      ),
      report,
    );
    expect(data.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => [s.name, s.parentSpanId])).toEqual([['kept', '']]);
    expect(report.reasons()).toEqual([
      ['invalid (trace ID all zeros)', 1],
      ['invalid (span ID all zeros)', 1],
    ]);
  });

  it('rejects a trace ID of the wrong length, naming the path', () => {
    const err = decodeError(() => decodeTracesJson(traces(span({}), span({}), span({}), span({ traceId: 'abc' }))));
    expect(err.message).toBe('resourceSpans[0].scopeSpans[0].spans[3].traceId: expected 32 hex characters');
  });

  it('rejects IDs that are not hex, or missing', () => {
    expect(decodeError(() => decodeTracesJson(traces(span({ spanId: 'zzzzzzzzzzzzzzzz' })))).message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 16 hex characters',
    );
    expect(decodeError(() => decodeTracesJson(traces(span({ traceId: undefined })))).message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters',
    );
    // a base64 ID (the proto3 default for bytes) is not OTLP/JSON
    expect(
      decodeError(() => decodeTracesJson(traces(span({ traceId: Buffer.from(TRACE_ID, 'hex').toString('base64') }))))
        .message,
    ).toBe('resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters');
    expect(decodeError(() => decodeTracesJson(traces(span({ parentSpanId: 'abcd' })))).message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].parentSpanId: expected 16 hex characters or an empty string',
    );
    expect(
      decodeError(() => decodeTracesJson(traces(span({ links: [{ traceId: TRACE_ID, spanId: 'ab' }] })))).message,
    ).toBe('resourceSpans[0].scopeSpans[0].spans[0].links[0].spanId: expected 16 hex characters');
  });

  it('rejects wrong JSON types with the path of the field', () => {
    const cases: [unknown, string][] = [
      [{ resourceSpans: {} }, 'resourceSpans: expected an array, got an object'],
      [{ resourceSpans: [42] }, 'resourceSpans[0]: expected an object, got a number'],
      [
        { resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] },
        'resourceSpans[0].scopeSpans[0].spans: expected an array, got a string',
      ],
      [{ resourceSpans: [{ resource: [] }] }, 'resourceSpans[0].resource: expected an object, got an array'],
    ];
    for (const [doc, message] of cases)
      expect(decodeError(() => decodeTracesJson(JSON.stringify(doc))).message).toBe(message);

    const spanCases: [Record<string, unknown>, string][] = [
      [{ name: 7 }, 'name: expected a string, got a number'],
      [{ kind: 'SERVER' }, 'kind: expected one of 0..5 or an enum name, got "SERVER"'],
      [{ kind: 17 }, 'kind: expected one of 0..5 or an enum name, got 17'],
      [
        { startTimeUnixNano: '12.5' },
        'startTimeUnixNano: expected an integer (number or decimal string), got a string',
      ],
      [{ endTimeUnixNano: 1.5 }, 'endTimeUnixNano: expected an integer (number or decimal string), got a number'],
      [{ startTimeUnixNano: -1 }, 'startTimeUnixNano: expected an unsigned integer, got -1'],
      [
        { attributes: [{ key: 'k', value: { intValue: true } }] },
        'attributes[0].value.intValue: expected an integer (number or decimal string), got a boolean',
      ],
      [
        { attributes: [{ key: 'k', value: { boolValue: 'yes' } }] },
        'attributes[0].value.boolValue: expected a boolean, got a string',
      ],
      [
        { attributes: [{ key: 'k', value: { stringValue: 1 } }] },
        'attributes[0].value.stringValue: expected a string, got a number',
      ],
      [
        { attributes: [{ key: 'k', value: { doubleValue: 'pi' } }] },
        'attributes[0].value.doubleValue: expected a number, got a string',
      ],
      [
        { attributes: [{ key: 'k', value: { bytesValue: '*not base64*' } }] },
        'attributes[0].value.bytesValue: expected a base64 string',
      ],
      [
        { attributes: [{ key: 'k', value: { arrayValue: { values: [{ intValue: 'x' }] } } }] },
        'attributes[0].value.arrayValue.values[0].intValue: expected an integer (number or decimal string), got a string',
      ],
      [
        { events: [{ name: 'e', attributes: [{ key: 5 }] }] },
        'events[0].attributes[0].key: expected a string, got a number',
      ],
      [{ status: { code: 'BAD' } }, 'status.code: expected one of 0..2 or an enum name, got "BAD"'],
    ];
    for (const [extra, suffix] of spanCases) {
      expect(decodeError(() => decodeTracesJson(traces(span(extra)))).message).toBe(
        `resourceSpans[0].scopeSpans[0].spans[0].${suffix}`,
      );
    }
  });

  it('rejects text that is not JSON or not an object', () => {
    expect(decodeError(() => decodeTracesJson('{"resourceSpans": [')).message).toMatch(/^invalid JSON: /);
    expect(decodeError(() => decodeTracesJson('[]')).message).toBe('expected a JSON object at the top level');
    expect(decodeError(() => decodeTracesJson(Buffer.from([0xff, 0xfe]))).message).toMatch(/^invalid JSON/);
  });

  it('accepts a UTF-8 byte-order mark before the JSON', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(traces(span({})))]);
    expect(decodeTracesJson(bytes).resourceSpans[0]!.scopeSpans[0]!.spans).toHaveLength(1);
  });

  it('treats null fields as absent', () => {
    const data = decodeTracesJson(traces(span({ attributes: null, status: null, parentSpanId: null, kind: null })));
    expect(data.resourceSpans[0]!.scopeSpans[0]!.spans[0]).toMatchObject({
      attributes: [],
      status: { code: 0, message: '' },
      kind: 0,
    });
  });
});

describe('decodeMetricsJson', () => {
  it('decodes summaries and exemplars, int64 as strings', () => {
    const data = decodeMetricsJson(
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'rpc.latency',
                    summary: {
                      dataPoints: [
                        {
                          count: '10',
                          sum: 55.5,
                          quantileValues: [
                            { quantile: 0.5, value: 4 },
                            { quantile: 1, value: '9.5' },
                          ],
                        },
                      ],
                    },
                  },
                  {
                    name: 'calls',
                    sum: {
                      aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
                      isMonotonic: true,
                      dataPoints: [
                        {
                          asInt: '42',
                          exemplars: [
                            { asDouble: 3.5, traceId: TRACE_ID, spanId: ROOT_ID, timeUnixNano: '1700000000000000000' },
                          ],
                        },
                      ],
                    },
                  },
                  {
                    name: 'h',
                    histogram: {
                      aggregationTemporality: 2,
                      dataPoints: [{ count: '3', bucketCounts: ['1', 2], explicitBounds: [10], min: 1, max: '20' }],
                    },
                  },
                  {
                    name: 'e',
                    exponentialHistogram: {
                      dataPoints: [{ scale: -2, positive: { offset: -3, bucketCounts: ['4'] }, zeroCount: 1 }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const [summary, calls, h, e] = data.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    expect(summary!.data).toMatchObject({
      type: 'summary',
      dataPoints: [
        {
          count: 10,
          sum: 55.5,
          quantileValues: [
            { quantile: 0.5, value: 4 },
            { quantile: 1, value: 9.5 },
          ],
        },
      ],
    });
    expect(calls!.data).toMatchObject({
      type: 'sum',
      aggregationTemporality: 1,
      isMonotonic: true,
      dataPoints: [
        {
          value: 42,
          exemplars: [{ value: 3.5, traceId: TRACE_ID, spanId: ROOT_ID, timeUnixNano: 1_700_000_000_000_000_000 }],
        },
      ],
    });
    expect(h!.data).toMatchObject({
      type: 'histogram',
      dataPoints: [{ count: 3, bucketCounts: [1, 2], explicitBounds: [10], min: 1, max: 20, sum: undefined }],
    });
    expect(e!.data).toMatchObject({
      type: 'exponentialHistogram',
      dataPoints: [{ scale: -2, positive: { offset: -3, bucketCounts: [4] }, zeroCount: 1 }],
    });
  });

  it('names the path of a bad data point field', () => {
    const doc = {
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: {} }] } }] }] },
      ],
    };
    expect(decodeError(() => decodeMetricsJson(JSON.stringify(doc))).message).toBe(
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1].asDouble: expected a number, got an object',
    );
    const bad = {
      resourceMetrics: [
        {
          scopeMetrics: [
            { metrics: [{ name: 'h', histogram: { dataPoints: [{ bucketCounts: [1, 'x'], explicitBounds: [1] }] } }] },
          ],
        },
      ],
    };
    expect(decodeError(() => decodeMetricsJson(JSON.stringify(bad))).message).toBe(
      'resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[1]: expected an integer (number or decimal string), got a string',
    );
  });
});

describe('decodeLogsJson', () => {
  it('decodes severity names and checks IDs', () => {
    const ok = decodeLogsJson(
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              { logRecords: [{ severityNumber: 'SEVERITY_NUMBER_WARN', body: { stringValue: 'hi' }, traceId: '' }] },
            ],
          },
        ],
      }),
    );
    expect(ok.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]).toMatchObject({
      severityNumber: 13,
      body: { kind: 'string', value: 'hi' },
      traceId: '',
    });
    const bad = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: 'abc' }] }] }] });
    expect(decodeError(() => decodeLogsJson(bad)).message).toBe(
      'resourceLogs[0].scopeLogs[0].logRecords[0].traceId: expected 32 hex characters or an empty string',
    );
  });
});
