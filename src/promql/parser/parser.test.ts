import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { exprToString, parseExpr, parseMetricSelector, ParseError } from './parser.js';

/** A fully parenthesised rendering that shows the tree's shape (precedence, nesting, modifiers). */
function shape(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      return String(e.val);
    case 'StringLiteral':
      return JSON.stringify(e.val);
    case 'VectorSelector':
    case 'MatrixSelector':
      return exprToString(e);
    case 'SubqueryExpr':
      return `(subquery ${shape(e.expr)} ${e.range} ${e.step} off=${e.offset} at=${e.timestamp ?? e.startOrEnd ?? '-'})`;
    case 'AggregateExpr':
      return `(${e.op}${e.without ? ' without' : e.grouping.length ? ' by' : ''}${e.grouping.length ? `[${e.grouping.join(',')}]` : ''}${e.param ? ' ' + shape(e.param) : ''} ${shape(e.expr)})`;
    case 'BinaryExpr': {
      const m = e.matching;
      const mm = m
        ? ` {${m.card}${m.on ? ' on' : ''}${m.matchingLabels.length ? ` [${m.matchingLabels.join(',')}]` : ''}${m.include.length ? ` incl[${m.include.join(',')}]` : ''}}`
        : '';
      return `(${e.op}${e.returnBool ? ' bool' : ''}${mm} ${shape(e.lhs)} ${shape(e.rhs)})`;
    }
    case 'Call':
      return `(${e.func}${e.args.map((a) => ' ' + shape(a)).join('')})`;
    case 'ParenExpr':
      return `(paren ${shape(e.expr)})`;
    case 'UnaryExpr':
      return `(u${e.op} ${shape(e.expr)})`;
    case 'StepInvariantExpr':
      return `(invariant ${shape(e.expr)})`;
  }
}

