import {
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from './decode-protobuf.js';
import { DecodeReport } from './decode-report.js';
import { MAX_VALUE_NESTING, type HistogramDataPoint, type Metric, type NumberDataPoint } from './model.js';
import { deepProtobufRequest } from './testing/deep-values.js';
import { demoSpans } from './testing/demo-spans.js';
import { expectedAttributes } from './testing/expect.js';
import {
  CHILD_ID,
  hrToNanos,
  LINKED_SPAN,
  LINKED_TRACE,
  RESOURCE,
  richLogs,
  richSpans,
  ROOT_ID,
  sdkMetrics,
  TRACE_ID,
} from './testing/fixtures.js';
import { otlpRoot, TYPES } from './testing/protobufjs-schema.js';

const root = otlpRoot();
const TraceRequest = root.lookupType(TYPES.traceRequest);
const MetricsRequest = root.lookupType(TYPES.metricsRequest);
const LogsRequest = root.lookupType(TYPES.logsRequest);

const hex = (s: string) => Buffer.from(s, 'hex');

function encodeTraces(obj: object): Uint8Array {
  return TraceRequest.encode(TraceRequest.fromObject(obj)).finish();
}

function oneSpan(span: Record<string, unknown>): Uint8Array {
  return encodeTraces({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
}

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('decodeTracesRequest', () => {
  it('decodes what the OpenTelemetry JS exporter serializes: ids, parents, attributes, events, links, status, resource', () => {
    const spans = richSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    const data = decodeTracesRequest(bytes);

    expect(data.resourceSpans).toHaveLength(1);
    const rs = data.resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual(expectedAttributes(RESOURCE.attributes));
    expect(rs.scopeSpans).toHaveLength(1);
    expect(rs.scopeSpans[0]!.scope).toMatchObject({ name: 'orrery-tests', version: '1.2.3' });
    const [root, child] = rs.scopeSpans[0]!.spans;

    expect(root).toMatchObject({
      traceId: TRACE_ID,
      spanId: ROOT_ID,
      parentSpanId: '',
      name: 'POST /api/checkout',
      kind: 2,
      flags: expect.any(Number),
      startTimeUnixNano: hrToNanos(spans[0]!.startTime),
      endTimeUnixNano: hrToNanos(spans[0]!.endTime),
      droppedAttributesCount: 3,
      droppedEventsCount: 4,
      droppedLinksCount: 5,
      status: { code: 2, message: 'card declined' },
    });
    expect(root!.attributes).toEqual(expectedAttributes(spans[0]!.attributes));
    expect(root!.attributes.find((a) => a.key === 'app.negative')!.value).toEqual({ kind: 'int', value: -42 });
    expect(root!.attributes.find((a) => a.key === 'app.unicode')!.value).toEqual({
      kind: 'string',
      value: 'Grüße, 世界 🌍',
    });
    expect(root!.events).toEqual([
      {
        name: 'exception',
        timeUnixNano: hrToNanos([1_764_000_001, 5]),
        attributes: expectedAttributes({ 'exception.type': 'Declined', 'exception.escaped': false }),
        droppedAttributesCount: 0,
      },
      {
        name: 'retry',
        timeUnixNano: hrToNanos([1_764_000_001, 500_000_000]),
        attributes: [],
        droppedAttributesCount: 0,
      },
    ]);
    expect(root!.links).toEqual([
      {
        traceId: LINKED_TRACE,
        spanId: LINKED_SPAN,
        traceState: '',
        attributes: expectedAttributes({ 'link.reason': 'retry', 'link.n': 2 }),
        droppedAttributesCount: 1,
        flags: expect.any(Number),
      },
    ]);

    expect(child).toMatchObject({
      traceId: TRACE_ID,
      spanId: CHILD_ID,
      parentSpanId: ROOT_ID,
      kind: 3,
      status: { code: 1, message: '' },
    });
    expect(child!.attributes).toEqual(expectedAttributes(spans[1]!.attributes));
    expect(child!.attributes.find((a) => a.key === 'app.bytes')!.value).toEqual({
      kind: 'bytes',
      value: new Uint8Array([0, 1, 2, 250, 255]),
    });
  });

  it('decodes a large demo batch in full', () => {
    const spans = demoSpans(1000);
    const data = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const all = data.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    expect(all).toHaveLength(1000);
    const byId = new Map(all.map((s) => [s.spanId, s]));
    for (const [i, s] of spans.entries()) {
      const d = byId.get(s.spanContext().spanId)!;
      expect(d.traceId).toBe(s.spanContext().traceId);
      expect(d.parentSpanId).toBe(s.parentSpanContext?.spanId ?? '');
      expect(d.name).toBe(s.name);
      if (i % 10 === 0) expect(d.attributes).toEqual(expectedAttributes(s.attributes));
    }
  });

  it('agrees with protobufjs on fields the SDK leaves out (trace state, flags, span kinds)', () => {
    const bytes = oneSpan({
      traceId: hex(TRACE_ID),
      spanId: hex(ROOT_ID),
      traceState: 'vendor=abc',
      flags: 0x301,
      kind: 5,
      name: 'consume',
      startTimeUnixNano: 1_700_000_000_000_000_000,
      endTimeUnixNano: 1_700_000_000_500_000_000,
      attributes: [
        { key: 'neg', value: { intValue: -1 } },
        { key: 'min', value: { intValue: '-9007199254740991' } },
        { key: 'empty' },
      ],
      links: [{ traceId: hex(LINKED_TRACE), spanId: hex(LINKED_SPAN), traceState: 'x=1', flags: 1 }],
    });
    const span = decodeTracesRequest(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toMatchObject({ traceState: 'vendor=abc', flags: 0x301, kind: 5, name: 'consume' });
    expect(span.startTimeUnixNano).toBe(1_700_000_000_000_000_000);
    expect(span.attributes).toEqual([
      { key: 'neg', value: { kind: 'int', value: -1 } },
      { key: 'min', value: { kind: 'int', value: -9007199254740991 } },
      { key: 'empty', value: { kind: 'empty' } },
    ]);
    expect(span.links[0]).toMatchObject({ traceState: 'x=1', flags: 1 });
  });

  it('keeps int64 attribute values beyond 2^53 exact, as bigints', () => {
    const bytes = oneSpan({
      traceId: hex(TRACE_ID),
      spanId: hex(ROOT_ID),
      name: 'big',
      attributes: [
        { key: 'above', value: { intValue: '9007199254740993' } },
        { key: 'max', value: { intValue: '9223372036854775807' } },
        { key: 'min', value: { intValue: '-9223372036854775808' } },
        { key: 'safe', value: { intValue: '9007199254740991' } },
        { key: 'list', value: { arrayValue: { values: [{ intValue: '-9007199254740993' }] } } },
      ],
    });
    const span = decodeTracesRequest(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.attributes.map((a) => a.value)).toEqual([
      { kind: 'int', value: 9007199254740993n },
      { kind: 'int', value: 9223372036854775807n },
      { kind: 'int', value: -9223372036854775808n },
      { kind: 'int', value: 9007199254740991 },
      { kind: 'array', value: [{ kind: 'int', value: -9007199254740993n }] },
    ]);
  });

  it('refuses array and kvlist values nested deeper than MAX_VALUE_NESTING, with a clear message', () => {
    const request = (levels: number) => deepProtobufRequest(levels, TRACE_ID, ROOT_ID);
    const atLimit = decodeTracesRequest(request(MAX_VALUE_NESTING)).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    let v = atLimit.attributes[0]!.value;
    let levels = 0;
    for (; v.kind === 'kvlist' || v.kind === 'array'; levels++)
      v = v.kind === 'array' ? v.value[0]! : v.value[0]!.value;
    expect(levels).toBe(MAX_VALUE_NESTING);
    for (const deep of [MAX_VALUE_NESTING + 1, 3000]) {
      const err = decodeError(() => decodeTracesRequest(request(deep)));
      expect(err.detail).toBe(`array and kvlist values nested deeper than ${MAX_VALUE_NESTING} levels`);
      expect(err.path).toMatch(
        /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\[0\]\.value\.(kvlist|array)Value/,
      );
    }
  });

  it('leaves out spans with an all-zero trace or span ID and counts them; an all-zero parent is no parent', () => {
    const zeros = (n: number) => Buffer.alloc(n);
    const bytes = encodeTraces({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: zeros(16), spanId: hex(ROOT_ID), name: 'zero trace' },
                { traceId: hex(TRACE_ID), spanId: hex(ROOT_ID), name: 'kept' },
                { traceId: hex(TRACE_ID), spanId: zeros(8), name: 'zero span' },
                { traceId: hex(TRACE_ID), spanId: hex(CHILD_ID), parentSpanId: zeros(8), name: 'zero parent' },
              ],
            },
            { spans: [{ traceId: zeros(16), spanId: zeros(8), name: 'both' }] },
          ],
        },
      ],
    });
    const report = new DecodeReport();
    const data = decodeTracesRequest(bytes, report);
    const [first, second] = data.resourceSpans[0]!.scopeSpans;
    expect(first!.spans.map((s) => [s.name, s.parentSpanId])).toEqual([
      ['kept', ''],
      ['zero parent', ''],
    ]);
    expect(second!.spans).toEqual([]);
    expect(report.reasons()).toEqual([
      ['invalid (trace ID all zeros)', 2],
      ['invalid (span ID all zeros)', 1],
    ]);
    expect(report.dropped).toBe(3);
  });

  it('replaces invalid UTF-8 in strings with U+FFFD and counts those strings, not genuine U+FFFD', () => {
    const innerSpan = root.lookupType('opentelemetry.proto.trace.v1.Span');
    const spanBytes = innerSpan
      .encode(
        innerSpan.fromObject({
          traceId: hex(TRACE_ID),
          spanId: hex(ROOT_ID),
          attributes: [{ key: 'genuine', value: { stringValue: 'a \ufffd b' } }],
        }),
      )
      .finish();
    // name (field 5) with a lone 0xff, and a status message (field 15 → 2) with a truncated sequence
    const name = Buffer.from([0x73, 0x68, 0xff, 0x72, 0x74]); // "sh", 0xff, "rt"
    const message = Buffer.concat([Buffer.from('a long status message that ends in '), Buffer.from([0xe2, 0x82])]);
    const status = Buffer.concat([Buffer.from([0x12, message.length]), message]);
    const span = Buffer.concat([
      spanBytes,
      Buffer.from([0x2a, name.length]),
      name,
      Buffer.from([0x7a, status.length]),
      status,
    ]);
    const scopeSpans = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const resourceSpans = Buffer.concat([Buffer.from([0x12, scopeSpans.length]), scopeSpans]);
    const request = Buffer.concat([Buffer.from([0x0a, resourceSpans.length]), resourceSpans]);

    const report = new DecodeReport();
    const decoded = decodeTracesRequest(request, report).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(decoded.name).toBe('sh\ufffdrt');
    expect(decoded.status.message).toBe('a long status message that ends in \ufffd');
    expect(decoded.attributes[0]!.value).toEqual({ kind: 'string', value: 'a \ufffd b' });
    expect(report.invalidUtf8Strings).toBe(2);
    expect(report.alterations('spans')).toBe('2 strings with invalid UTF-8 replaced by U+FFFD (spans kept, altered)');
    expect(report.dropped).toBe(0);
  });

  it('skips unknown fields, including future ones of every wire type', () => {
    const valid = oneSpan({ traceId: hex(TRACE_ID), spanId: hex(ROOT_ID), name: 'x' });
    // append to the span: field 99 varint, field 98 fixed64, field 97 bytes, field 96 fixed32
    const extra = Buffer.from([
      0x98, 0x06, 0x96, 0x01, 0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x8a, 0x06, 2, 0xaa, 0xbb, 0x85, 0x06, 1, 2, 3, 4,
    ]);
    const innerSpan = root.lookupType('opentelemetry.proto.trace.v1.Span');
    const spanBytes = Buffer.concat([
      innerSpan.encode(innerSpan.fromObject({ traceId: hex(TRACE_ID), spanId: hex(ROOT_ID), name: 'x' })).finish(),
      extra,
    ]);
    const scopeSpans = Buffer.concat([Buffer.from([0x12, spanBytes.length]), spanBytes]);
    const resourceSpans = Buffer.concat([Buffer.from([0x12, scopeSpans.length]), scopeSpans]);
    const request = Buffer.concat([Buffer.from([0x0a, resourceSpans.length]), resourceSpans]);
    expect(decodeTracesRequest(request)).toEqual(decodeTracesRequest(valid));
  });

  it('rejects a trace ID of the wrong length, naming the field', () => {
    const err = decodeError(() => decodeTracesRequest(oneSpan({ traceId: hex('0102030405'), spanId: hex(ROOT_ID) })));
    expect(err.message).toBe('resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 5');
  });

  it('rejects a span ID of the wrong length and a missing trace ID', () => {
    expect(
      decodeError(() => decodeTracesRequest(oneSpan({ traceId: hex(TRACE_ID), spanId: hex('01020304') }))).message,
    ).toBe('resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 8 bytes, got 4');
    expect(decodeError(() => decodeTracesRequest(oneSpan({ spanId: hex(ROOT_ID) }))).message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 0',
    );
    expect(
      decodeError(() =>
        decodeTracesRequest(oneSpan({ traceId: hex(TRACE_ID), spanId: hex(ROOT_ID), parentSpanId: hex('0102') })),
      ).message,
    ).toBe('resourceSpans[0].scopeSpans[0].spans[0].parentSpanId: expected 8 bytes or none, got 2');
    expect(
      decodeError(() =>
        decodeTracesRequest(
          oneSpan({
            traceId: hex(TRACE_ID),
            spanId: hex(ROOT_ID),
            links: [{ traceId: hex('00'), spanId: hex(ROOT_ID) }],
          }),
        ),
      ).message,
    ).toBe('resourceSpans[0].scopeSpans[0].spans[0].links[0].traceId: expected 16 bytes, got 1');
  });

  it('names the index of the bad span among many', () => {
    const good = { traceId: hex(TRACE_ID), spanId: hex(ROOT_ID) };
    const bytes = encodeTraces({
      resourceSpans: [
        { scopeSpans: [{ spans: [good] }] },
        {
          scopeSpans: [{ spans: [good] }, { spans: [good, good, good, { traceId: hex(TRACE_ID), spanId: hex('00') }] }],
        },
      ],
    });
    expect(decodeError(() => decodeTracesRequest(bytes)).message).toBe(
      'resourceSpans[1].scopeSpans[1].spans[3].spanId: expected 8 bytes, got 1',
    );
  });

  it('rejects an out-of-range span kind or status code', () => {
    expect(
      decodeError(() => decodeTracesRequest(oneSpan({ traceId: hex(TRACE_ID), spanId: hex(ROOT_ID), kind: 9 })))
        .message,
    ).toBe('resourceSpans[0].scopeSpans[0].spans[0].kind: unknown enum value 9');
    expect(
      decodeError(() =>
        decodeTracesRequest(oneSpan({ traceId: hex(TRACE_ID), spanId: hex(ROOT_ID), status: { code: 3 } })),
      ).message,
    ).toBe('resourceSpans[0].scopeSpans[0].spans[0].status.code: unknown enum value 3');
  });

  it('rejects every truncation of a valid request with a DecodeError', () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(richSpans())!;
    let failures = 0;
    for (let cut = 1; cut < bytes.length; cut++) {
      try {
        decodeTracesRequest(bytes.subarray(0, cut));
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
        failures++;
        continue;
      }
      throw new Error(`a request cut at ${cut} of ${bytes.length} bytes decoded without error`);
    }
    expect(failures).toBe(bytes.length - 1);
    expect(decodeError(() => decodeTracesRequest(bytes.subarray(0, 100))).message).toMatch(/truncated|overruns/);
  });

  it('rejects garbage bytes with a DecodeError, never another exception', () => {
    expect(decodeError(() => decodeTracesRequest(Buffer.from('this is not protobuf at all'))).message).toMatch(
      /wire type|truncated|field/,
    );
    expect(() =>
      decodeTracesRequest(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
    ).toThrow(DecodeError);
    expect(() => decodeTracesRequest(Buffer.from([0x00]))).toThrow(/field number 0/);
    expect(() => decodeTracesRequest(Buffer.from([0x0b]))).toThrow(/wire type 3/);
    // deterministic pseudo-random garbage, and valid requests with flipped bytes
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const valid = ProtobufTraceSerializer.serializeRequest(richSpans())!;
    for (let i = 0; i < 2000; i++) {
      const bytes = i % 2 === 0 ? Uint8Array.from({ length: 1 + (i % 200) }, rand) : Uint8Array.from(valid);
      if (i % 2 === 1) for (let k = 0; k < 3; k++) bytes[((rand() * 256) % bytes.length) | 0] = rand();
      try {
        decodeTracesRequest(bytes);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    }
  });

  it('decodes an empty request as no data', () => {
    expect(decodeTracesRequest(new Uint8Array(0))).toEqual({ resourceSpans: [] });
  });
});

