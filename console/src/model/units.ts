// Value formatting per unit, as Grafana formats axis ticks and tooltips.
import type { Unit } from './dashboard.js';

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SI_SHORT = ['', ' K', ' Mil', ' Bil', ' Tri'];

function trimmed(v: number, decimals: number | undefined): string {
  if (decimals !== undefined) return v.toFixed(decimals);
  const abs = Math.abs(v);
  const d = abs === 0 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(v.toFixed(d)));
}

function scaled(v: number, base: number, suffixes: readonly string[], decimals: number | undefined): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < suffixes.length - 1) {
    x /= base;
    i++;
  }
  return `${trimmed(x, decimals)}${suffixes[i]}`;
}

export function formatValue(v: number | null | undefined, unit: Unit, decimals?: number): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'percent':
      return `${trimmed(v, decimals)}%`;
    case 'bytes':
      return scaled(
        v,
        1024,
        IEC.map((s) => ` ${s}`),
        decimals,
      );
    case 'ms':
      if (Math.abs(v) >= 60_000) return `${trimmed(v / 60_000, decimals)} min`;
      if (Math.abs(v) >= 1000) return `${trimmed(v / 1000, decimals)} s`;
      if (Math.abs(v) > 0 && Math.abs(v) < 1) return `${trimmed(v * 1000, decimals)} µs`;
      return `${trimmed(v, decimals)} ms`;
    case 's':
      if (Math.abs(v) > 0 && Math.abs(v) < 1) return formatValue(v * 1000, 'ms', decimals);
      if (Math.abs(v) >= 3600) return `${trimmed(v / 3600, decimals)} hour`;
      if (Math.abs(v) >= 60) return `${trimmed(v / 60, decimals)} min`;
      return `${trimmed(v, decimals)} s`;
    case 'reqps':
      return `${scaled(v, 1000, SI_SHORT, decimals)} req/s`;
    case 'short':
      return scaled(v, 1000, SI_SHORT, decimals);
    case 'none':
      return trimmed(v, decimals);
  }
}