// [query, tree shape]
const SHAPES: ReadonlyArray<readonly [string, string]> = [
  ['1 + 2', '(+ 1 2)'],
  ['1 + 2 * 3', '(+ 1 (* 2 3))'],
  ['1 * 2 + 3', '(+ (* 1 2) 3)'],
  ['1 - 2 - 3', '(- (- 1 2) 3)'],
  ['2 ^ 3 ^ 2', '(^ 2 (^ 3 2))'],
  ['-1 ^ 2', '(u- (^ 1 2))'],
  ['-1 * 2', '(* -1 2)'],
  ['- -1', '1'],
  ['-(1)', '(u- (paren 1))'],
  ['2 ^ -1 ^ 2', '(^ 2 (u- (^ 1 2)))'],
  ['a + -b * c', '(+ {one-to-one} a (* {one-to-one} (u- b) c))'],
  ['a ^ -b * c', '(* {one-to-one} (^ {one-to-one} a (u- b)) c)'],
  ['a atan2 b ^ c', '(atan2 {one-to-one} a (^ {one-to-one} b c))'],
  ['a % b / c * d', '(* {one-to-one} (/ {one-to-one} (% {one-to-one} a b) c) d)'],
  ['1 + 2 > bool 3 - 4', '(> bool (+ 1 2) (- 3 4))'],
  ['a > b == c', '(== {one-to-one} (> {one-to-one} a b) c)'],
  ['a and b or c unless d', '(or {many-to-many} (and {many-to-many} a b) (unless {many-to-many} c d))'],
  ['a or b and c', '(or {many-to-many} a (and {many-to-many} b c))'],
  ['a + b or c < d and e', '(or {many-to-many} (+ {one-to-one} a b) (and {many-to-many} (< {one-to-one} c d) e))'],
  ['foo * on(a, b) group_left(c) bar', '(* {many-to-one on [a,b] incl[c]} foo bar)'],
  ['foo / ignoring(a) group_right bar', '(/ {one-to-many [a]} foo bar)'],
  ['foo == bool on() bar', '(== bool {one-to-one on} foo bar)'],
  ['foo and on(a) bar', '(and {many-to-many on [a]} foo bar)'],
  ['foo + 1', '(+ foo 1)'],
  ['1 + on() 2 * foo', '(+ 1 (* 2 foo))'],
  ['a + b offset 5m', '(+ {one-to-one} a b offset 5m)'],
  ['-foo offset 5m', '(u- foo offset 5m)'],
  ['-sum_over_time(foo[5m:])', '(u- (sum_over_time (subquery foo 300000 0 off=0 at=-)))'],
  ['foo offset -1h @ 100', 'foo @ 100.000 offset -1h'],
  ['foo @ end() offset 1m', 'foo @ end() offset 1m'],
  ['foo[5m] offset 1m @ start()', 'foo[5m] @ start() offset 1m'],
  ['foo[1h:5m] @ 10.5 offset 2m', '(subquery foo 3600000 300000 off=120000 at=10500)'],
  ['rate(foo[5m])[30m:1m]', '(subquery (rate foo[5m]) 1800000 60000 off=0 at=-)'],
  ['(foo + bar)[5m:]', '(subquery (paren (+ {one-to-one} foo bar)) 300000 0 off=0 at=-)'],
  ['sum by (a, b) (foo)', '(sum by[a,b] foo)'],
  ['sum(foo) by (a)', '(sum by[a] foo)'],
  ['sum without (a) (foo)', '(sum without[a] foo)'],
  ['SUM BY (group) (foo)', '(sum by[group] foo)'],
  ['topk(5, foo)', '(topk 5 foo)'],
  ['quantile by (le) (0.9, foo)', '(quantile by[le] 0.9 foo)'],
  ['count_values("v", foo)', '(count_values "v" foo)'],
  ['sum without(and, by, avg, count, alert, annotations)(x)', '(sum without[and,by,avg,count,alert,annotations] x)'],
  ['sum', 'sum'],
  ['sum(sum)', '(sum sum)'],
  ['foo * sum', '(* {one-to-one} foo sum)'],
  ['by + offset', '(+ {one-to-one} by offset)'],
  ['start{end="x"}', 'start{end="x"}'],
  ['{__name__="foo", a=~"b.*"}', '{__name__="foo",a=~"b.*"}'],
  [
    'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))',
    '(histogram_quantile 0.9 (sum by[le] (rate x_bucket[5m])))',
  ],
  ['label_join(foo, "d", ",", "a", "b", "c")', '(label_join foo "d" "," "a" "b" "c")'],
  ['round(foo)', '(round foo)'],
  ['time()', '(time)'],
  ['0x1F + 1e3 + .5 + 017 + Inf + -NaN', '(+ (+ (+ (+ (+ 31 1000) 0.5) 15) Infinity) NaN)'],
  ["'a\\'b' ", '"a\'b"'],
  ['"\\x41\\101\\u00e9\\n"', '"AAé\\n"'],
  ['`a\\b`', '"a\\\\b"'],
  ['foo # comment\n + bar', '(+ {one-to-one} foo bar)'],
  ['foo[5m x]', '(subquery foo 300000 0 off=0 at=-)'],
];

describe('parseExpr: tree shapes', () => {
  it.each(SHAPES)('%j', (q, want) => {
    expect(shape(parseExpr(q))).toBe(want);
  });
});

