// One lifecycle for every part of the backend, as the Collector's component.Component has:
// receivers, processors, connectors, stores and exporters are built by the composition root
// (src/server/backend.ts), started in data-flow order from the sinks up, and shut down in the
// reverse order. Each part registers its own self-metrics, so the composition root only
// assembles and never reaches into another part's counters.
import type { SelfMetrics } from '../selfmetrics/registry.js';

export interface Component {
  /** acquires what the part needs to run (listeners, timers, files); idempotent */
  start?(): Promise<void> | void;
  /** releases everything start() acquired and flushes what must survive; idempotent */
  shutdown?(): Promise<void> | void;
  /** registers the part's own self-metrics (read at collection time) */
  registerMetrics?(registry: SelfMetrics): void;
}
