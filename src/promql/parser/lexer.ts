import { goQuote, goQuoteRune, isPrintable } from '../../gocompat/quote.js';
// The PromQL lexer. It follows Prometheus 2.42's state machine (promql/parser/lex.go) closely,
// because many user-visible error messages ("bad number or duration syntax: \"0de\"") depend on
// exactly how many characters were consumed before the lexer gave up.

export type TokenType =
  | 'EOF'
  | 'ERROR'
  | 'COMMENT'
  | 'IDENTIFIER'
  | 'METRIC_IDENTIFIER'
  | 'NUMBER'
  | 'STRING'
  | 'DURATION'
  | 'LEFT_PAREN'
  | 'RIGHT_PAREN'
  | 'LEFT_BRACE'
  | 'RIGHT_BRACE'
  | 'LEFT_BRACKET'
  | 'RIGHT_BRACKET'
  | 'COMMA'
  | 'EQL'
  | 'COLON'
  // operators
  | 'ADD'
  | 'SUB'
  | 'MUL'
  | 'DIV'
  | 'MOD'
  | 'POW'
  | 'EQLC'
  | 'NEQ'
  | 'LTE'
  | 'LSS'
  | 'GTE'
  | 'GTR'
  | 'EQL_REGEX'
  | 'NEQ_REGEX'
  | 'LAND'
  | 'LOR'
  | 'LUNLESS'
  | 'ATAN2'
  | 'AT'
  // aggregators
  | 'SUM'
  | 'AVG'
  | 'COUNT'
  | 'MIN'
  | 'MAX'
  | 'GROUP'
  | 'STDDEV'
  | 'STDVAR'
  | 'TOPK'
  | 'BOTTOMK'
  | 'COUNT_VALUES'
  | 'QUANTILE'
  // keywords
  | 'OFFSET'
  | 'BY'
  | 'WITHOUT'
  | 'ON'
  | 'IGNORING'
  | 'GROUP_LEFT'
  | 'GROUP_RIGHT'
  | 'BOOL'
  // preprocessors
  | 'START'
  | 'END';

export interface Token {
  readonly type: TokenType;
  /** raw text (for ERROR: the error message) */
  readonly val: string;
  /** byte offset of the token's start in the UTF-8 encoded query, as Prometheus counts */
  readonly pos: number;
  /** byte offset just past the token */
  readonly end: number;
}

const OPERATORS = new Set<TokenType>([
  'ADD',
  'SUB',
  'MUL',
  'DIV',
  'MOD',
  'POW',
  'EQLC',
  'NEQ',
  'LTE',
  'LSS',
  'GTE',
  'GTR',
  'EQL_REGEX',
  'NEQ_REGEX',
  'LAND',
  'LOR',
  'LUNLESS',
  'ATAN2',
  'AT',
]);
const AGGREGATORS = new Set<TokenType>([
  'SUM',
  'AVG',
  'COUNT',
  'MIN',
  'MAX',
  'GROUP',
  'STDDEV',
  'STDVAR',
  'TOPK',
  'BOTTOMK',
  'COUNT_VALUES',
  'QUANTILE',
]);
const KEYWORDS = new Set<TokenType>(['OFFSET', 'BY', 'WITHOUT', 'ON', 'IGNORING', 'GROUP_LEFT', 'GROUP_RIGHT', 'BOOL']);

export const isOperatorToken = (t: TokenType): boolean => OPERATORS.has(t);
export const isAggregatorToken = (t: TokenType): boolean => AGGREGATORS.has(t);
export const isKeywordToken = (t: TokenType): boolean => KEYWORDS.has(t);

/** Words the lexer turns into keyword tokens (matched case-insensitively, as Prometheus does). */
const KEY: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ['and', 'LAND'],
  ['or', 'LOR'],
  ['unless', 'LUNLESS'],
  ['atan2', 'ATAN2'],
  ['sum', 'SUM'],
  ['avg', 'AVG'],
  ['count', 'COUNT'],
  ['min', 'MIN'],
  ['max', 'MAX'],
  ['group', 'GROUP'],
  ['stddev', 'STDDEV'],
  ['stdvar', 'STDVAR'],
  ['topk', 'TOPK'],
  ['bottomk', 'BOTTOMK'],
  ['count_values', 'COUNT_VALUES'],
  ['quantile', 'QUANTILE'],
  ['offset', 'OFFSET'],
  ['by', 'BY'],
  ['without', 'WITHOUT'],
  ['on', 'ON'],
  ['ignoring', 'IGNORING'],
  ['group_left', 'GROUP_LEFT'],
  ['group_right', 'GROUP_RIGHT'],
  ['bool', 'BOOL'],
  ['start', 'START'],
  ['end', 'END'],
  ['inf', 'NUMBER'],
  ['nan', 'NUMBER'],
]);

