import { describe, expect, it } from 'vitest';
import { lex, tokenDesc, type TokenType } from './lexer.js';

const types = (q: string): string[] =>
  lex(q).map((t) => (t.type === 'ERROR' ? `ERROR(${t.val})` : `${t.type}:${t.val}`));

describe('lexer', () => {
  it.each<[string, string[]]>([
    ['foo', ['IDENTIFIER:foo', 'EOF:']],
    ['foo:bar_1', ['METRIC_IDENTIFIER:foo:bar_1', 'EOF:']],
    [':x', ['METRIC_IDENTIFIER::x', 'EOF:']],
    ['SUM By offset AND atan2', ['SUM:SUM', 'BY:By', 'OFFSET:offset', 'LAND:AND', 'ATAN2:atan2', 'EOF:']],
    ['Inf nan NaN', ['NUMBER:Inf', 'NUMBER:nan', 'NUMBER:NaN', 'EOF:']],
    ['1 0x1f .5 1e-3 5.', ['NUMBER:1', 'NUMBER:0x1f', 'NUMBER:.5', 'NUMBER:1e-3', 'NUMBER:5.', 'EOF:']],
    ['5m 1h30m 500ms 1y2w', ['DURATION:5m', 'DURATION:1h30m', 'DURATION:500ms', 'DURATION:1y2w', 'EOF:']],
    ['"a\\"b" \'c\' `d\\`', ['STRING:"a\\"b"', "STRING:'c'", 'STRING:`d\\`', 'EOF:']],
    ['== != <= < >= > =', ['EQLC:==', 'NEQ:!=', 'LTE:<=', 'LSS:<', 'GTE:>=', 'GTR:>', 'EQL:=', 'EOF:']],
    [
      '{a=~"x",b!~"y",c!="z"}',
      [
        'LEFT_BRACE:{',
        'IDENTIFIER:a',
        'EQL_REGEX:=~',
        'STRING:"x"',
        'COMMA:,',
        'IDENTIFIER:b',
        'NEQ_REGEX:!~',
        'STRING:"y"',
        'COMMA:,',
        'IDENTIFIER:c',
        'NEQ:!=',
        'STRING:"z"',
        'RIGHT_BRACE:}',
        'EOF:',
      ],
    ],
    ['{by="x"}', ['LEFT_BRACE:{', 'IDENTIFIER:by', 'EQL:=', 'STRING:"x"', 'RIGHT_BRACE:}', 'EOF:']],
    [
      'x[5m:1m]',
      ['IDENTIFIER:x', 'LEFT_BRACKET:[', 'DURATION:5m', 'COLON::', 'DURATION:1m', 'RIGHT_BRACKET:]', 'EOF:'],
    ],
    ['x[ 5m ]', ['IDENTIFIER:x', 'LEFT_BRACKET:[', 'DURATION:5m', 'RIGHT_BRACKET:]', 'EOF:']],
    ['x @ start()', ['IDENTIFIER:x', 'AT:@', 'START:start', 'LEFT_PAREN:(', 'RIGHT_PAREN:)', 'EOF:']],
    ['a # comment\n+ b', ['IDENTIFIER:a', 'ADD:+', 'IDENTIFIER:b', 'EOF:']],
    ['+-*/%^', ['ADD:+', 'SUB:-', 'MUL:*', 'DIV:/', 'MOD:%', 'POW:^', 'EOF:']],
  ])('%j', (q, want) => {
    expect(types(q)).toEqual(want);
  });

  it.each<[string, string]>([
    ['0deadbeef', 'bad number or duration syntax: "0de"'],
    ['x[5mm]', 'bad duration syntax: "5mm"'],
    ['x[]', 'missing unit character in duration'],
    ['(', 'unclosed left parenthesis'],
    ['x[5m', 'unclosed left bracket'],
    [')', "unexpected right parenthesis ')'"],
    ['{a="b"', 'unexpected end of input inside braces'],
    ['"abc', 'unterminated quoted string'],
    ['`abc', 'unterminated raw string'],
    ['"\\c"', "unknown escape sequence U+0063 'c'"],
    ['"\\x."', "illegal character U+002E '.' in escape sequence"],
    ['"\\udfff"', 'escape sequence is an invalid Unicode code point'],
    ['$', "unexpected character: '$'"],
    ['1 =~ 1', "unexpected character after '=': '~'"],
    ['x[1m:1m:]', "unexpected colon ':'"],
  ])('error %j', (q, msg) => {
    const toks = lex(q);
    const last = toks[toks.length - 1];
    expect(last?.type).toBe('ERROR');
    expect(last?.val).toBe(msg);
  });

  it('counts positions in UTF-8 bytes, as Prometheus does', () => {
    const toks = lex('{a="é"} + b');
    const b = toks.find((t) => t.val === 'b');
    expect(b?.pos).toBe(11);
  });

  it('describes tokens as Prometheus does in "unexpected" messages', () => {
    const d = (q: string, i = 0): string => {
      const t = lex(q)[i];
      if (!t) throw new Error('no token');
      return tokenDesc(t);
    };
    expect(d('foo')).toBe('identifier "foo"');
    expect(d('a:b')).toBe('metric identifier "a:b"');
    expect(d('by')).toBe('<by>');
    expect(d('*')).toBe('<op:*>');
    expect(d('and')).toBe('<op:and>');
    expect(d('sum')).toBe('<aggr:sum>');
    expect(d('(')).toBe('"("');
    expect(d('start')).toBe('"start"');
    expect(d('@')).toBe('"<Item 57385>" <op:@>');
    expect(d('"abcdefghijkl"')).toBe('string "\\"abcdefghi"...');
    expect(d('')).toBe('end of input');
    const t: TokenType = 'DURATION';
    expect(d('x[5m]', 2)).toBe(`duration "5m"`);
    expect(t).toBe('DURATION');
  });
});
