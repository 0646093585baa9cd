// The metrics pipeline's sink: translates each OTLP batch into Prometheus series and appends it
// into the time-series store (the part Prometheus's OTLP receiver plays). Points the store
// refuses (too old, too far ahead, out of order, duplicate) or that cannot be stored (malformed
// histograms) are reported to the receiver as partial success and counted in self-metrics.
import type { Component } from '../../component/component.js';
import type { MetricsData } from '../../otlp/model.js';
import type { MetricsConsumer, Rejections } from '../../consumer/consumer.js';
import type { SelfMetrics } from '../../selfmetrics/registry.js';
import type { Appender } from '../../storage/storage.js';
import { OtlpToPrometheus, REFUSAL_REASONS, type PointRefusal, type TranslationOptions } from './translate.js';

export interface PrometheusExporterStats {
  readonly samples: number;
  readonly exemplars: number;
  readonly skippedPoints: number;
  /** data points not stored, by why, since start */
  readonly refusedPoints: ReadonlyMap<PointRefusal, number>;
}

export class PrometheusStorageExporter implements MetricsConsumer, Component {
  private readonly translator: OtlpToPrometheus;
  private samples = 0;
  private exemplars = 0;
  private skipped = 0;
  private readonly refused = new Map<PointRefusal, number>();

  constructor(
    private readonly appender: Appender,
    opts: TranslationOptions = {},
  ) {
    this.translator = new OtlpToPrometheus(opts);
  }

  consumeMetrics(batch: MetricsData, rejections?: Rejections): void {
    const s = this.translator.translate(batch, this.appender);
    // Before the receiver acknowledges the batch: a WAL-writing appender logs it here (or refuses).
    this.appender.commit?.();
    this.samples += s.samples;
    this.exemplars += s.exemplars;
    this.skipped += s.skippedPoints;
    for (const [why, n] of s.refusedPoints) {
      this.refused.set(why, (this.refused.get(why) ?? 0) + n);
      rejections?.add(REFUSAL_REASONS[why], n);
    }
  }

  /** Drops delta accumulators of series silent since cutoffMs. */
  prune(cutoffMs: number): void {
    this.translator.prune(cutoffMs);
  }

  stats(): PrometheusExporterStats {
    return {
      samples: this.samples,
      exemplars: this.exemplars,
      skippedPoints: this.skipped,
      refusedPoints: new Map(this.refused),
    };
  }

  registerMetrics(registry: SelfMetrics): void {
    const reasons = Object.keys(REFUSAL_REASONS) as PointRefusal[];
    registry.counterFunc(
      'orrery_exporter_refused_metric_points_total',
      'Metric data points the Prometheus storage exporter did not store, by reason.',
      () =>
        reasons.map((why) => ({
          labels: { exporter: 'prometheus', reason: why.replaceAll('-', '_') },
          value: this.refused.get(why) ?? 0,
        })),
    );
  }
}