/** Token types that have a fixed spelling in Prometheus's ItemTypeStr (used by error descriptions). */
const FIXED = new Set<TokenType>([
  'LEFT_PAREN',
  'RIGHT_PAREN',
  'LEFT_BRACE',
  'RIGHT_BRACE',
  'LEFT_BRACKET',
  'RIGHT_BRACKET',
  'COMMA',
  'EQL',
  'COLON',
  'START',
  'END',
  ...OPERATORS,
  ...AGGREGATORS,
  ...KEYWORDS,
]);

/** Go's fmt %#U of a rune: U+0063 'c' */
function goUnicodeRune(cp: number): string {
  if (cp < 0) cp = 0xfffd;
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return isPrintable(cp) ? `${hex} '${String.fromCodePoint(cp)}'` : hex;
}

/** Prometheus's Item.desc(): how a token is named in "unexpected ..." messages. */
export function tokenDesc(t: Token): string {
  if (t.type === 'EOF') return 'end of input';
  // '@' is missing from Prometheus's ItemTypeStr, so it is described by its raw yacc token number.
  if (t.type === 'AT') return `"<Item 57385>" ${tokenString(t)}`;
  if (FIXED.has(t.type)) return tokenString(t);
  const kind: Partial<Record<TokenType, string>> = {
    ERROR: 'error',
    COMMENT: 'comment',
    IDENTIFIER: 'identifier',
    METRIC_IDENTIFIER: 'metric identifier',
    STRING: 'string',
    NUMBER: 'number',
    DURATION: 'duration',
  };
  return `${kind[t.type] ?? t.type} ${tokenString(t)}`;
}

/** Prometheus's Item.String() */
function tokenString(t: Token): string {
  if (t.type === 'EOF') return 'EOF';
  if (t.type === 'ERROR') return t.val;
  if (t.type === 'IDENTIFIER' || t.type === 'METRIC_IDENTIFIER') return goQuote(t.val);
  if (isKeywordToken(t.type)) return `<${t.val}>`;
  if (isOperatorToken(t.type)) return `<op:${t.val}>`;
  if (isAggregatorToken(t.type)) return `<aggr:${t.val}>`;
  // Prometheus tests the length in bytes, while Go's %.10q truncates to 10 runes before quoting.
  if (Buffer.byteLength(t.val, 'utf8') > 10) return goQuote([...t.val].slice(0, 10).join('')) + '...';
  return goQuote(t.val);
}

// ---------------------------------------------------------------------------------------------

const EOF_RUNE = -1;
const RUNE_ERROR = 0xfffd;

const isSpace = (r: number): boolean => r === 0x20 || r === 0x09 || r === 0x0a || r === 0x0d;
const isEndOfLine = (r: number): boolean => r === 0x0d || r === 0x0a;
const isDigit = (r: number): boolean => r >= 0x30 && r <= 0x39;
const isAlpha = (r: number): boolean => r === 0x5f || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
const isAlphaNumeric = (r: number): boolean => isAlpha(r) || isDigit(r);

/** Whether s is a valid label name. */
export function isLabelName(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (i === 0 ? !isAlpha(c) : !isAlphaNumeric(c)) return false;
  }
  return true;
}

type StateFn = ((l: Lexer) => StateFn) | null;

/** A lexer over the whole input; `tokens()` returns every token up to and including EOF or the first ERROR. */
export class Lexer {
  private pos = 0; // UTF-16 index
  private start = 0;
  private width = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private gotColon = false;
  private stringOpen = 0;
  private emitted: Token | undefined;
  private state: StateFn = lexStatements;
  /** byte offsets of each UTF-16 index, only for non-ASCII input */
  private readonly byteAt: Int32Array | undefined;