describe('parseExpr: AST details', () => {
  it('builds vector selectors with the name matcher last', () => {
    const e = parseExpr('foo{a="b", c!~"d"}');
    expect(e.type).toBe('VectorSelector');
    if (e.type !== 'VectorSelector') return;
    expect(e.name).toBe('foo');
    expect(e.matchers.map((m) => [m.type, m.name, m.value])).toEqual([
      ['=', 'a', 'b'],
      ['!~', 'c', 'd'],
      ['=', '__name__', 'foo'],
    ]);
    expect(e.pos).toEqual({ start: 0, end: 18 });
    expect(e.offset).toBe(0);
    expect(e.timestamp).toBeUndefined();
  });

  it('keeps offsets, @ timestamps and positions like Prometheus', () => {
    const e = parseExpr('foo[5m] offset -7m @ 1603775091.5');
    expect(e.type).toBe('MatrixSelector');
    if (e.type !== 'MatrixSelector') return;
    expect(e.range).toBe(300000);
    expect(e.vectorSelector.offset).toBe(-420000);
    expect(e.vectorSelector.timestamp).toBe(1603775091500);
    expect(e.pos).toEqual({ start: 0, end: 33 });
  });

  it('folds unary minus into number literals only', () => {
    expect(parseExpr('-5')).toEqual({ type: 'NumberLiteral', val: -5, pos: { start: 0, end: 2 } });
    const p = parseExpr('-(5)');
    expect(p.type).toBe('UnaryExpr');
  });

  it('does not fold constants', () => {
    const e = parseExpr('(1 + 2)');
    expect(e.type).toBe('ParenExpr');
    if (e.type !== 'ParenExpr') return;
    expect(e.expr.type).toBe('BinaryExpr');
  });

  it('drops vector matching unless both sides are vectors', () => {
    const e = parseExpr('foo + on() 1');
    expect(e.type === 'BinaryExpr' && e.matching).toBe(undefined);
    const s = parseExpr('foo or bar');
    expect(s.type === 'BinaryExpr' && s.matching?.card).toBe('many-to-many');
  });

  it('positions aggregations and calls up to their closing token', () => {
    const e = parseExpr('sum(rate(foo[5m])) by (job)');
    expect(e.pos).toEqual({ start: 0, end: 27 });
    if (e.type !== 'AggregateExpr') throw new Error('want aggregate');
    expect(e.expr.pos).toEqual({ start: 4, end: 17 });
  });

  it('accepts @ start() before a range, as Prometheus 2.42 does', () => {
    expect(exprToString(parseExpr('foo @ start() [5m]'))).toBe('foo[5m] @ start()');
  });
});

// [input, String() output]; several come from Prometheus's printer tests
const PRINTED: ReadonlyArray<readonly [string, string]> = [
  ['sum by() (task:errors:rate10s{job="s"})', 'sum(task:errors:rate10s{job="s"})'],
  ['sum without() (x)', 'sum without () (x)'],
  ['topk(5, x{job="s"})', 'topk(5, x{job="s"})'],
  ['a - on(b) group_left c', 'a - on (b) group_left () c'],
  ['a - ignoring() c', 'a - c'],
  ['a @ 10', 'a @ 10.000'],
  ['a[1h:5m] offset 1m', 'a[1h:5m] offset 1m'],
  ['a[90m:]', 'a[1h30m:]'],
  ['foo[14d]', 'foo[2w]'],
  ['foo[13d]', 'foo[13d]'],
  ['foo[1500ms]', 'foo[1s500ms]'],
  ['foo{b="c",a="d"}', 'foo{a="d",b="c"}'],
  ['1e6 + 123456 + 0.0001 + 1e-5', '1e+06 + 123456 + 0.0001 + 1e-05'],
  ['"a\\tb"', '"a\\tb"'],
  ['-foo', '-foo'],
  ['(foo)', '(foo)'],
];

describe('exprToString', () => {
  it.each(PRINTED)('%j', (q, want) => {
    expect(exprToString(parseExpr(q))).toBe(want);
  });
});

describe('parseExpr: errors', () => {
  it.each(ERROR_CASES)('%j', (q, want) => {
    let err: unknown;
    try {
      parseExpr(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).message).toBe(want);
  });

  it('carries the query and position range', () => {
    try {
      parseExpr('foo + bool bar');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      const pe = e as ParseError;
      expect(pe.query).toBe('foo + bool bar');
      expect(pe.positionRange).toEqual({ start: 4, end: 9 });
      expect(pe.err).toBe('bool modifier can only be used on comparison operators');
    }
  });

  it('type-checks long operator chains without exhausting the stack', () => {
    // From Prometheus's parser tests: the first error is the innermost, leftmost selector.
    const q = '(' + '-{}-1'.repeat(10000) + ')' + '[1m:]'.repeat(1000);
    expect(() => parseExpr(q)).toThrow('1:3: parse error: vector selector must contain at least one non-empty matcher');
    const chain = parseExpr('foo' + ' + foo'.repeat(20000));
    expect(exprToString(chain).length).toBe(3 + 6 * 20000);
  });

  it('reports, not crashes, on pathological nesting', () => {
    expect(() => parseExpr('('.repeat(100000) + '1' + ')'.repeat(100000))).toThrow(ParseError);
  });
});

