import { describe, expect, it } from 'vitest';
import { barPosition, clampWindow, moveWindow, timeTicks } from './timeline.js';
import { displayValue } from './values.js';

describe('typed values', () => {
  it('keeps booleans and numbers typed, pretty-prints arrays and JSON', () => {
    expect(displayValue({ type: 'bool', value: false })).toEqual({ kind: 'bool', text: 'false' });
    expect(displayValue({ type: 'int64', value: 44530923 })).toEqual({ kind: 'number', text: '44530923' });
    expect(displayValue({ type: 'int64', value: '9223372036854775807' })).toEqual({
      kind: 'number',
      text: '9223372036854775807',
    });
    expect(displayValue({ type: 'float64', value: 0.25 })).toEqual({ kind: 'number', text: '0.25' });
    expect(displayValue({ type: 'string', value: '["1YMWWN1N4O","66VCHSJNUP"]' })).toEqual({
      kind: 'json',
      text: '[\n  "1YMWWN1N4O",\n  "66VCHSJNUP"\n]',
    });
    expect(displayValue({ type: 'string', value: '{"a":{"b":1}}' }).kind).toBe('json');
    expect(displayValue({ type: 'string', value: '[not json' })).toEqual({ kind: 'string', text: '[not json' });
    expect(displayValue({ type: 'string', value: '<img src=x onerror=alert(1)>' })).toEqual({
      kind: 'string',
      text: '<img src=x onerror=alert(1)>',
    });
  });

  it('folds long values behind a preview that keeps the full text', () => {
    const long = 'x'.repeat(1000);
    const v = displayValue({ type: 'string', value: long });
    expect(v.text).toBe(long);
    expect(v.preview).toBe(`${'x'.repeat(80)}… (1000 characters)`);
    const list = Array.from({ length: 20 }, (_, i) => i);
    const pretty = JSON.stringify(list, null, 2);
    const v2 = displayValue({ type: 'string', value: JSON.stringify(list) });
    expect(v2).toEqual({ kind: 'json', text: pretty, preview: `[… (${pretty.length} characters)` });
    expect(displayValue({ type: 'string', value: 'short' }).preview).toBeUndefined();
  });
});

describe('timeline window', () => {
  it('clamps, moves and positions bars in the view window', () => {
    expect(clampWindow({ start: -0.2, end: 0.3 })).toEqual({ start: 0, end: 0.5 });
    expect(clampWindow({ start: 0.9, end: 1.3 })).toEqual({ start: 0.6, end: 1 });
    expect(clampWindow({ start: 0.7, end: 0.2 })).toEqual({ start: 0.2, end: 0.7 });
    expect(clampWindow({ start: 0.5, end: 0.5 }).end).toBeGreaterThan(0.5);
    expect(moveWindow({ start: 0.2, end: 0.4 }, 0.7)).toEqual({ start: 0.8, end: 1 });
    expect(moveWindow({ start: 0.2, end: 0.4 }, -0.5)).toEqual({ start: 0, end: 0.2 });
    expect(barPosition(250, 250, 1000, { start: 0, end: 1 })).toEqual({ left: 25, width: 25 });
    expect(barPosition(250, 250, 1000, { start: 0.25, end: 0.75 })).toEqual({ left: 0, width: 50 });
  });

  it('labels ticks from the trace start, as Jaeger does', () => {
    expect(timeTicks(2_670_000, { start: 0, end: 1 }, 4).map((t) => t.label)).toEqual([
      '0μs',
      '667.5ms',
      '1.33s',
      '2s',
      '2.67s',
    ]);
    expect(timeTicks(1000, { start: 0.5, end: 1 }, 2).map((t) => [t.at, t.label])).toEqual([
      [0, '500μs'],
      [50, '750μs'],
      [100, '1ms'],
    ]);
  });
});