describe('decodeMetricsRequest', () => {
  function metric(metrics: readonly Metric[], name: string): Metric {
    const m = metrics.find((x) => x.name === name);
    if (!m) throw new Error(`no metric ${name}`);
    return m;
  }

  it('decodes every metric type the OpenTelemetry JS SDK exports', async () => {
    const rm = await sdkMetrics();
    const data = decodeMetricsRequest(ProtobufMetricsSerializer.serializeRequest(rm)!);
    const r = data.resourceMetrics[0]!;
    expect(r.resource.attributes).toEqual(expectedAttributes(RESOURCE.attributes));
    const sm = r.scopeMetrics[0]!;
    expect(sm.scope).toMatchObject({ name: 'orrery-tests', version: '1.2.3' });

    const requests = metric(sm.metrics, 'app.requests');
    expect(requests).toMatchObject({ description: 'requests', unit: '{request}' });
    expect(requests.data).toMatchObject({ type: 'sum', isMonotonic: true, aggregationTemporality: 2 });
    if (requests.data.type !== 'sum') throw new Error('not a sum');
    const rp: NumberDataPoint = requests.data.dataPoints[0]!;
    expect(rp.value).toBe(5);
    expect(rp.attributes).toEqual(expectedAttributes({ route: '/a' }));
    expect(rp.timeUnixNano).toBeGreaterThan(1.6e18);
    expect(rp.startTimeUnixNano).toBeLessThanOrEqual(rp.timeUnixNano);

    expect(metric(sm.metrics, 'app.bytes').data).toMatchObject({ type: 'sum', dataPoints: [{ value: 2.5 }] });
    expect(metric(sm.metrics, 'app.inflight').data).toMatchObject({
      type: 'sum',
      isMonotonic: false,
      dataPoints: [{ value: -3, attributes: expectedAttributes({ pool: 'x' }) }],
    });
    expect(metric(sm.metrics, 'app.temperature').data).toMatchObject({ type: 'gauge', dataPoints: [{ value: 21.5 }] });

    const hist = metric(sm.metrics, 'app.latency').data;
    expect(hist.type).toBe('histogram');
    if (hist.type !== 'histogram') throw new Error('not a histogram');
    const hp: HistogramDataPoint = hist.dataPoints[0]!;
    expect(hp).toMatchObject({
      count: 5,
      sum: 562.5,
      min: 0.5,
      max: 500,
      explicitBounds: [1, 10, 100],
      bucketCounts: [1, 2, 1, 1],
      attributes: expectedAttributes({ route: '/b' }),
    });

    const exp = metric(sm.metrics, 'app.latency.exp').data;
    expect(exp.type).toBe('exponentialHistogram');
    if (exp.type !== 'exponentialHistogram') throw new Error('unreachable');
    const ep = exp.dataPoints[0]!;
    const sdkPoint = rm.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'app.latency.exp')!.dataPoints[0]!;
    const sdkValue = sdkPoint.value as {
      count: number;
      sum: number;
      scale: number;
      zeroCount: number;
      positive: { offset: number; bucketCounts: number[] };
      negative: { offset: number; bucketCounts: number[] };
    };
    expect(ep).toMatchObject({
      count: 5,
      sum: sdkValue.sum,
      scale: sdkValue.scale,
      zeroCount: sdkValue.zeroCount,
      min: 0.001,
      max: 10,
      positive: { offset: sdkValue.positive.offset, bucketCounts: sdkValue.positive.bucketCounts },
      negative: { offset: sdkValue.negative.offset, bucketCounts: sdkValue.negative.bucketCounts },
    });
    expect(ep.scale).not.toBe(0);
    expect(ep.positive.offset).toBeLessThan(0); // exercises zigzag decoding of negative offsets
  });

  it('decodes delta temporality', async () => {
    const data = decodeMetricsRequest(ProtobufMetricsSerializer.serializeRequest(await sdkMetrics('delta'))!);
    const m = data.resourceMetrics[0]!.scopeMetrics[0]!.metrics.find((x) => x.name === 'app.requests')!;
    expect(m.data).toMatchObject({ type: 'sum', aggregationTemporality: 1 });
  });

  it('decodes summaries and exemplars of every kind (encoded with protobufjs: the JS SDK sends neither)', () => {
    const exemplar = {
      filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }],
      timeUnixNano: 1_700_000_000_123_456_000,
      asDouble: 12.5,
      spanId: hex(ROOT_ID),
      traceId: hex(TRACE_ID),
    };
    const intExemplar = { timeUnixNano: 1_700_000_000_000_000_000, asInt: -7 };
    const bytes = MetricsRequest.encode(
      MetricsRequest.fromObject({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
            schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
            scopeMetrics: [
              {
                scope: { name: 's', version: 'v', attributes: [{ key: 'k', value: { boolValue: true } }] },
                metrics: [
                  {
                    name: 'rpc.latency',
                    summary: {
                      dataPoints: [
                        {
                          attributes: [{ key: 'm', value: { stringValue: 'Get' } }],
                          startTimeUnixNano: 1_699_999_990_000_000_000,
                          timeUnixNano: 1_700_000_000_000_000_000,
                          count: 10,
                          sum: 55.5,
                          quantileValues: [
                            { quantile: 0.5, value: 4 },
                            { quantile: 0.99, value: 9.5 },
                          ],
                          flags: 1,
                        },
                      ],
                    },
                  },
                  {
                    name: 'calls',
                    sum: {
                      aggregationTemporality: 2,
                      isMonotonic: true,
                      dataPoints: [{ asInt: 42, exemplars: [exemplar, intExemplar] }],
                    },
                  },
                  {
                    name: 'duration',
                    histogram: {
                      aggregationTemporality: 1,
                      dataPoints: [
                        { count: 3, sum: 30, bucketCounts: [1, 2], explicitBounds: [10], exemplars: [exemplar] },
                        { count: 0 },
                      ],
                    },
                  },
                  {
                    name: 'exp',
                    exponentialHistogram: {
                      aggregationTemporality: 2,
                      dataPoints: [
                        {
                          count: 4,
                          scale: -3,
                          zeroCount: 1,
                          zeroThreshold: 1e-9,
                          positive: { offset: -5, bucketCounts: [1, 300] },
                          negative: { offset: 7, bucketCounts: [2] },
                          exemplars: [intExemplar],
                        },
                      ],
                    },
                  },
                  { name: 'nothing' },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const data = decodeMetricsRequest(bytes);
    const rm = data.resourceMetrics[0]!;
    expect(rm.schemaUrl).toBe('https://opentelemetry.io/schemas/1.24.0');
    const sm = rm.scopeMetrics[0]!;
    expect(sm.scope).toEqual({
      name: 's',
      version: 'v',
      attributes: [{ key: 'k', value: { kind: 'bool', value: true } }],
    });
    const [summary, calls, duration, exp, nothing] = sm.metrics;
    expect(summary!.data).toEqual({
      type: 'summary',
      dataPoints: [
        {
          attributes: [{ key: 'm', value: { kind: 'string', value: 'Get' } }],
          startTimeUnixNano: 1_699_999_990_000_000_000,
          timeUnixNano: 1_700_000_000_000_000_000,
          count: 10,
          sum: 55.5,
          quantileValues: [
            { quantile: 0.5, value: 4 },
            { quantile: 0.99, value: 9.5 },
          ],
          flags: 1,
        },
      ],
    });
    const decodedExemplar = {
      filteredAttributes: [{ key: 'user', value: { kind: 'string', value: 'u1' } }],
      timeUnixNano: 1_700_000_000_123_456_000,
      value: 12.5,
      spanId: ROOT_ID,
      traceId: TRACE_ID,
    };
    const decodedIntExemplar = {
      filteredAttributes: [],
      timeUnixNano: 1_700_000_000_000_000_000,
      value: -7,
      spanId: '',
      traceId: '',
    };
    expect(calls!.data).toMatchObject({
      type: 'sum',
      isMonotonic: true,
      aggregationTemporality: 2,
      dataPoints: [{ value: 42, exemplars: [decodedExemplar, decodedIntExemplar] }],
    });
    expect(duration!.data).toMatchObject({
      type: 'histogram',
      aggregationTemporality: 1,
      dataPoints: [
        { count: 3, sum: 30, bucketCounts: [1, 2], explicitBounds: [10], exemplars: [decodedExemplar], min: undefined },
        { count: 0, sum: undefined, bucketCounts: [], explicitBounds: [] },
      ],
    });
    expect(exp!.data).toMatchObject({
      type: 'exponentialHistogram',
      dataPoints: [
        {
          count: 4,
          scale: -3,
          zeroCount: 1,
          zeroThreshold: 1e-9,
          positive: { offset: -5, bucketCounts: [1, 300] },
          negative: { offset: 7, bucketCounts: [2] },
          exemplars: [decodedIntExemplar],
        },
      ],
    });
    expect(nothing!.data).toEqual({ type: 'empty' });
  });

  it('rejects a histogram whose bucket counts do not match its bounds', () => {
    const bytes = MetricsRequest.encode(
      MetricsRequest.fromObject({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [{ name: 'h', histogram: { dataPoints: [{ bucketCounts: [1, 2, 3], explicitBounds: [1] }] } }],
              },
            ],
          },
        ],
      }),
    ).finish();
    expect(decodeError(() => decodeMetricsRequest(bytes)).message).toBe(
      'resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts: expected 2 counts for 1 explicit bounds, got 3',
    );
  });

  it('rejects an exemplar trace ID of the wrong length', () => {
    const bytes = MetricsRequest.encode(
      MetricsRequest.fromObject({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  { name: 'g', gauge: { dataPoints: [{ asDouble: 1, exemplars: [{ traceId: hex('abcd') }] }] } },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    expect(decodeError(() => decodeMetricsRequest(bytes)).message).toBe(
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].exemplars[0].traceId: expected 16 bytes or none, got 2',
    );
  });

  it('rejects every truncation of a metrics request', async () => {
    const bytes = ProtobufMetricsSerializer.serializeRequest(await sdkMetrics())!;
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(() => decodeMetricsRequest(bytes.subarray(0, cut))).toThrow(DecodeError);
    }
  });
});

