import { describe, expect, it } from 'vitest';
import type { Flag } from '../../api/flags.js';
import { describeValue, flagControl, probabilityFromPercent, withValue } from './model.js';

const flag = (value: Flag['value'], variants: Record<string, unknown> = { on: true, off: false }): Flag => ({
  key: 'recommendationCache',
  description: 'd',
  state: 'ENABLED',
  variants,
  defaultVariant: typeof value === 'string' ? value : 'off',
  value,
  customTargeting: false,
});

describe('flag controls', () => {
  it('gives an on/off flag a switch, on only when every evaluation answers on', () => {
    expect(flagControl(flag('on'))).toEqual({ kind: 'switch', on: true, probability: undefined });
    expect(flagControl(flag('off'))).toEqual({ kind: 'switch', on: false, probability: undefined });
    expect(flagControl(flag(0.25))).toEqual({ kind: 'switch', on: false, probability: 0.25 });
    expect(flagControl(flag(1))).toEqual({ kind: 'switch', on: true, probability: 1 });
  });

  it('offers the variants of any other flag', () => {
    expect(flagControl(flag('fast', { fast: 1, slow: 2 }))).toEqual({
      kind: 'variants',
      variants: ['fast', 'slow'],
      current: 'fast',
    });
  });

  it('describes settings and turns slider positions into probabilities', () => {
    expect(describeValue('on')).toBe('on');
    expect(describeValue(0.125)).toBe('12.5% on');
    expect(probabilityFromPercent(33.33)).toBe(0.333);
    expect(probabilityFromPercent(140)).toBe(1);
    expect(probabilityFromPercent(-3)).toBe(0);
  });

  it('applies a change to the list at once, leaving the other flags alone', () => {
    const list = [flag('off'), { ...flag('off'), key: 'other' }];
    expect(withValue(list, 'recommendationCache', 'on').map((f) => f.value)).toEqual(['on', 'off']);
  });
});