  constructor(readonly input: string) {
    if (/[^\x00-\x7f]/.test(input)) {
      const map = new Int32Array(input.length + 1);
      let b = 0;
      for (let i = 0; i < input.length; i++) {
        map[i] = b;
        const c = input.charCodeAt(i);
        if (c < 0x80) b += 1;
        else if (c < 0x800) b += 2;
        else if (c >= 0xd800 && c < 0xdc00 && (input.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
          // surrogate pair: 4 bytes for the pair, counted on the high half
          map[i + 1] = b + 4;
          b += 4;
          i++;
          continue;
        } else b += 3;
      }
      map[input.length] = b;
      this.byteAt = map;
    }
  }

  byteOffset(i: number): number {
    return this.byteAt ? (this.byteAt[i] ?? 0) : i;
  }

  /** All tokens except comments, ending with EOF or ERROR. */
  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const t = this.nextItem();
      if (t.type === 'COMMENT') continue;
      out.push(t);
      if (t.type === 'EOF' || t.type === 'ERROR') return out;
    }
  }

  nextItem(): Token {
    this.emitted = undefined;
    if (this.state === null) {
      this.emit('EOF');
    } else {
      while (this.emitted === undefined && this.state !== null) this.state = this.state(this);
      if (this.emitted === undefined) this.emit('EOF');
    }
    return this.emitted as unknown as Token;
  }

  // --- primitives mirroring lex.go ---
  next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF_RUNE;
    }
    const cp = this.input.codePointAt(this.pos) ?? EOF_RUNE;
    this.width = cp > 0xffff ? 2 : 1;
    this.pos += this.width;
    // A lone surrogate is what invalid UTF-8 becomes here; Go decodes that as RuneError (U+FFFD).
    return cp >= 0xd800 && cp < 0xe000 ? RUNE_ERROR : cp;
  }
  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }
  backup(): void {
    this.pos -= this.width;
  }
  emit(type: TokenType): void {
    this.emitted = {
      type,
      val: this.input.slice(this.start, this.pos),
      pos: this.byteOffset(this.start),
      end: this.byteOffset(this.pos),
    };
    this.start = this.pos;
  }
  ignore(): void {
    this.start = this.pos;
  }
  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF_RUNE && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }
  acceptRun(valid: string): void {
    while (this.accept(valid)) {
      /* consume */
    }
  }
  errorf(msg: string): StateFn {
    this.emitted = {
      type: 'ERROR',
      val: msg,
      pos: this.byteOffset(this.start),
      end: this.byteOffset(this.input.length),
    };
    return null;
  }
  atComment(): boolean {
    return this.input.startsWith('#', this.pos);
  }
  text(): string {
    return this.input.slice(this.start, this.pos);
  }

  // --- state accessors for the state functions below ---
  get parens(): number {
    return this.parenDepth;
  }
  set parens(n: number) {
    this.parenDepth = n;
  }
  get inBraces(): boolean {
    return this.braceOpen;
  }
  set inBraces(b: boolean) {
    this.braceOpen = b;
  }
  get inBrackets(): boolean {
    return this.bracketOpen;
  }
  set inBrackets(b: boolean) {
    this.bracketOpen = b;
  }
  get colonSeen(): boolean {
    return this.gotColon;
  }
  set colonSeen(b: boolean) {
    this.gotColon = b;
  }
  get quote(): number {
    return this.stringOpen;
  }
  set quote(q: number) {
    this.stringOpen = q;
  }

  /** scanNumber of lex.go: true when what was scanned is followed by a non-alphanumeric. */
  scanNumber(): boolean {
    let digits = '0123456789';
    if (this.accept('0') && this.accept('xX')) digits = '0123456789abcdefABCDEF';
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789');
    }
    return !isAlphaNumeric(this.peek());
  }

  acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s'); // "ms"; bad units like "hs" are caught by parseDuration
    while (this.accept('0123456789')) {
      while (this.accept('0123456789')) {
        /* digits */
      }
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    return !isAlphaNumeric(this.next());
  }
}