describe('decodeLogsRequest', () => {
  it('decodes log records serialized by the OpenTelemetry JS exporter', () => {
    const records = richLogs();
    const data = decodeLogsRequest(ProtobufLogsSerializer.serializeRequest(records)!);
    const rl = data.resourceLogs[0]!;
    expect(rl.resource.attributes).toEqual(expectedAttributes(RESOURCE.attributes));
    const [a, b] = rl.scopeLogs[0]!.logRecords;
    expect(a).toEqual({
      timeUnixNano: hrToNanos(records[0]!.hrTime),
      observedTimeUnixNano: hrToNanos(records[0]!.hrTimeObserved),
      severityNumber: 9,
      severityText: 'INFO',
      body: {
        kind: 'kvlist',
        value: expectedAttributes({ message: 'order placed', items: [1, 'two', false], detail: { id: 'abc', n: 3 } }),
      },
      attributes: expectedAttributes(records[0]!.attributes),
      traceId: TRACE_ID,
      spanId: ROOT_ID,
    });
    expect(b).toMatchObject({
      severityNumber: 17,
      body: { kind: 'string', value: 'plain text body' },
      traceId: '',
      spanId: '',
    });
  });

  it('rejects a log record span ID of the wrong length', () => {
    const bytes = LogsRequest.encode(
      LogsRequest.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}, { spanId: hex('0102') }] }] }] }),
    ).finish();
    expect(decodeError(() => decodeLogsRequest(bytes)).message).toBe(
      'resourceLogs[0].scopeLogs[0].logRecords[1].spanId: expected 8 bytes or none, got 2',
    );
  });
});
