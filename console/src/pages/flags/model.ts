// How a flag is shown and set: a flag with "on" and "off" variants gets a switch, and a slider for
// the share of evaluations that answer "on" (the flag service's fractional rule); any other flag
// gets a choice of its variants.
import type { Flag, FlagValue } from '../../api/flags.js';

export type FlagControl =
  | {
      readonly kind: 'switch';
      /** on, or answering on for every evaluation */
      readonly on: boolean;
      /** the share of "on" (0..1) when the flag is fractional */
      readonly probability: number | undefined;
    }
  | { readonly kind: 'variants'; readonly variants: readonly string[]; readonly current: string };

export function flagControl(flag: Flag): FlagControl {
  const variants = Object.keys(flag.variants);
  if (variants.includes('on') && variants.includes('off')) {
    const probability = typeof flag.value === 'number' ? flag.value : undefined;
    return { kind: 'switch', on: flag.value === 'on' || probability === 1, probability };
  }
  return { kind: 'variants', variants, current: String(flag.value) };
}

/** The current setting in words: on, off, 30% on, or the variant's name. */
export function describeValue(value: FlagValue): string {
  if (typeof value === 'number') return `${formatPercent(value)} on`;
  return value;
}

export function formatPercent(p: number): string {
  return `${Math.round(p * 1000) / 10}%`;
}

/** A slider position (0..100 %) as the probability the API takes, rounded to 0.1 %. */
export function probabilityFromPercent(percent: number): number {
  const clamped = Math.min(100, Math.max(0, percent));
  return Math.round(clamped * 10) / 1000;
}

/** The flag list as it is right after a change is sent, before the service answers. */
export function withValue(flags: readonly Flag[], key: string, value: FlagValue): Flag[] {
  return flags.map((f) => (f.key === key ? { ...f, value } : f));
}
