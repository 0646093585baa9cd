// The logs pipeline's sink for now: logs are accepted (so SDKs exporting them do not fail) and
// counted, not stored.
import type { Component } from '../component/component.js';
import type { LogsData } from '../otlp/model.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import type { LogsConsumer } from '../consumer/consumer.js';

export class LogCounter implements LogsConsumer, Component {
  records = 0;
  batches = 0;

  consumeLogs(batch: LogsData): void {
    this.batches++;
    for (const rl of batch.resourceLogs) for (const sl of rl.scopeLogs) this.records += sl.logRecords.length;
  }

  registerMetrics(registry: SelfMetrics): void {
    registry.counterFunc(
      'orrery_logs_received_log_records_total',
      'Log records received (counted, not stored).',
      () => this.records,
    );
  }
}