function lexStatements(l: Lexer): StateFn {
  if (l.inBraces) return lexInsideBraces;
  if (l.atComment()) return lexLineComment;
  const r = l.next();
  if (r === EOF_RUNE) {
    if (l.parens !== 0) return l.errorf('unclosed left parenthesis');
    if (l.inBrackets) return l.errorf('unclosed left bracket');
    l.emit('EOF');
    return null;
  }
  const c = String.fromCodePoint(r);
  switch (c) {
    case ',':
      l.emit('COMMA');
      return lexStatements;
    case '*':
      l.emit('MUL');
      return lexStatements;
    case '/':
      l.emit('DIV');
      return lexStatements;
    case '%':
      l.emit('MOD');
      return lexStatements;
    case '+':
      l.emit('ADD');
      return lexStatements;
    case '-':
      l.emit('SUB');
      return lexStatements;
    case '^':
      l.emit('POW');
      return lexStatements;
    case '=': {
      const t = l.peek();
      if (t === 0x3d) {
        l.next();
        l.emit('EQLC');
      } else if (t === 0x7e) {
        return l.errorf(`unexpected character after '=': ${goQuoteRune(t)}`);
      } else l.emit('EQL');
      return lexStatements;
    }
    case '!': {
      const t = l.next();
      if (t === 0x3d) {
        l.emit('NEQ');
        return lexStatements;
      }
      return l.errorf(`unexpected character after '!': ${goQuoteRune(t)}`);
    }
    case '<':
      if (l.peek() === 0x3d) {
        l.next();
        l.emit('LTE');
      } else l.emit('LSS');
      return lexStatements;
    case '>':
      if (l.peek() === 0x3d) {
        l.next();
        l.emit('GTE');
      } else l.emit('GTR');
      return lexStatements;
    case '"':
    case "'":
      l.quote = r;
      return lexString;
    case '`':
      l.quote = r;
      return lexRawString;
    case '(':
      l.emit('LEFT_PAREN');
      l.parens++;
      return lexStatements;
    case ')':
      l.emit('RIGHT_PAREN');
      l.parens--;
      if (l.parens < 0) return l.errorf(`unexpected right parenthesis ${goQuoteRune(r)}`);
      return lexStatements;
    case '{':
      l.emit('LEFT_BRACE');
      l.inBraces = true;
      return lexInsideBraces;
    case '[':
      if (l.inBrackets) return l.errorf(`unexpected left bracket ${goQuoteRune(r)}`);
      l.colonSeen = false;
      l.emit('LEFT_BRACKET');
      if (isSpace(l.peek())) skipSpaces(l);
      l.inBrackets = true;
      return lexDuration;
    case ']':
      if (!l.inBrackets) return l.errorf(`unexpected right bracket ${goQuoteRune(r)}`);
      l.emit('RIGHT_BRACKET');
      l.inBrackets = false;
      return lexStatements;
    case '@':
      l.emit('AT');
      return lexStatements;
  }
  if (isSpace(r)) return lexSpace;
  if (isDigit(r) || (r === 0x2e && isDigit(l.peek()))) {
    l.backup();
    return lexNumberOrDuration;
  }
  if (isAlpha(r) || r === 0x3a) {
    if (!l.inBrackets) {
      l.backup();
      return lexKeywordOrIdentifier;
    }
    // Inside brackets any letter or ':' separates range and step (a Prometheus quirk).
    if (l.colonSeen) return l.errorf(`unexpected colon ${goQuoteRune(r)}`);
    l.emit('COLON');
    l.colonSeen = true;
    return lexStatements;
  }
  return l.errorf(`unexpected character: ${goQuoteRune(r)}`);
}

function lexInsideBraces(l: Lexer): StateFn {
  if (l.atComment()) return lexLineComment;
  const r = l.next();
  if (r === EOF_RUNE) return l.errorf('unexpected end of input inside braces');
  if (isSpace(r)) return lexSpace;
  if (isAlpha(r)) {
    l.backup();
    return lexIdentifier;
  }
  switch (String.fromCodePoint(r)) {
    case ',':
      l.emit('COMMA');
      return lexInsideBraces;
    case '"':
    case "'":
      l.quote = r;
      return lexString;
    case '`':
      l.quote = r;
      return lexRawString;
    case '=':
      if (l.next() === 0x7e) {
        l.emit('EQL_REGEX');
      } else {
        l.backup();
        l.emit('EQL');
      }
      return lexInsideBraces;
    case '!': {
      const nr = l.next();
      if (nr === 0x7e) l.emit('NEQ_REGEX');
      else if (nr === 0x3d) l.emit('NEQ');
      else return l.errorf(`unexpected character after '!' inside braces: ${goQuoteRune(nr)}`);
      return lexInsideBraces;
    }
    case '{':
      return l.errorf(`unexpected left brace ${goQuoteRune(r)}`);
    case '}':
      l.emit('RIGHT_BRACE');
      l.inBraces = false;
      return lexStatements;
  }
  return l.errorf(`unexpected character inside braces: ${goQuoteRune(r)}`);
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16;
}

