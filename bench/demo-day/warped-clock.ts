// A clock the benchmark moves forward: 24 simulated hours pass in minutes, and whatever in the
// backend reads Date.now (block cutting by sample time aside: retention, span metrics and
// self-metrics timestamps, the trace store's wall clock) sees the simulated time. Between two
// settings it runs at real speed, and it never goes back.
export class WarpedClock {
  private base: number;
  private at: number;

  constructor(
    startMs: number,
    private readonly real: () => number,
  ) {
    this.base = startMs;
    this.at = real();
  }

  now(): number {
    return this.base + (this.real() - this.at);
  }

  /** moves the clock to `ms`, or leaves it where it is when it is already later; returns the time */
  set(ms: number): number {
    this.base = Math.max(this.now(), ms);
    this.at = this.real();
    return this.base;
  }
}

/** What the benchmark sends the backend's process over its IPC channel, and the answer. */
export interface ClockMessage {
  readonly clockMs: number;
}

export function isClockMessage(m: unknown): m is ClockMessage {
  return typeof m === 'object' && m !== null && typeof (m as { clockMs?: unknown }).clockMs === 'number';
}
