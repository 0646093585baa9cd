import { describe, expect, it } from 'vitest';
import { LogQLParseError, tokenize } from './lexer.js';
import { parseQuery } from './parser.js';

describe('LogQL lexer', () => {
  it('reads ranges, durations, byte sizes, numbers, strings and operators', () => {
    const toks = tokenize('rate({a="x\\ty"} |~ `\\d+` | size > 20kb, d >= 1h30m [5m])');
    expect(toks.map((t) => t.kind)).toEqual([
      'IDENTIFIER',
      'OP',
      'OP',
      'IDENTIFIER',
      'OP',
      'STRING',
      'OP',
      'OP',
      'STRING',
      'OP',
      'IDENTIFIER',
      'OP',
      'BYTES',
      'OP',
      'IDENTIFIER',
      'OP',
      'DURATION',
      'RANGE',
      'OP',
      'EOF',
    ]);
    expect(toks[5]!.text).toBe('x\ty');
    expect(toks[8]!.text).toBe('\\d+');
    expect(toks[12]!.value).toBe(20_000);
    expect(toks[16]!.value).toBe(5400e9);
    expect(toks[17]!.value).toBe(300e9);
  });

  it('reports an unterminated string where it starts', () => {
    expect(() => tokenize('{a="b}')).toThrow(new LogQLParseError('literal not terminated', 1, 4));
  });
});

describe('LogQL parser', () => {
  it('parses a log query into selector and stages', () => {
    const q = parseQuery(
      '{app="foo", env=~"prod|dev"} |= "err" or "warn" | json | status >= 500 and path!~"/health.*" | line_format "{{.path}}"',
    );
    expect(q.type).toBe('log');
    if (q.type !== 'log') return;
    expect(q.matchers.map((m) => `${m.name}${m.type}${m.value}`)).toEqual(['app=foo', 'env=~prod|dev']);
    expect(q.stages.map((s) => s.kind)).toEqual(['lineFilter', 'json', 'labelFilter', 'lineFormat']);
    expect(q.stages[0]).toEqual({ kind: 'lineFilter', op: '|=', values: ['err', 'warn'] });
    const f = q.stages[2]!;
    expect(f.kind === 'labelFilter' && f.filter.kind).toBe('and');
  });

  it('parses metric queries: grouping before or after, topk, offset, the range after the pipeline', () => {
    const a = parseQuery('sum by (level) (count_over_time({app="x"} |= "e" [5m] offset 1h))');
    const b = parseQuery('sum(count_over_time({app="x"}[5m] |= "e" offset 1h)) by (level)');
    // matchers hold closures: compare the trees' data
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a).toMatchObject({
      type: 'vectorAgg',
      op: 'sum',
      grouping: { without: false, labels: ['level'] },
      expr: { type: 'range', op: 'count_over_time', rangeNs: 300e9, offsetNs: 3600e9 },
    });
    expect(parseQuery('topk(3, rate({app="x"}[1m]))')).toMatchObject({ type: 'vectorAgg', op: 'topk', param: 3 });
    expect(parseQuery('vector(1)+vector(1) * 2')).toMatchObject({
      type: 'binary',
      op: '+',
      rhs: { type: 'binary', op: '*' },
    });
  });

  it.each([
    // Loki's parser tests and yacc wording; positions are 1-based columns of the offending token
    ['{app="foo"} | unknownstage', 'parse error at line 1, col 27: syntax error: unexpected $end'],
    ['{app="foo"', 'parse error at line 1, col 11: syntax error: unexpected $end, expecting }'],
    ['{app}', 'parse error at line 1, col 5: syntax error: unexpected }'],
    ['sum(count_over_time({app="foo"}))', 'parse error at line 1, col 32: syntax error: unexpected ), expecting RANGE'],
    // the anchored expression in the message, as Go's regexp reports Prometheus's matcher
    ['{app=~"("}', 'parse error at line 1, col 7: error parsing regexp: missing closing ): `^(?:()$`'],
    ['{app="a"} + 1', 'parse error at line 1, col 11: syntax error: unexpected +'],
    [
      '{}',
      'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    ],
    [
      '{a!="x"}',
      'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    ],
  ])('%s', (query, message) => {
    expect(() => parseQuery(query)).toThrow(message);
  });

  it('refuses an unknown line_format function when the query is compiled', async () => {
    const { compilePipeline } = await import('./pipeline.js');
    const q = parseQuery('{a="b"} | line_format "{{ nope .x }}"');
    expect(() => compilePipeline(q as Parameters<typeof compilePipeline>[0])).toThrow(
      'template: line:1: function "nope" not defined',
    );
  });
});
