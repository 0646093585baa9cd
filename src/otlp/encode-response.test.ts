import { describe, expect, it } from 'vitest';
import {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
} from './encode-response.js';
import { otlpRoot, TYPES } from './testing/protobufjs-schema.js';

const root = otlpRoot();

describe('Export*ServiceResponse', () => {
  it('is empty on full success', () => {
    expect(encodeExportResponseProtobuf()).toHaveLength(0);
    expect(encodeExportResponseProtobuf({ rejected: 0, errorMessage: '' })).toHaveLength(0);
    expect(encodeExportResponseJson('traces')).toBe('{}');
  });

  it('carries partial_success for each signal, readable by protobufjs', () => {
    const cases = [
      ['traces', TYPES.traceResponse, 'rejectedSpans'],
      ['metrics', TYPES.metricsResponse, 'rejectedDataPoints'],
      ['logs', TYPES.logsResponse, 'rejectedLogRecords'],
    ] as const;
    for (const [signal, type, field] of cases) {
      const partial = { rejected: 300_000_000_000, errorMessage: 'too old: ünïcode' };
      const msg = root.lookupType(type).decode(encodeExportResponseProtobuf(partial));
      const obj = root.lookupType(type).toObject(msg, { longs: Number }) as { partialSuccess: Record<string, unknown> };
      expect(obj.partialSuccess).toEqual({ [field]: 300_000_000_000, errorMessage: 'too old: ünïcode' });
      expect(JSON.parse(encodeExportResponseJson(signal, partial))).toEqual({
        partialSuccess: { [field]: '300000000000', errorMessage: 'too old: ünïcode' },
      });
    }
  });

  it('writes only the message when nothing was rejected but there is a warning', () => {
    const Res = root.lookupType(TYPES.traceResponse);
    const obj = Res.toObject(Res.decode(encodeExportResponseProtobuf({ rejected: 0, errorMessage: 'warn' })), {
      longs: Number,
    });
    expect(obj).toEqual({ partialSuccess: { errorMessage: 'warn' } });
  });
});

describe('google.rpc.Status', () => {
  it('round-trips through protobufjs and JSON', () => {
    const Status = root.lookupType(TYPES.status);
    const long = 'x'.repeat(300);
    expect(Status.toObject(Status.decode(encodeStatusProtobuf(3, long)))).toEqual({ code: 3, message: long });
    expect(JSON.parse(encodeStatusJson(3, 'bad'))).toEqual({ code: 3, message: 'bad' });
  });
});
