import {
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from '../../otlp/decode-protobuf.js';
import type { TracesData } from '../../otlp/model.js';
import { ProtoWriter } from '../../otlp/protobuf-writer.js';
import { deepProtobufRequest } from '../../otlp/testing/deep-values.js';
import { demoSpans } from '../../otlp/testing/demo-spans.js';
import { richLogs, richSpans, sdkMetrics } from '../../otlp/testing/fixtures.js';
import { otlpRoot, TYPES } from '../../otlp/testing/protobufjs-schema.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from './encode.js';

// What the forwarder sends must decode (by Orrery's decoder and by protobufjs, an independent
// one) to exactly what was received.
describe('OTLP encoding of the decoded model', () => {
  it('traces round-trip: ids, parents, every attribute type, events, links, status, flags', () => {
    const received = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(richSpans())!);
    const sent = encodeTracesRequest(received);
    expect(decodeTracesRequest(sent)).toEqual(received);
  });

  it('many spans with long attribute values round-trip (multi-byte lengths at every level)', () => {
    const received = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(demoSpans(300))!);
    const withLong: TracesData = {
      resourceSpans: received.resourceSpans.map((rs) => ({
        ...rs,
        scopeSpans: rs.scopeSpans.map((ss) => ({
          ...ss,
          spans: ss.spans.map((s, i) => ({
            ...s,
            attributes: [...s.attributes, { key: 'app.payload', value: { kind: 'string', value: 'é'.repeat(i * 40) } }],
          })),
        })),
      })),
    };
    expect(decodeTracesRequest(encodeTracesRequest(withLong))).toEqual(withLong);
  });

  it('deeply nested attribute values and int64 beyond 2^53 stay exact', () => {
    const received = decodeTracesRequest(deepProtobufRequest(60, 'ab'.repeat(16), 'cd'.repeat(8)));
    expect(decodeTracesRequest(encodeTracesRequest(received))).toEqual(received);
    const big: TracesData = {
      resourceSpans: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          scopeSpans: [
            {
              scope: { name: '', version: '', attributes: [] },
              schemaUrl: '',
              spans: [
                {
                  ...received.resourceSpans[0]!.scopeSpans[0]!.spans[0]!,
                  attributes: [
                    { key: 'max', value: { kind: 'int', value: 9223372036854775807n } },
                    { key: 'min', value: { kind: 'int', value: -9223372036854775808n } },
                    { key: 'neg', value: { kind: 'int', value: -1 } },
                    { key: 'empty', value: { kind: 'string', value: '' } },
                    { key: 'none', value: { kind: 'empty' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeTracesRequest(encodeTracesRequest(big))).toEqual(big);
  });

  it('metrics of every type round-trip (sum, gauge, histogram, exponential histogram)', async () => {
    for (const temporality of ['cumulative', 'delta'] as const) {
      const received = decodeMetricsRequest(ProtobufMetricsSerializer.serializeRequest(await sdkMetrics(temporality))!);
      expect(decodeMetricsRequest(encodeMetricsRequest(received))).toEqual(received);
    }
  });

  it('logs round-trip, structured bodies included', () => {
    const received = decodeLogsRequest(ProtobufLogsSerializer.serializeRequest(richLogs())!);
    expect(decodeLogsRequest(encodeLogsRequest(received))).toEqual(received);
  });

  it('an independent decoder (protobufjs) reads the same spans', () => {
    const received = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(richSpans())!);
    const Req = otlpRoot().lookupType(TYPES.traceRequest);
    const obj = Req.toObject(Req.decode(encodeTracesRequest(received)), { longs: String, bytes: String }) as {
      resourceSpans: { scopeSpans: { spans: { name: string; startTimeUnixNano: string }[] }[] }[];
    };
    const spans = obj.resourceSpans[0]!.scopeSpans[0]!.spans;
    const original = received.resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(spans.map((s) => s.name)).toEqual(original.map((s) => s.name));
    expect(spans.map((s) => Number(s.startTimeUnixNano))).toEqual(original.map((s) => s.startTimeUnixNano));
  });

  it('a reused writer gives the same bytes as a fresh one', () => {
    const received = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(demoSpans(20))!);
    const w = new ProtoWriter(16);
    const first = encodeTracesRequest(received, w);
    expect(encodeTracesRequest(received, w)).toEqual(first);
    expect(encodeTracesRequest(received)).toEqual(first);
  });
});
