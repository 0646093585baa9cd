// A component that runs one piece of work at a fixed interval between start and shutdown: the
// backend's self-scrape (span metrics flushed, self-metrics written into the store, exporter
// state pruned). A failing run is logged and the next one still comes.
import type { Component } from './component.js';

export class PeriodicTask implements Component {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** what the log line calls it */
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.run();
      } catch (err) {
        console.error(`orrery: ${this.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
