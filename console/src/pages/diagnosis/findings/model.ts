// The Findings page's pure parts: its window (the URL's lookback), how a finding's numbers read,
// and links that only ever point inside the console (a finding comes from the network).
import type { Finding } from '../../../api/diagnosis.js';

export const FINDINGS_LOOKBACKS: readonly { readonly value: string; readonly label: string }[] = [
  { value: '15m', label: 'Last 15 Minutes' },
  { value: '30m', label: 'Last 30 Minutes' },
  { value: '1h', label: 'Last Hour' },
  { value: '3h', label: 'Last 3 Hours' },
  { value: '6h', label: 'Last 6 Hours' },
  { value: '24h', label: 'Last 24 Hours' },
];
export const DEFAULT_FINDINGS_LOOKBACK = '15m';
/** how often the list is asked again */
export const FINDINGS_REFRESH_MS = 15_000;

/** The lookback of the page's URL, or the default for a missing or unknown one. */
export function findingsLookback(params: URLSearchParams): string {
  const v = params.get('lookback');
  return FINDINGS_LOOKBACKS.some((l) => l.value === v) ? v! : DEFAULT_FINDINGS_LOOKBACK;
}

export function lookbackLabel(value: string): string {
  return (FINDINGS_LOOKBACKS.find((l) => l.value === value)?.label ?? value).toLowerCase();
}

const KIND_LABELS: Readonly<Record<string, string>> = {
  memory_growth: 'Memory growth',
  restarts: 'Restarts',
  latency_shift: 'Latency shift',
  error_rate: 'Error rate',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** A slope in bytes per minute as MB/min ("" when there is none: the other kinds). */
export function slopeText(bytesPerMin: number): string {
  if (!Number.isFinite(bytesPerMin) || bytesPerMin === 0) return '';
  const mb = bytesPerMin / 1e6;
  return `${Number(mb.toFixed(Math.abs(mb) < 10 ? 1 : 0))} MB/min`;
}

/** A time in ms as the clock reads it (local HH:MM:SS), or "" for a value that is not a time. */
export function clockText(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The console page a finding links to, kept only when it is a path of the comparison page
 * (no other origin, no script URL): the value arrives over the network.
 */
export function compareLink(f: Finding): string | undefined {
  return f.consoleUrl.startsWith('/diagnosis/compare?') ? f.consoleUrl : undefined;
}

/** The Flags page, scrolled to one flag's row. */
export function flagLink(flag: string): string {
  return `/flags#${encodeURIComponent(flag)}`;
}

/** A stable key per finding for the list. */
export function findingKey(f: Finding): string {
  return `${f.service}\u0000${f.kind}`;
}
