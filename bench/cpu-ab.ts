// The timing half of the in-process A/B benches (chunk-decode-ab, head-decode-ab): two versions
// of one piece of code, each run as a pass over the same input, warmed up, then alternated pass
// by pass so that load from other jobs falls on both alike. CPU time is the process's.

/** CPU milliseconds of the process while `pass` runs. */
function cpuMs(pass: () => void): number {
  const start = process.cpuUsage();
  pass();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The upper middle of xs (sorted in place). */
function median(xs: number[]): number {
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/**
 * Median CPU ms of `passes` alternated passes of base and current, after 3 warm-up passes each
 * (so that both are compiled by the optimizing tier before timing).
 */
export function alternatedCpuMs(
  base: () => void,
  current: () => void,
  passes: number,
): { base: number; current: number } {
  for (let i = 0; i < 3; i++) {
    base();
    current();
  }
  const baseMs: number[] = [];
  const currentMs: number[] = [];
  for (let i = 0; i < passes; i++) {
    baseMs.push(cpuMs(base));
    currentMs.push(cpuMs(current));
  }
  return { base: median(baseMs), current: median(currentMs) };
}
