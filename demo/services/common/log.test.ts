import { context, trace, TraceFlags } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { exceptionAttributes, log, toLogAttributes } from './log.js';

const exporter = new InMemoryLogRecordExporter();
const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
const SPAN = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  traceFlags: TraceFlags.SAMPLED,
};
const inSpan = <T>(fn: () => T): T => context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), fn);

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  logs.setGlobalLoggerProvider(provider);
  process.env.OTEL_SERVICE_NAME = 'recommendationservice';
});
afterAll(() => {
  logs.disable();
  context.disable();
});
beforeEach(() => exporter.reset());
/** what the exporter holds, after a flush (harmless for the simple processor, needed for a batch one) */
async function records() {
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

describe('log', () => {
  it('emits a record with severity, message, attributes and the active span', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    inSpan(() => log('info', 'cache miss', { 'app.products.count': 12 }, { stdout: false }));
    expect(write).not.toHaveBeenCalled();
    write.mockRestore();
    const [r] = await records();
    expect(r?.body).toBe('cache miss');
    expect(r?.severityNumber).toBe(9);
    expect(r?.severityText).toBe('INFO');
    expect(r?.attributes).toEqual({ 'app.products.count': 12 });
    expect(r?.spanContext?.traceId).toBe(SPAN.traceId);
    expect(r?.spanContext?.spanId).toBe(SPAN.spanId);
    expect(r?.instrumentationScope.name).toBe('recommendationservice');
  });

  it('writes lifecycle lines to stdout too, with the trace IDs, and carries an event name', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    inSpan(() => log('warn', 'flag evaluated', { port: 1 }, { eventName: 'feature_flag.evaluation' }));
    write.mockRestore();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'warn',
      msg: 'flag evaluated',
      port: 1,
      service: 'recommendationservice',
      trace_id: SPAN.traceId,
      span_id: SPAN.spanId,
    });
    const [r] = await records();
    expect(r?.severityText).toBe('WARN');
    expect(r?.eventName).toBe('feature_flag.evaluation');
  });

  it('outside any span a record has no trace context', async () => {
    log('debug', 'idle', {}, { stdout: false });
    expect((await records())[0]?.spanContext).toBeUndefined();
  });

  it('an error becomes exception.* attributes, named by its type, not a numeric code', async () => {
    const err = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    log('error', 'ListProducts failed', { 'rpc.method': 'ListProducts' }, { stdout: false, exception: err });
    const attrs = (await records())[0]?.attributes;
    expect(attrs?.['exception.type']).toBe('Error');
    expect(attrs?.['exception.message']).toBe('14 UNAVAILABLE: No connection established');
    expect(String(attrs?.['exception.stacktrace'])).toContain('log.test.ts');
    expect(attrs?.['rpc.method']).toBe('ListProducts');
  });
});

describe('toLogAttributes / exceptionAttributes', () => {
  it('keeps primitives and flat arrays, writes objects as JSON, drops empty fields', () => {
    expect(
      toLogAttributes({
        s: 'a',
        n: 1.5,
        b: false,
        big: 12n,
        list: ['x', 'y'],
        obj: { a: [1, { b: 2 }] },
        err: new RangeError('too far'),
        none: undefined,
        nil: null,
      }),
    ).toEqual({ s: 'a', n: 1.5, b: false, big: '12', list: ['x', 'y'], obj: '{"a":[1,{"b":2}]}', err: 'too far' });
  });

  it('describes a thrown non-Error by its text', () => {
    expect(exceptionAttributes('boom')).toEqual({ 'exception.message': 'boom' });
    expect(exceptionAttributes(new TypeError('bad'))).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'bad',
    });
  });
});
