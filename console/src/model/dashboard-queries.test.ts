// The shipped dashboards' PromQL, evaluated by the backend's own engine on small known series.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/promql/test-runner.js';
import { validateDashboard } from './dashboard.js';

const demo = validateDashboard(
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../dashboards/demo.json'), 'utf8')),
);

function panelExpr(title: string): string {
  if (!demo.ok) throw new Error('demo.json does not validate');
  const panel = demo.dashboard.panels.find((p) => p.title === title);
  if (!panel) throw new Error(`no panel ${title}`);
  return panel.queries[0]!.expr.replaceAll('$__rate_interval', '2m');
}

describe('Demo Dashboard queries', () => {
  it('Error Rate draws 0 for a service with calls and no errors, and nothing for one without calls', () => {
    const script = [
      'load 1m',
      '  traces_span_metrics_calls_total{service_name="quiet",status_code="STATUS_CODE_UNSET"} 0+60x10',
      '  traces_span_metrics_calls_total{service_name="failing",status_code="STATUS_CODE_UNSET"} 0+54x10',
      '  traces_span_metrics_calls_total{service_name="failing",status_code="STATUS_CODE_ERROR"} 0+6x10',
      '  other_metric{service_name="idle"} 1x10',
      '',
      `eval instant at 10m ${panelExpr('Error Rate')}`,
      '  {service_name="quiet"} 0',
      '  {service_name="failing"} 10',
      '',
    ].join('\n');
    const result = runScript(script, 'error-rate');
    expect(result.failed).toEqual([]);
    expect(result.passed).toBeGreaterThan(0);
  });
});
