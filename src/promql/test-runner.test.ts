import { describe, expect, it } from 'vitest';
import { almostEqual, parseScript, runScript } from './test-runner.js';

describe('PromQL test script runner', () => {
  it('parses series values as Prometheus does', () => {
    const cmds = parseScript('load 5m\n  m{a="b"} 1+2x2 _ stale 0x1 -1-1x1 _x2 Inf\n');
    expect(cmds).toHaveLength(1);
    const load = cmds[0]!;
    if (load.kind !== 'load') throw new Error('expected load');
    const s = [...load.series.values()][0]!;
    expect(s.labels).toEqual([
      { name: '__name__', value: 'm' },
      { name: 'a', value: 'b' },
    ]);
    const shown = s.values.map((v) => (v.omitted ? '_' : v.stale ? 'stale' : v.value));
    expect(shown).toEqual([1, 3, 5, '_', 'stale', 0, 0, -1, -2, '_', '_', Infinity]);
  });

  it('compares with a relative tolerance and NaN equal to NaN', () => {
    expect(almostEqual(NaN, NaN)).toBe(true);
    expect(almostEqual(1, 1 + 1e-9)).toBe(true);
    expect(almostEqual(1, 1.001)).toBe(false);
    expect(almostEqual(0, 1e-300)).toBe(false);
  });

  it('runs evals, counting passes and reporting failures with their line', () => {
    const script = [
      'load 1m',
      '  up{job="a"} 1 2 3',
      '',
      'eval instant at 2m up',
      '  up{job="a"} 3',
      '',
      '# wrong on purpose',
      'eval instant at 2m up',
      '  up{job="a"} 4',
      '',
      'eval_fail instant at 0m sum(',
      '',
      'eval_fail instant at 0m label_replace(up, "dst", "", "src", "(.*")',
      '',
      'eval_ordered instant at 2m sort_desc(up or vector(7))',
      '  {} 7',
      '  up{job="a"} 3',
      '',
      'eval instant at 1m scalar(sum(up))',
      '  2',
    ].join('\n');
    const r = runScript(script, 'x.test');
    expect(r.passed).toBe(4);
    expect(r.failed.map((f) => f.line)).toEqual([8, 11]);
    expect(r.failed[0]!.message).toContain('expected 4 for {__name__="up", job="a"} but got 3');
  });
});
