import { describe, expect, it } from 'vitest';
import type { LokiMatrix, LokiStreams } from '../../api/loki.js';
import {
  applyCompletion,
  completionAt,
  levelOf,
  linesOf,
  logsHref,
  mergeTail,
  rankCompletions,
  readLogsParams,
  spanLogsHref,
  traceHref,
  traceLogsHref,
  volumeFrame,
  volumeQuery,
  volumeStepMs,
} from './model.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

const streams: LokiStreams = {
  resultType: 'streams',
  result: [
    {
      stream: { service_name: 'recommendationservice', service_namespace: 'opentelemetry-demo' },
      values: [
        [
          '1764600000123456789',
          'cache miss: fetched 10 products, the cache now holds 12',
          { structuredMetadata: { trace_id: TRACE, span_id: SPAN, detected_level: 'info', app_products_count: '12' } },
        ],
        ['1764600000000000000', 'listening', { structuredMetadata: { detected_level: 'info' } }],
      ],
    },
    {
      stream: { service_name: 'frontend' },
      values: [
        // an ID that is not one (markup, wrong length) never becomes a link
        [
          '1764600001000000000',
          '<img src=x onerror=alert(1)>',
          { structuredMetadata: { trace_id: '<b>', severity_text: 'ERROR' } },
        ],
        // an uncategorized answer: metadata among the stream labels
        ['1764599999000000000', 'plain'],
      ],
    },
  ],
};

describe('linesOf', () => {
  it('flattens streams newest first, with level, IDs, labels and metadata apart', () => {
    const lines = linesOf(streams);
    expect(lines.map((l) => l.line)).toEqual([
      '<img src=x onerror=alert(1)>',
      'cache miss: fetched 10 products, the cache now holds 12',
      'listening',
      'plain',
    ]);
    const miss = lines[1]!;
    expect(miss).toMatchObject({
      timeNs: '1764600000123456789',
      timeMs: 1764600000123,
      level: 'info',
      traceId: TRACE,
      spanId: SPAN,
      service: 'recommendationservice',
      labels: { service_name: 'recommendationservice', service_namespace: 'opentelemetry-demo' },
    });
    expect(miss.metadata['app_products_count']).toBe('12');
    expect(lines[0]).toMatchObject({ level: 'error', traceId: undefined, service: 'frontend' });
    expect(lines[3]).toMatchObject({ level: 'unknown', traceId: undefined, metadata: {} });
    expect(new Set(lines.map((l) => l.key)).size).toBe(4);
  });

  it('oldest first for a forward query', () => {
    expect(linesOf(streams, 'forward').map((l) => l.line)[0]).toBe('plain');
  });
});

describe('levelOf', () => {
  it("reads Loki's detected levels and common severity texts", () => {
    expect(['warn', 'WARNING', 'Error', 'critical', 'INFO', 'dbg', 'trace', '', 'whatever'].map(levelOf)).toEqual([
      'warn',
      'warn',
      'error',
      'fatal',
      'info',
      'debug',
      'trace',
      'unknown',
      'unknown',
    ]);
  });
});

describe('volume', () => {
  it('counts the lines of a log query per step by detected_level', () => {
    expect(volumeQuery(' {service_name="frontend"} |= "GET" ', 30_000)).toBe(
      'sum by (detected_level) (count_over_time({service_name="frontend"} |= "GET" [30s]))',
    );
    expect(volumeStepMs(3_600_000)).toBe(60_000);
    expect(volumeStepMs(10_000)).toBe(1000);
  });

  it('puts the matrix on a fixed grid, levels in severity order, missing steps as 0', () => {
    const m: LokiMatrix = {
      resultType: 'matrix',
      result: [
        { metric: { detected_level: 'error' }, values: [[120, '2']] },
        {
          metric: { detected_level: 'info' },
          values: [
            [60, '5'],
            [180, '1'],
          ],
        },
      ],
    };
    const f = volumeFrame(m, 60_000, 180_000, 60_000);
    expect(f.times).toEqual([60, 120, 180]);
    expect(f.series).toEqual([
      { level: 'info', counts: [5, 0, 1] },
      { level: 'error', counts: [0, 2, 0] },
    ]);
  });
});

