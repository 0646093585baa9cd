import { describe, expect, it } from 'vitest';
import { applyCompletion, completionContext, rankCandidates } from './completion.js';

const at = (q: string) => completionContext(q.replace('|', ''), q.indexOf('|'));

describe('completionContext', () => {
  it('offers metrics for a bare word', () => {
    expect(at('rate(traces_sp|')).toEqual({ kind: 'metric', prefix: 'traces_sp' });
  });
  it('offers label names inside braces, knowing the metric', () => {
    expect(at('up{jo|')).toEqual({ kind: 'labelName', prefix: 'jo', metric: 'up' });
    expect(at('up{job="a", |}')).toEqual({ kind: 'labelName', prefix: '', metric: 'up' });
  });
  it('offers label values after an operator and quote', () => {
    expect(at('x_total{service_name="rec|"}')).toEqual({
      kind: 'labelValue',
      prefix: 'rec',
      label: 'service_name',
      metric: 'x_total',
    });
    expect(at('{job=~"a|')).toEqual({ kind: 'labelValue', prefix: 'a', label: 'job', metric: undefined });
  });
  it('offers label names in by(...) lists', () => {
    expect(at('sum by (service_name, sp|')).toEqual({ kind: 'labelName', prefix: 'sp', metric: undefined });
  });
  it('offers nothing inside a range', () => {
    expect(at('rate(x[5|')).toEqual({ kind: 'none' });
  });
});

describe('ranking and applying', () => {
  it('puts prefix matches first', () => {
    expect(rankCandidates(['process_cpu', 'cpu_total', 'up'], 'cpu')).toEqual(['cpu_total', 'process_cpu']);
  });
  it('replaces the prefix', () => {
    expect(applyCompletion('rate(tra)', 8, 'tra', 'traces_total')).toEqual({ text: 'rate(traces_total)', cursor: 17 });
  });
});