describe('parseExpr: nesting limit', () => {
  const tooDeep = /^1:\d+: parse error: expression nested too deeply \(the limit is 512 levels\)$/;
  const chain = (n: number, op = '+'): string => Array.from({ length: n }, () => '1').join(op);
  const parens = (n: number): string => '('.repeat(n) + '1' + ')'.repeat(n);
  const calls = (n: number): string => 'abs('.repeat(n) + 'x' + ')'.repeat(n);

  it('accepts left-associative chains of any length and nesting up to 512 levels', () => {
    expect(() => parseExpr(chain(100_000))).not.toThrow();
    expect(() => parseExpr(chain(100_000, ' or ').replace(/1/g, 'x'))).not.toThrow();
    expect(() => parseExpr(parens(511))).not.toThrow();
    expect(() => parseExpr(calls(511))).not.toThrow();
    expect(() => parseExpr(chain(512, '^'))).not.toThrow();
    // Nesting inside a long chain counts from the chain's level.
    expect(() => parseExpr(chain(2000) + '+' + parens(510))).not.toThrow();
  });

  it('refuses deeper nesting with a parse error, however it nests', () => {
    const deep = [parens(512), parens(100_000), calls(512), calls(100_000), '-'.repeat(100_000) + 'x'];
    // '^' is right-associative: each operator nests its right operand one level deeper.
    deep.push(chain(513, '^'), chain(100_000, '^'), chain(2000) + '+' + parens(512));
    for (const q of deep) {
      let err: unknown;
      try {
        parseExpr(q);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as Error).message).toMatch(tooDeep);
    }
  });
});

describe('parseMetricSelector', () => {
  it('returns matchers, the name matcher last', () => {
    expect(parseMetricSelector('up{job="api"}').map((m) => `${m.name}${m.type}${m.value}`)).toEqual([
      'job=api',
      '__name__=up',
    ]);
    expect(parseMetricSelector('{__name__=~"a.+"}').map((m) => m.type)).toEqual(['=~']);
  });
  it('rejects expressions', () => {
    expect(() => parseMetricSelector('sum(up)')).toThrow('1:4: parse error: unexpected "("');
    expect(() => parseMetricSelector('up[5m]')).toThrow(ParseError);
  });
});