describe('completion', () => {
  it('completes a label name after { or , and a value inside its quotes', () => {
    expect(completionAt('{', 1)).toEqual({ kind: 'label', prefix: '', from: 1 });
    expect(completionAt('{serv', 5)).toEqual({ kind: 'label', prefix: 'serv', from: 1 });
    expect(completionAt('{a="x", ser', 11)).toEqual({ kind: 'label', prefix: 'ser', from: 8 });
    expect(completionAt('{service_name="rec', 18)).toEqual({
      kind: 'value',
      label: 'service_name',
      prefix: 'rec',
      from: 15,
    });
    expect(completionAt('{service_name=~"', 16)).toMatchObject({ kind: 'value', label: 'service_name', prefix: '' });
    // outside the selector, or after it: nothing
    expect(completionAt('{a="b"} |= "x', 13)).toEqual({ kind: 'none' });
    expect(completionAt('sum(', 4)).toEqual({ kind: 'none' });
  });

  it('inserts the name with =" and the value escaped with its closing quote, once', () => {
    const c = completionAt('{serv}', 5);
    if (c.kind === 'none') throw new Error('expected a completion');
    expect(applyCompletion('{serv}', 5, c, 'service_name')).toEqual({ text: '{service_name="}', cursor: 15 });
    const v = completionAt('{service_name=""}', 15);
    if (v.kind === 'none') throw new Error('expected a completion');
    expect(applyCompletion('{service_name=""}', 15, v, 'a"b')).toEqual({
      text: '{service_name="a\\"b"}',
      cursor: 20,
    });
  });

  it('ranks prefix matches before substring matches', () => {
    expect(rankCompletions(['frontend', 'adservice', 'service_name', 'Service'], 'serv')).toEqual([
      'service_name',
      'Service',
      'adservice',
    ]);
  });
});

describe('live tail', () => {
  const lines = linesOf(streams);
  it('merges a poll without repeats, newest first, keeping at most max', () => {
    const first = mergeTail([], lines.slice(2), 3);
    expect(first.lines.map((l) => l.line)).toEqual(['listening', 'plain']);
    const second = mergeTail(first.lines, lines.slice(0, 3), 3);
    expect(second.lines.map((l) => l.line)).toEqual([
      '<img src=x onerror=alert(1)>',
      'cache miss: fetched 10 products, the cache now holds 12',
      'listening',
    ]);
    expect(second.sinceNs).toBe('1764600001000000000');
    expect(mergeTail([], [], 3).sinceNs).toBeUndefined();
  });
});

describe('links', () => {
  it('keeps the page state in the URL', () => {
    const href = logsHref({ query: '{a="b"} |= "x y"', from: 'now-5m', to: 'now', live: true });
    expect(href).toBe('/logs?query=%7Ba%3D%22b%22%7D+%7C%3D+%22x+y%22&from=now-5m&to=now&live=1');
    expect(readLogsParams(new URLSearchParams(href.split('?')[1]))).toEqual({
      query: '{a="b"} |= "x y"',
      from: 'now-5m',
      to: 'now',
      live: true,
    });
    expect(readLogsParams(new URLSearchParams())).toEqual({
      query: '{service_name=~".+"}',
      from: 'now-1h',
      to: 'now',
      live: false,
    });
  });

  it('opens a trace with its span selected, and the logs of a trace or a span around its time', () => {
    expect(traceHref(TRACE, SPAN)).toBe(`/trace/${TRACE}?span=${SPAN}`);
    expect(traceHref(TRACE, undefined)).toBe(`/trace/${TRACE}`);
    const t = new URLSearchParams(traceLogsHref(TRACE, 1_764_600_000_000_000, 2_000_000).split('?')[1]);
    expect(t.get('query')).toBe(`{service_name=~".+"} | trace_id="${TRACE}"`);
    expect(t.get('from')).toBe(String(1_764_600_000_000 - 60_000));
    expect(t.get('to')).toBe(String(1_764_600_002_000 + 60_000));
    const s = new URLSearchParams(spanLogsHref('recommendationservice', SPAN, 1_764_600_000_000_000, 5).split('?')[1]);
    expect(s.get('query')).toBe(`{service_name="recommendationservice"} | span_id="${SPAN}"`);
  });
});
