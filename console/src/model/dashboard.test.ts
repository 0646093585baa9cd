import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatValidationErrors, validateDashboard } from './dashboard.js';

const dashboardsDir = join(import.meta.dirname, '../../../dashboards');

describe('validateDashboard', () => {
  it('accepts every dashboard shipped in dashboards/', () => {
    const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['demo.json', 'collector.json']));
    for (const file of files) {
      const result = validateDashboard(JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')));
      expect(result.ok ? 'valid' : `${file}: ${formatValidationErrors(result.errors)}`).toBe('valid');
    }
  });

  it('fills defaults for optional fields', () => {
    const result = validateDashboard({
      uid: 'x',
      title: 'X',
      panels: [{ id: 1, title: 'P', type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 }, queries: [{ expr: 'up' }] }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.dashboard.time).toEqual({ from: 'now-15m', to: 'now' });
    expect(result.dashboard.panels[0]!.unit).toBe('short');
    expect(result.dashboard.panels[0]!.queries[0]).toEqual({ refId: 'A', expr: 'up', legendFormat: '' });
    expect(result.dashboard.panels[0]!.pointLinks).toBe('none');
  });

  it("reads what a click on a panel's point opens, and names a wrong setting", () => {
    const panel = (pointLinks: unknown) => ({
      uid: 'x',
      title: 'X',
      panels: [
        {
          id: 1,
          title: 'P',
          type: 'timeseries',
          gridPos: { x: 0, y: 0, w: 6, h: 4 },
          queries: [{ expr: 'up' }],
          pointLinks,
        },
      ],
    });
    const ok = validateDashboard(panel('latency'));
    expect(ok.ok && ok.dashboard.panels[0]!.pointLinks).toBe('latency');
    const bad = validateDashboard(panel('traces'));
    expect(bad.ok ? '' : formatValidationErrors(bad.errors)).toBe(
      'panels[0].pointLinks: must be one of none, latency, errors',
    );
  });

  it('takes a logs panel with a LogQL log query, and names a metric query in one', () => {
    const panel = (expr: string) => ({
      id: 1,
      title: 'Cache misses',
      type: 'logs',
      gridPos: { x: 0, y: 0, w: 24, h: 8 },
      queries: [{ expr }],
    });
    const ok = validateDashboard({
      uid: 'l',
      title: 'L',
      panels: [panel('{service_name="$service"} |= "cache miss"')],
    });
    expect(ok.ok && ok.dashboard.panels[0]!.type).toBe('logs');
    const bad = validateDashboard({ uid: 'l', title: 'L', panels: [panel('count_over_time({a="b"}[1m])')] });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(formatValidationErrors(bad.errors)).toBe(
      'panels[0].queries[0].expr: a logs panel needs a LogQL log query: a stream selector first, e.g. {service_name="x"} |= "text"',
    );
  });

  it('names every offending field', () => {
    const result = validateDashboard({
      uid: 'bad uid',
      title: '',
      refresh: 'often',
      variables: [{ name: '__x', type: 'query', query: 'label_values(up, job)' }],
      panels: [
        { id: 1, title: 'ok', type: 'pie', gridPos: { x: 0, y: 0, w: 30, h: 4 }, queries: [] },
        { id: 1, title: 'dup', type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 }, queries: [{ expr: 42 }] },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'uid',
        'title',
        'refresh',
        'variables[0].name',
        'panels[0].type',
        'panels[0].gridPos.w',
        'panels[0].queries',
        'panels[1].id',
        'panels[1].queries[0].expr',
      ]),
    );
    expect(formatValidationErrors(result.errors)).toContain('panels[0].type: must be one of timeseries, stat, bar');
  });

  it('rejects a document that is not an object', () => {
    expect(validateDashboard([1, 2])).toEqual({
      ok: false,
      errors: [{ path: '(root)', message: 'must be an object' }],
    });
  });
});
