// Waiting for a condition instead of sleeping a fixed time and hoping: a loaded machine makes a
// fixed sleep too short, an idle one makes it waste time.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `cond` every `everyMs` until it holds; returns the milliseconds it took. Throws, naming
 * `what` and the last error `cond` threw, after `timeoutMs`.
 */
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<number> {
  const t0 = performance.now();
  let last: unknown;
  for (;;) {
    try {
      if (await cond()) return performance.now() - t0;
    } catch (e) {
      last = e;
    }
    if (performance.now() - t0 > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`,
      );
    await sleep(everyMs);
  }
}
