// Series colours for a dark background: 20 hand-picked colours at least ΔE 20 apart (CIE76, see
// palette.test.ts), so a 13-series Explore result has no two look-alike lines; beyond them hues
// step by the golden angle with varying lightness.
export const PALETTE = [
  '#73bf69',
  '#5794f2',
  '#ff9830',
  '#f2495c',
  '#b877d9',
  '#fade2a',
  '#2fc4c4',
  '#ff7eb6',
  '#a3722e',
  '#a9d6ff',
  '#2e8b3e',
  '#ffc8a0',
  '#7b5cf0',
  '#c8e85a',
  '#c2185b',
  '#8fa3b0',
  '#1f5fbf',
  '#e8e8e8',
  '#6b4f9e',
  '#d94f00',
] as const;

export function seriesColor(i: number): string {
  if (i < PALETTE.length) return PALETTE[i]!;
  const hue = Math.round((i * 137.508) % 360);
  const light = [55, 70, 42][i % 3]!;
  return `hsl(${hue}, 70%, ${light}%)`;
}

/** Chart markers: each kind of event its own colour and dash, named in the chart's legend. */
export const MARKER_STYLES = {
  finding: { color: '#ff9830', dash: [], label: 'finding' },
  flag: { color: '#b877d9', dash: [6, 3], label: 'flag change' },
  restart: { color: '#f2495c', dash: [2, 3], label: 'restart' },
  other: { color: '#8e8e8e', dash: [4, 4], label: 'event' },
} as const;

/** The tag that marks a finding of /api/orrery/v1/findings among a chart's events. */
export const FINDING_TAG = 'orrery:finding';

export type MarkerKind = keyof typeof MARKER_STYLES;

export function markerKind(tags: readonly string[]): MarkerKind {
  if (tags.includes(FINDING_TAG)) return 'finding';
  if (tags.includes('flag')) return 'flag';
  if (tags.includes('restart')) return 'restart';
  return 'other';
}
