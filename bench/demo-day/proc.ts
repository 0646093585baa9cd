// What the benchmark reads about a process and a directory: resident memory now and at its peak
// (VmRSS, VmHWM from /proc/<pid>/status) and the bytes of the files under a directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Resident {
  readonly rssBytes: number;
  readonly hwmBytes: number;
}

/** VmRSS and VmHWM of `pid` (the status file gives kB). */
export function resident(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) * 1024;
  };
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/** Bytes of every file under `dir` (apparent sizes), by top-level entry, and in total. */
export function dirBytes(dir: string): { total: number; byEntry: Map<string, number> } {
  const byEntry = new Map<string, number>();
  const walk = (p: string): number => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) return 0; // deleted while we looked (retention, compaction)
    if (!st.isDirectory()) return st.size;
    let n = 0;
    for (const e of readdirSync(p)) n += walk(path.join(p, e));
    return n;
  };
  let total = 0;
  for (const e of readdirSync(dir)) {
    const n = walk(path.join(dir, e));
    byEntry.set(e, n);
    total += n;
  }
  return { total, byEntry };
}

export const mib = (bytes: number): string => (bytes / 1024 ** 2).toFixed(1);

export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
