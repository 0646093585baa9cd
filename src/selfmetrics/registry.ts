// The backend's own metrics under the Collector's names (SELF_METRICS): receiver accepted/refused
// counts per signal and transport, trace store and head sizes, process RSS/heap/CPU. Counters are
// kept here; gauges (and counters owned elsewhere, like the trace store's drops) are read through
// callbacks at collection time. Collected families are rendered at GET /metrics and written into
// the store at a fixed interval with job="orrery", as if Prometheus scraped the backend itself.
import { SELF_METRICS } from '../names/contract.js';
import { METRIC_NAME, labelsKey, sortLabels, type Label, type Labels } from '../labels/labels.js';
import type { Appender, MetricMetadata } from '../storage/storage.js';
import type { MetricFamily } from '../exporters/prometheus/exposition.js';

import type { ReceiverObserver, ReceiverSignal } from '../receivers/observer.js';

export type SignalName = ReceiverSignal;

type Sample = { readonly labels: Readonly<Record<string, string>>; readonly value: number };

interface Entry {
  readonly name: string;
  readonly type: MetricMetadata['type'];
  readonly help: string;
  readonly unit: string;
  /** counters kept here, by label key */
  readonly values: Map<string, { labels: Labels; value: number }>;
  readonly read: (() => number | readonly Sample[]) | undefined;
}

export class Counter {
  constructor(private readonly entry: Entry) {}

  inc(labels: Readonly<Record<string, string>> = {}, by = 1): void {
    const l = toLabels(this.entry.name, labels);
    const key = labelsKey(l);
    const cur = this.entry.values.get(key);
    if (cur) cur.value += by;
    else this.entry.values.set(key, { labels: l, value: by });
  }
}

function toLabels(name: string, record: Readonly<Record<string, string>>): Labels {
  const out: Label[] = [{ name: METRIC_NAME, value: name }];
  for (const [k, v] of Object.entries(record)) out.push({ name: k, value: v });
  return sortLabels(out);
}

const SIGNAL_METRICS: Record<SignalName, { accepted: string; refused: string; items: string }> = {
  traces: { accepted: SELF_METRICS.acceptedSpans, refused: SELF_METRICS.refusedSpans, items: 'spans' },
  metrics: {
    accepted: SELF_METRICS.acceptedMetricPoints,
    refused: SELF_METRICS.refusedMetricPoints,
    items: 'metric points',
  },
  logs: { accepted: SELF_METRICS.acceptedLogRecords, refused: SELF_METRICS.refusedLogRecords, items: 'log records' },
};

export class SelfMetrics implements ReceiverObserver {
  private readonly entries = new Map<string, Entry>();
  private readonly receiverCounters = new Map<string, Counter>();

  constructor(
    /** the receiver label, as the Collector names its receiver */
    private readonly receiver = 'otlp',
  ) {
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const m = SIGNAL_METRICS[signal];
      this.receiverCounters.set(
        m.accepted,
        this.counter(m.accepted, `Number of ${m.items} successfully pushed into the pipeline.`),
      );
      this.receiverCounters.set(
        m.refused,
        this.counter(m.refused, `Number of ${m.items} that could not be pushed into the pipeline.`),
      );
      // Start every receiver series at 0 so dashboards show 0, not "no data", before the first refusal.
      for (const transport of ['http', 'grpc']) {
        this.receiverCounters.get(m.accepted)!.inc({ receiver, transport }, 0);
        this.receiverCounters.get(m.refused)!.inc({ receiver, transport }, 0);
      }
    }
  }

  counter(name: string, help: string, unit = ''): Counter {
    const e = this.add(name, 'counter', help, unit, undefined);
    return new Counter(e);
  }

  /** A gauge read at collection time: one value, or samples with labels. */
  gauge(name: string, help: string, read: () => number | readonly Sample[], unit = ''): void {
    this.add(name, 'gauge', help, unit, read);
  }

  /** A counter whose value lives elsewhere (e.g. the trace store's drop counts). */
  counterFunc(name: string, help: string, read: () => number | readonly Sample[], unit = ''): void {
    this.add(name, 'counter', help, unit, read);
  }

  private add(name: string, type: MetricMetadata['type'], help: string, unit: string, read: Entry['read']): Entry {
    const e: Entry = { name, type, help, unit, values: new Map(), read };
    this.entries.set(name, e);
    return e;
  }

  accepted(signal: SignalName, items: number, transport: string): void {
    const m = SIGNAL_METRICS[signal];
    if (m) this.receiverCounters.get(m.accepted)!.inc({ receiver: this.receiver, transport }, items);
  }

  refused(signal: SignalName, items: number, transport: string): void {
    const m = SIGNAL_METRICS[signal];
    if (m) this.receiverCounters.get(m.refused)!.inc({ receiver: this.receiver, transport }, items);
  }

  /** Every family with its current samples; a failing callback is skipped, not fatal. */
  collect(): MetricFamily[] {
    const out: MetricFamily[] = [];
    for (const e of this.entries.values()) {
      let samples: { labels: Labels; value: number }[];
      if (e.read) {
        let r: number | readonly Sample[];
        try {
          r = e.read();
        } catch {
          continue;
        }
        samples =
          typeof r === 'number'
            ? [{ labels: toLabels(e.name, {}), value: r }]
            : r.map((s) => ({ labels: toLabels(e.name, s.labels), value: s.value }));
      } else {
        samples = [...e.values.values()].map((v) => ({ labels: v.labels, value: v.value }));
      }
      out.push({ name: e.name, type: e.type, help: e.help, unit: e.unit, samples });
    }
    return out;
  }

  /** Writes the current values into the store at time t (ms) with extra target labels (job, instance). */
  writeTo(appender: Appender, t: number, target: Readonly<Record<string, string>>): number {
    let n = 0;
    for (const f of this.collect()) {
      const e = this.entries.get(f.name)!;
      appender.setMetadata(f.name, { type: f.type, help: f.help, unit: e.unit });
      for (const s of f.samples) {
        const labels: Label[] = s.labels.filter((l) => !(l.name in target));
        for (const [k, v] of Object.entries(target)) labels.push({ name: k, value: v });
        appender.append(sortLabels(labels), t, s.value);
        n++;
      }
    }
    return n;
  }

  /** Read access for tests and the console: the value of one series, or undefined. */
  value(name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
    const f = this.collect().find((x) => x.name === name);
    if (!f) return undefined;
    const key = labelsKey(toLabels(name, labels));
    return f.samples.find((s) => labelsKey(s.labels) === key)?.value;
  }
}

/** Process gauges under Prometheus client conventions (RSS, CPU seconds) plus the V8 heap. */
export function registerProcessMetrics(m: SelfMetrics): void {
  m.gauge(SELF_METRICS.processRss, 'Resident memory size in bytes.', () => process.memoryUsage.rss(), 'bytes');
  m.gauge(SELF_METRICS.processHeap, 'V8 heap used in bytes.', () => process.memoryUsage().heapUsed, 'bytes');
  m.counterFunc(
    SELF_METRICS.processCpu,
    'Total user and system CPU time spent in seconds.',
    () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    },
    'seconds',
  );
}
