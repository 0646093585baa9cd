import { describe, expect, it } from 'vitest';
import { runScript } from '../../../../src/promql/test-runner.js';
import { validateDashboard } from '../../model/dashboard.js';
import { errorRatioQuery, latencyQuery, monitorPanels, operationRows, promqlString, rateQuery } from './queries.js';

const scope = { service: 'cart', spanKind: 'SPAN_KIND_SERVER' };
const sample = (span_name: string, v: string) => ({ metric: { span_name }, value: [0, v] as [number, string] });

describe('Monitor queries', () => {
  it('quote any service name safely', () => {
    expect(promqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(rateQuery({ service: 'x"}) or vector(1', spanKind: 'SPAN_KIND_SERVER' }, '5m')).toContain(
      'service_name="x\\"}) or vector(1"',
    );
  });

  it('compute rate, error share (0 without errors) and latency per operation with the real engine', () => {
    const series = [
      '  traces_span_metrics_calls_total{service_name="cart",span_kind="SPAN_KIND_SERVER",span_name="Get",status_code="STATUS_CODE_UNSET"} 0+60x10',
      '  traces_span_metrics_calls_total{service_name="cart",span_kind="SPAN_KIND_SERVER",span_name="Add",status_code="STATUS_CODE_UNSET"} 0+45x10',
      '  traces_span_metrics_calls_total{service_name="cart",span_kind="SPAN_KIND_SERVER",span_name="Add",status_code="STATUS_CODE_ERROR"} 0+15x10',
      '  traces_span_metrics_calls_total{service_name="ad",span_kind="SPAN_KIND_SERVER",span_name="Get",status_code="STATUS_CODE_ERROR"} 0+60x10',
      '  traces_span_metrics_duration_milliseconds_bucket{service_name="cart",span_kind="SPAN_KIND_SERVER",span_name="Get",le="10"} 0+60x10',
      '  traces_span_metrics_duration_milliseconds_bucket{service_name="cart",span_kind="SPAN_KIND_SERVER",span_name="Get",le="+Inf"} 0+60x10',
    ];
    const script = [
      'load 1m',
      ...series,
      '',
      `eval instant at 10m ${rateQuery(scope, '5m', 'span_name')}`,
      '  {span_name="Get"} 1',
      '  {span_name="Add"} 1',
      '',
      `eval instant at 10m ${errorRatioQuery(scope, '5m', 'span_name')}`,
      '  {span_name="Get"} 0',
      '  {span_name="Add"} 0.25',
      '',
      `eval instant at 10m ${errorRatioQuery(scope, '5m')}`,
      '  {} 0.125',
      '',
      `eval instant at 10m ${latencyQuery(scope, 0.5, '5m', 'span_name')}`,
      '  {span_name="Get"} 5',
      '',
    ].join('\n');
    const result = runScript(script, 'monitor');
    expect(result.failed).toEqual([]);
  });

  it('draws its charts as valid dashboard panels', () => {
    const panels = monitorPanels(scope);
    const doc = { uid: 'monitor', title: 'Monitor', panels };
    expect(validateDashboard(JSON.parse(JSON.stringify(doc))).ok).toBe(true);
    expect(panels.map((p) => p.title)).toEqual(['Latency', 'Request rate', 'Error rate']);
    expect(panels[0]!.queries.map((q) => q.legendFormat)).toEqual(['p50', 'p95', 'p99']);
  });

  it('makes one row per operation, the largest latency × rate first', () => {
    const rows = operationRows({
      rate: [sample('Get', '10'), sample('Add', '1'), sample('Slow', '1')],
      errorRatio: [sample('Get', '0'), sample('Add', '0.5')],
      p50: [sample('Get', '2')],
      p95: [sample('Get', '5'), sample('Add', '20'), sample('Slow', 'NaN')],
      p99: [sample('Get', '9')],
    });
    expect(rows.map((r) => [r.operation, r.impact])).toEqual([
      ['Get', 1],
      ['Add', 0.4],
      ['Slow', 0],
    ]);
    expect(rows[1]).toMatchObject({ errorRatio: 0.5, p50: undefined, p95: 20 });
    expect(rows[2]!.p95).toBeUndefined();
  });
});
