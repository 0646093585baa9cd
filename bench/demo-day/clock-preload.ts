// Loaded with `node --import` into `orrery serve` by bench/demo-day.ts: replaces Date.now with a
// WarpedClock before any backend module captures it, and moves it when the benchmark says so over
// the IPC channel (answering with the time set, so the benchmark sends data only after the clock
// moved). It starts at ORRERY_BENCH_CLOCK_MS (the simulated day's first moment). Worker threads
// keep the real clock: they evaluate PromQL at the times a request gives.
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { isClockMessage, WarpedClock } from './warped-clock.js';

if (isMainThread && process.send !== undefined) {
  const start = Number(process.env.ORRERY_BENCH_CLOCK_MS);
  const clock = new WarpedClock(Number.isFinite(start) && start > 0 ? start : Date.now(), () => performance.now());
  Date.now = () => clock.now();
  process.on('message', (m: unknown) => {
    if (isClockMessage(m)) process.send?.({ clockMs: clock.set(m.clockMs) });
  });
  // the channel alone must not keep the backend running after a shutdown
  process.channel?.unref();
}
