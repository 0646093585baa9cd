// One colour per service name, the same on every page (search chips, waterfall bars, flame graph,
// compare): a hash of the name picks from a palette of distinguishable hues, so a service keeps its
// colour whatever else is on screen.

/** 20 hues that stay apart on a light background (no two similar yellows). */
export const SERVICE_PALETTE: readonly string[] = [
  '#17b8be',
  '#f8dca1',
  '#b7885e',
  '#ffcb99',
  '#f89570',
  '#829ae3',
  '#e79fd5',
  '#1e96be',
  '#89dac1',
  '#b3ad9e',
  '#12939a',
  '#ddb27c',
  '#88572c',
  '#ff9833',
  '#ef5d28',
  '#162a65',
  '#da70bf',
  '#125c77',
  '#4dc19c',
  '#776e57',
];

/** FNV-1a over the UTF-16 code units: stable across sessions and pages. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function serviceColor(service: string): string {
  return SERVICE_PALETTE[hash(service) % SERVICE_PALETTE.length]!;
}