// Invalid queries and the exact errors Prometheus 2.42 gives for them (checked against a real
// Prometheus 2.42 server's /api/v1/query while writing the parser).
const ERROR_CASES: ReadonlyArray<readonly [string, string]> = [
  ['sum foo', '1:5: parse error: unexpected identifier "foo"'],
  ['1+', '1:3: parse error: unexpected end of input'],
  ['.', "1:1: parse error: unexpected character: '.'"],
  ['2.5.', "1:4: parse error: unexpected character: '.'"],
  ['100..4', '1:5: parse error: unexpected number ".4"'],
  ['0deadbeef', '1:1: parse error: bad number or duration syntax: "0de"'],
  ['1 /', '1:4: parse error: unexpected end of input'],
  ['*1', '1:1: parse error: unexpected <op:*>'],
  ['(1))', "1:5: parse error: unexpected right parenthesis ')'"],
  ['((1)', '1:5: parse error: unclosed left parenthesis'],
  ['(', '1:2: parse error: unclosed left parenthesis'],
  ['1 and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  ['1 == 1', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
  ['1 !~ 1', "1:3: parse error: unexpected character after '!': '~'"],
  ['1 =~ 1', "1:3: parse error: unexpected character after '=': '~'"],
  [
    '-"string"',
    '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"',
  ],
  [
    '-test[5m]',
    '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
  ],
  [
    '1 offset 1d',
    '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
  ],
  ['foo offset 1s offset 2s', '1:1: parse error: offset may not be set multiple times'],
  ['a - on(b) ignoring(c) d', '1:11: parse error: unexpected <ignoring>'],
  ['1 or on(bar) foo', '1:1: parse error: vector matching only allowed between instant vectors'],
  ['foo == on(bar) 10', '1:1: parse error: vector matching only allowed between instant vectors'],
  ['foo + group_left(baz) bar', '1:7: parse error: unexpected <group_left>'],
  ['foo and on(bar) group_left(baz) bar', '1:1: parse error: no grouping allowed for "and" operation'],
  [
    'http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}',
    '1:35: parse error: label "instance" must not occur in ON and GROUP clause at once',
  ],
  ['foo + bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo and bool 10', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo @ +Inf', '1:1: parse error: timestamp out of bounds for @ modifier: +Inf'],
  ['foo @ NaN', '1:1: parse error: timestamp out of bounds for @ modifier: NaN'],
  ['{', '1:2: parse error: unexpected end of input inside braces'],
  ['}', "1:1: parse error: unexpected character: '}'"],
  ['some{', '1:6: parse error: unexpected end of input inside braces'],
  ['some_metric{a=b}', '1:15: parse error: unexpected identifier "b" in label matching, expected string'],
  ['some_metric{a:b="b"}', "1:14: parse error: unexpected character inside braces: ':'"],
  ['foo{a*"b"}', "1:6: parse error: unexpected character inside braces: '*'"],
  ['foo{gibberish}', '1:14: parse error: unexpected "}" in label matching, expected label matching operator'],
  ['foo{1}', "1:5: parse error: unexpected character inside braces: '1'"],
  ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ['foo{__name__= =}', '1:15: parse error: unexpected "=" in label matching, expected string'],
  ['foo{,}', '1:5: parse error: unexpected "," in label matching, expected identifier or "}"'],
  ['foo{__name__ == "bar"}', '1:15: parse error: unexpected "=" in label matching, expected string'],
  ['foo{__name__="bar" lol}', '1:20: parse error: unexpected identifier "lol" in label matching, expected "," or "}"'],
  ['foo[5mm]', '1:5: parse error: bad duration syntax: "5mm"'],
  ['foo[5m1]', '1:5: parse error: bad duration syntax: "5m1"'],
  ['foo[5m:1m1]', '1:8: parse error: bad number or duration syntax: "1m1"'],
  ['foo[5y1hs]', '1:5: parse error: not a valid duration string: "5y1hs"'],
  ['foo[5m1h]', '1:5: parse error: not a valid duration string: "5m1h"'],
  ['foo[0m]', '1:5: parse error: duration must be greater than 0'],
  ['foo[]', '1:5: parse error: missing unit character in duration'],
  ['foo[1]', '1:5: parse error: missing unit character in duration'],
  ['some_metric[5m] OFFSET 1', '1:24: parse error: unexpected number "1" in offset, expected duration'],
  ['some_metric[5m] OFFSET 1mm', '1:24: parse error: bad number or duration syntax: "1mm"'],
  ['some_metric[5m] OFFSET', '1:23: parse error: unexpected end of input in offset, expected duration'],
  ['some_metric OFFSET 1m[5m]', '1:22: parse error: no offset modifiers allowed before range'],
  ['some_metric[5m] @ 1m', '1:19: parse error: unexpected duration "1m" in @, expected timestamp'],
  ['some_metric[5m] @', '1:18: parse error: unexpected end of input in @, expected timestamp'],
  ['some_metric @ 1234 [5m]', '1:20: parse error: no @ modifiers allowed before range'],
  ['(foo + bar)[5m]', '1:12: parse error: ranges only allowed for vector selectors'],
  ['sum without(==)(some_metric)', '1:13: parse error: unexpected <op:==> in grouping opts, expected label'],
  ['sum without(,)(some_metric)', '1:13: parse error: unexpected "," in grouping opts, expected label'],
  ['sum without(foo,,)(some_metric)', '1:17: parse error: unexpected "," in grouping opts, expected label'],
  ['sum some_metric by (test)', '1:5: parse error: unexpected identifier "some_metric"'],
  ['sum (some_metric) by test', '1:22: parse error: unexpected identifier "test" in grouping opts, expected "("'],
  ['sum () by (test)', '1:1: parse error: no arguments for aggregate expression provided'],
  ['MIN keep_common (some_metric)', '1:5: parse error: unexpected identifier "keep_common"'],
  ['MIN (some_metric) keep_common', '1:19: parse error: unexpected identifier "keep_common"'],
  ['sum (some_metric) without (test) by (test)', '1:34: parse error: unexpected <by>'],
  ['sum without (test) (some_metric) by (test)', '1:34: parse error: unexpected <by>'],
  [
    'topk(some_metric)',
    '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1',
  ],
  ['topk(some_metric,)', '1:17: parse error: trailing commas not allowed in function call args'],
  [
    'topk(some_metric, other_metric)',
    '1:6: parse error: expected type scalar in aggregation parameter, got instant vector',
  ],
  ['count_values(5, other_metric)', '1:14: parse error: expected type string in aggregation parameter, got scalar'],
  [
    'rate(some_metric[5m]) @ 1234',
    '1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
  ],
  ['floor()', '1:1: parse error: expected 1 argument(s) in call to "floor", got 0'],
  ['floor(some_metric, other_metric)', '1:1: parse error: expected 1 argument(s) in call to "floor", got 2'],
  ['floor(1)', '1:7: parse error: expected type instant vector in call to function "floor", got scalar'],
  [
    'hour(some_metric, some_metric, some_metric)',
    '1:1: parse error: expected at most 1 argument(s) in call to "hour", got 3',
  ],
  ['time(some_metric)', '1:1: parse error: expected 0 argument(s) in call to "time", got 1'],
  ['non_existent_function_far_bar()', '1:1: parse error: unknown function with name "non_existent_function_far_bar"'],
  ['rate(some_metric)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
  ['-=', '1:2: parse error: unexpected "="'],
  ['++-++-+-+-<', '1:11: parse error: unexpected <op:<>'],
  ['e-+=/(0)', '1:4: parse error: unexpected "="'],
  ['a>b()', '1:3: parse error: unknown function with name "b"'],
  ['rate(avg)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
  ['`\\``', '1:4: parse error: unterminated raw string'],
  ['"\\', '1:1: parse error: escape sequence not terminated'],
  ['"\\c"', "1:1: parse error: unknown escape sequence U+0063 'c'"],
  ['"\\x."', "1:1: parse error: illegal character U+002E '.' in escape sequence"],
  ['test[5d] OFFSET 10s [10m:5s]', '1:1: parse error: subquery is only allowed on instant vector, got matrix instead'],
  [
    '(foo + bar{nm="val"})[5m:][10m:5s]',
    '1:1: parse error: subquery is only allowed on instant vector, got matrix instead',
  ],
  ['rate(food[1m])[1h] offset 1h', '1:15: parse error: ranges only allowed for vector selectors'],
  ['start()', '1:6: parse error: unexpected "("'],
  ['end()', '1:4: parse error: unexpected "("'],
  ['sum by (test) foo', '1:15: parse error: unexpected identifier "foo" in aggregation'],
  ['sum(foo bar)', '1:9: parse error: unexpected identifier "bar" in aggregation'],
  ['sum(rate(foo bar))', '1:14: parse error: unexpected identifier "bar" in aggregation'],
  ['sum by (a:b) (x)', '1:9: parse error: unexpected metric identifier "a:b" in grouping opts, expected label'],
  ['foo @ start', '1:12: parse error: unexpected end of input in @, expected timestamp'],
  ['foo @ start(1)', '1:13: parse error: unexpected number "1" in @, expected timestamp'],
  ['foo offset 0s', '1:12: parse error: duration must be greater than 0'],
  ['1 + on', '1:7: parse error: unexpected end of input in grouping opts, expected "("'],
  ['sum(x) by', '1:10: parse error: unexpected end of input in grouping opts, expected "("'],
  ['foo{a=~"("}', '1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`'],
  ['clamp(test_clp, , 0)', '1:15: parse error: trailing commas not allowed in function call args'],
  ['@ 3e2', '1:1: parse error: unexpected "<Item 57385>" <op:@>'],
  [
    'foo[10m: @ end()',
    '1:10: parse error: unexpected "<Item 57385>" <op:@> in subquery selector, expected duration or "]"',
  ],
  ['"abc', '1:1: parse error: unterminated quoted string'],
  ["'\\'", '1:1: parse error: unterminated quoted string'],
  ['`abc', '1:1: parse error: unterminated raw string'],
  ['foo{a="b"', '1:10: parse error: unexpected end of input inside braces'],
  ['# just a comment\n\n', '1:1: parse error: no expression found in input'],
  ['foo +\n  bar{a=~"("}', '2:7: parse error: error parsing regexp: missing closing ): `^(?:()$`'],
  ['sum(\n  rate(x[5m]) bar\n)', '2:15: parse error: unexpected identifier "bar" in aggregation'],
  ['foo ! bar', "1:5: parse error: unexpected character after '!': ' '"],
  ['foo ]', "1:5: parse error: unexpected right bracket ']'"],
  ['foo[5m][5m]', '1:8: parse error: ranges only allowed for vector selectors'],
  ['foo @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
  ['foo offset 5m @ 1 offset 1m', '1:1: parse error: offset may not be set multiple times'],
  ['foo[5m] @ start() @ end()', '1:1: parse error: @ <timestamp> may not be set multiple times'],
  ['sum(x)[5m] ', '1:7: parse error: ranges only allowed for vector selectors'],
  ['-foo[5m:] offset 1m [1m]', '1:21: parse error: ranges only allowed for vector selectors'],
  ['foo and on(a) group_left bar', '1:1: parse error: no grouping allowed for "and" operation'],
  ['foo * on(a) group_left(a) bar', '1:5: parse error: label "a" must not occur in ON and GROUP clause at once'],
  ['1 < bool on(a) foo', '1:1: parse error: vector matching only allowed between instant vectors'],
  ['"string" + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
  ['rate(foo[5m]) + foo[5m]', '1:17: parse error: binary expression must contain only scalar and instant vector types'],
  ['abs(foo[5m])', '1:5: parse error: expected type instant vector in call to function "abs", got range vector'],
  [
    'histogram_quantile(foo, bar)',
    '1:20: parse error: expected type scalar in call to function "histogram_quantile", got instant vector',
  ],
  ['round(foo, 1, 2)', '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3'],
  ['scalar(foo) and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  [
    '-"a"',
    '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"',
  ],
  ['quantile("a", foo)', '1:10: parse error: expected type scalar in aggregation parameter, got string'],
  ['sum(foo, bar)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2'],
  [
    'count_values(foo)',
    '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1',
  ],
  ['foo[5m:0s]', '1:8: parse error: duration must be greater than 0'],
  ['foo offset -0s', '1:13: parse error: duration must be greater than 0'],
  ['0x', '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax'],
  ['1e', '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax'],
  ['foo @ 1e20', '1:1: parse error: timestamp out of bounds for @ modifier: 100000000000000000000.000000'],
  ['foo ^ bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo unless ignoring(a) group_right bar', '1:1: parse error: no grouping allowed for "unless" operation'],
  ['atan2', '1:1: parse error: unexpected <op:atan2>'],
  ['foo atan2 on', '1:13: parse error: unexpected end of input in grouping opts, expected "("'],
  ['on', '1:1: parse error: unexpected <on>'],
  ['group_left', '1:1: parse error: unexpected <group_left>'],
  ['foo{a="\\u00e9\\xff"} @ x', '1:23: parse error: unexpected identifier "x" in @, expected timestamp'],
  ['foo and on(without) bar', '1:12: parse error: unexpected <without> in grouping opts, expected label'],
  ['sum by (without) (x)', '1:9: parse error: unexpected <without> in grouping opts, expected label'],
  [
    'node_role * ignoring (role) group_right ',
    '1:41: parse error: unexpected end of input in grouping opts, expected "("',
  ],
  ['a * on(x) group_left on', '1:22: parse error: unexpected <on> in grouping opts, expected "("'],
  ['f(a, on)', '1:4: parse error: trailing commas not allowed in function call args'],
  ['rate(a, , b)', '1:7: parse error: trailing commas not allowed in function call args'],
  ['sum(a, , b)', '1:6: parse error: trailing commas not allowed in function call args'],
  ['rate(a, @)', '1:7: parse error: trailing commas not allowed in function call args'],
  ['"\\udfff"', '1:1: parse error: escape sequence is an invalid Unicode code point'],
  ['{a="\\U00110000"}', '1:4: parse error: escape sequence is an invalid Unicode code point'],
  ['sum by (a:b) (x)', '1:9: parse error: unexpected metric identifier "a:b" in grouping opts, expected label'],
  ['sum(x) by (inf)', '1:12: parse error: unexpected number "inf" in grouping opts, expected label'],
  ['foo offset 5m offset 1m', '1:1: parse error: offset may not be set multiple times'],
  ['foo[5m] offset 1m offset 1m', '1:1: parse error: offset may not be set multiple times'],
  ['foo[5m:] @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
];
