// The metrics pipeline's sink: translates each OTLP batch into Prometheus series and appends it
// into the time-series store (the part Prometheus's OTLP receiver plays).
import type { MetricsData } from '../../otlp/model.js';
import type { MetricsConsumer } from '../../pipeline/consumer.js';
import type { Appender } from '../../tsdb/storage.js';
import { OtlpToPrometheus, type TranslationOptions } from './translate.js';

export interface PrometheusExporterStats {
  readonly samples: number;
  readonly exemplars: number;
  readonly skippedPoints: number;
}

export class PrometheusStorageExporter implements MetricsConsumer {
  private readonly translator: OtlpToPrometheus;
  private samples = 0;
  private exemplars = 0;
  private skipped = 0;

  constructor(
    private readonly appender: Appender,
    opts: TranslationOptions = {},
  ) {
    this.translator = new OtlpToPrometheus(opts);
  }

  consumeMetrics(batch: MetricsData): void {
    const s = this.translator.translate(batch, this.appender);
    this.samples += s.samples;
    this.exemplars += s.exemplars;
    this.skipped += s.skippedPoints;
  }

  /** Drops delta accumulators of series silent since cutoffMs. */
  prune(cutoffMs: number): void {
    this.translator.prune(cutoffMs);
  }

  stats(): PrometheusExporterStats {
    return { samples: this.samples, exemplars: this.exemplars, skippedPoints: this.skipped };
  }
}