/** Validates an escape sequence; the backslash has been consumed. */
function lexEscape(l: Lexer): StateFn {
  let ch = l.next();
  let n: number;
  let base: number;
  let max: number;
  if (ch !== EOF_RUNE && ('abfnrtv\\'.includes(String.fromCodePoint(ch)) || ch === l.quote)) return lexString;
  switch (ch) {
    case EOF_RUNE:
      return l.errorf('escape sequence not terminated');
    case 0x78: // x
      ch = l.next();
      [n, base, max] = [2, 16, 255];
      break;
    case 0x75: // u
      ch = l.next();
      [n, base, max] = [4, 16, 0x10ffff];
      break;
    case 0x55: // U
      ch = l.next();
      [n, base, max] = [8, 16, 0x10ffff];
      break;
    default:
      if (ch >= 0x30 && ch <= 0x37) {
        [n, base, max] = [3, 8, 255];
        break;
      }
      return l.errorf(`unknown escape sequence ${goUnicodeRune(ch)}`);
  }
  let x = 0;
  while (n > 0) {
    const d = digitVal(ch);
    if (d >= base) {
      if (ch === EOF_RUNE) return l.errorf('escape sequence not terminated');
      return l.errorf(`illegal character ${goUnicodeRune(ch)} in escape sequence`);
    }
    x = x * base + d;
    n--;
    if (n > 0) ch = l.next();
  }
  if (x > max || (x >= 0xd800 && x < 0xe000)) return l.errorf('escape sequence is an invalid Unicode code point');
  return lexString;
}

function skipSpaces(l: Lexer): void {
  while (isSpace(l.peek())) l.next();
  l.ignore();
}

function lexString(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === 0x5c) return lexEscape;
    // Go cannot tell U+FFFD from an invalid byte, so Prometheus rejects both inside strings.
    if (r === RUNE_ERROR) return l.errorf('invalid UTF-8 rune');
    if (r === EOF_RUNE || r === 0x0a) return l.errorf('unterminated quoted string');
    if (r === l.quote) break;
  }
  l.emit('STRING');
  return lexStatements;
}

function lexRawString(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === RUNE_ERROR) return l.errorf('invalid UTF-8 rune');
    if (r === EOF_RUNE) return l.errorf('unterminated raw string');
    if (r === l.quote) break;
  }
  l.emit('STRING');
  return lexStatements;
}

function lexSpace(l: Lexer): StateFn {
  while (isSpace(l.peek())) l.next();
  l.ignore();
  return lexStatements;
}

function lexLineComment(l: Lexer): StateFn {
  l.next(); // '#'
  let r = l.next();
  while (!isEndOfLine(r) && r !== EOF_RUNE) r = l.next();
  l.backup();
  l.emit('COMMENT');
  return lexStatements;
}

function lexDuration(l: Lexer): StateFn {
  if (l.scanNumber()) return l.errorf('missing unit character in duration');
  if (!l.acceptRemainingDuration()) return l.errorf(`bad duration syntax: ${goQuote(l.text())}`);
  l.backup();
  l.emit('DURATION');
  return lexStatements;
}

function lexNumberOrDuration(l: Lexer): StateFn {
  if (l.scanNumber()) {
    l.emit('NUMBER');
    return lexStatements;
  }
  if (l.acceptRemainingDuration()) {
    l.backup();
    l.emit('DURATION');
    return lexStatements;
  }
  return l.errorf(`bad number or duration syntax: ${goQuote(l.text())}`);
}

function lexIdentifier(l: Lexer): StateFn {
  while (isAlphaNumeric(l.next())) {
    /* absorb */
  }
  l.backup();
  l.emit('IDENTIFIER');
  return lexStatements;
}

function lexKeywordOrIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r) || r === 0x3a) continue;
    l.backup();
    const word = l.text();
    const kw = KEY.get(word.toLowerCase());
    if (kw !== undefined) l.emit(kw);
    else if (!word.includes(':')) l.emit('IDENTIFIER');
    else l.emit('METRIC_IDENTIFIER');
    return lexStatements;
  }
}

/** Lexes the whole input (comments dropped), ending with EOF or the first ERROR token. */
export function lex(input: string): Token[] {
  return new Lexer(input).tokens();
}
