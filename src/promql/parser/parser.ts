// The PromQL parser: a recursive-descent / precedence-climbing parser that accepts what
// Prometheus 2.42's yacc grammar (promql/parser/generated_parser.y) accepts, builds the AST of
// ast.ts, and then type-checks it as Prometheus's checkAST does. Error messages, their order
// (only the first is reported) and their positions follow Prometheus, because API clients and
// the conformance tests compare them.
import { BadRegexError, newMatcher, type Matcher, type MatchType } from '../../labels/matcher.js';
import type {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryExpr,
  BinaryOp,
  Call,
  Expr,
  MatrixSelector,
  NumberLiteral,
  ParseErrorPosition,
  PosRange,
  SubqueryExpr,
  ValueType,
  VectorMatchCardinality,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import { children } from './ast.js';
import { getFunction } from './functions.js';
import { DurationError, parseDuration } from './format.js';
import { isLabelName, Lexer, tokenDesc, type Token, type TokenType } from './lexer.js';
import { formatFloatFixed } from '../../gocompat/float.js';
import { goQuote } from '../../gocompat/quote.js';

export { parseDuration, formatDuration } from './format.js';
export { exprToString } from './printer.js';

/** A parse or type-check error; `message` is Prometheus's "<line>:<col>: parse error: <msg>". */
export class ParseError extends Error implements ParseErrorPosition {
  /** the bare message, without position prefix */
  readonly err: string;
  constructor(
    readonly positionRange: PosRange,
    err: string,
    readonly query: string,
  ) {
    super(formatParseError(positionRange, err, query));
    this.name = 'ParseError';
    this.err = err;
  }

  /** ast.ts's ParseErrorPosition shape */
  get pos(): PosRange {
    return this.positionRange;
  }
}

function formatParseError(pos: PosRange, err: string, query: string): string {
  const bytes = Buffer.from(query, 'utf8');
  const p = pos.start;
  if (p < 0 || p > bytes.length) return `invalid position: parse error: ${err}`;
  let line = 1;
  let lastLineBreak = -1;
  for (let i = 0; i < p; i++) {
    if (bytes[i] === 0x0a) {
      lastLineBreak = i;
      line++;
    }
  }
  return `${line}:${p - lastLineBreak}: parse error: ${err}`;
}

/** Internal: unwinds the parser at the first error (only the first one is ever reported). */
class Abort extends Error {
  constructor(
    readonly pos: PosRange,
    readonly msg: string,
  ) {
    super(msg);
  }
}

const BINARY_PRECEDENCE: Partial<Record<TokenType, number>> = {
  LOR: 1,
  LAND: 2,
  LUNLESS: 2,
  EQLC: 3,
  NEQ: 3,
  LTE: 3,
  LSS: 3,
  GTE: 3,
  GTR: 3,
  ADD: 4,
  SUB: 4,
  MUL: 5,
  DIV: 5,
  MOD: 5,
  ATAN2: 5,
  POW: 6,
};
const MUL_PRECEDENCE = 5;

const BINARY_OPS: Partial<Record<TokenType, BinaryOp>> = {
  LOR: 'or',
  LAND: 'and',
  LUNLESS: 'unless',
  EQLC: '==',
  NEQ: '!=',
  LTE: '<=',
  LSS: '<',
  GTE: '>=',
  GTR: '>',
  ADD: '+',
  SUB: '-',
  MUL: '*',
  DIV: '/',
  MOD: '%',
  ATAN2: 'atan2',
  POW: '^',
};

const AGGREGATE_OPS: Partial<Record<TokenType, AggregateOp>> = {
  SUM: 'sum',
  AVG: 'avg',
  COUNT: 'count',
  MIN: 'min',
  MAX: 'max',
  GROUP: 'group',
  STDDEV: 'stddev',
  STDVAR: 'stdvar',
  TOPK: 'topk',
  BOTTOMK: 'bottomk',
  COUNT_VALUES: 'count_values',
  QUANTILE: 'quantile',
};

/** Tokens the grammar accepts as a metric name (metric_identifier): keywords included. */
const METRIC_IDENTIFIER_TOKENS = new Set<TokenType>([
  'IDENTIFIER',
  'METRIC_IDENTIFIER',
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
  'BY',
  'WITHOUT',
  'OFFSET',
  'LAND',
  'LOR',
  'LUNLESS',
  'START',
  'END',
]);

/** Tokens that can begin an expression. */
const EXPR_START_TOKENS = new Set<TokenType>([
  ...METRIC_IDENTIFIER_TOKENS,
  'NUMBER',
  'STRING',
  'LEFT_PAREN',
  'LEFT_BRACE',
  'ADD',
  'SUB',
]);

/** Tokens accepted as a label name in by/without/on/ignoring/group_x lists (maybe_label). */
const MAYBE_LABEL_TOKENS = new Set<TokenType>([
  ...[...METRIC_IDENTIFIER_TOKENS].filter((t) => t !== 'WITHOUT'), // 'without' is not in Prometheus's list
  'BOOL',
  'GROUP_LEFT',
  'GROUP_RIGHT',
  'IGNORING',
  'ON',
  'ATAN2',
]);

const MATCH_OPS: Partial<Record<TokenType, MatchType>> = {
  EQL: '=',
  NEQ: '!=',
  EQL_REGEX: '=~',
  NEQ_REGEX: '!~',
};

const CLOSING = new Set<TokenType>(['RIGHT_BRACE', 'RIGHT_PAREN', 'RIGHT_BRACKET', 'DURATION', 'NUMBER']);

const COMPARISON_OPS = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);

/** The modifiers as written, kept aside for checkAST (the AST keeps only what the engine needs). */
interface BinaryModifiers {
  readonly returnBool: boolean;
  readonly card: VectorMatchCardinality;
  readonly on: boolean;
  readonly matchingLabels: readonly string[];
  readonly include: readonly string[];
}

/** Prometheus's DocumentedType */
function documentedType(t: ValueType): string {
  if (t === 'vector') return 'instant vector';
  if (t === 'matrix') return 'range vector';
  return t;
}

/** The value type an expression evaluates to (Prometheus's Expr.Type()). */
export function exprType(e: Expr): ValueType {
  return computeType(e, undefined);
}

/** Types of nodes; `cache` (one parse's) keeps long operator chains linear instead of quadratic. */
function computeType(e: Expr, cache: Map<Expr, ValueType> | undefined): ValueType {
  const hit = cache?.get(e);
  if (hit !== undefined) return hit;
  switch (e.type) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'Call':
      return getFunction(e.func)?.returnType ?? 'none';
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'StepInvariantExpr':
      return computeType(e.expr, cache);
    case 'BinaryExpr': {
      // Scalar only if every operand along the (iteratively walked) left spine is scalar.
      let cur: Expr = e;
      while (cur.type === 'BinaryExpr') {
        if (computeType(cur.rhs, cache) !== 'scalar') return 'vector';
        const next: Expr = cur.lhs;
        const known = cache?.get(next);
        if (known !== undefined) return known === 'scalar' ? 'scalar' : 'vector';
        cur = next;
      }
      return computeType(cur, cache) === 'scalar' ? 'scalar' : 'vector';
    }
  }
}

/** Go's strconv.ParseInt(s, 0, 64), falling back to ParseFloat, as Prometheus reads number literals. */
function parseGoNumber(s: string): number | string {
  const intRe = /^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|[1-9][0-9]*|0[bB][01]+)$/;
  if (intRe.test(s)) {
    let body = s.replace(/^[+-]/, '');
    const neg = s.startsWith('-');
    let n: bigint;
    if (/^0[xXbBoO]/.test(body)) n = BigInt(body.toLowerCase());
    else if (body.length > 1 && body.startsWith('0')) {
      body = body.slice(1);
      n = BigInt('0o' + body);
    } else n = BigInt(body);
    if (neg) n = -n;
    if (n <= 9223372036854775807n && n >= -9223372036854775808n) return Number(n);
    // Out of int64 range: Go falls back to ParseFloat, which rejects hex without exponent.
    if (/^[+-]?0[xXoObB]/.test(s)) return `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`;
  }
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    return `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`;
  }
  const v = Number(s);
  if (!Number.isFinite(v)) return `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`;
  return v;
}

/** Prometheus's strutil.Unquote for "...", '...' and `...` literals (Go escape sequences). */
function unquoteString(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0];
  if (q !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (q === '`') return body.includes('`') ? undefined : body;
  if (q !== '"' && q !== "'") return undefined;
  if (body.includes('\n')) return undefined;
  if (!body.includes('\\') && !body.includes(q)) return body;
  // \x and octal escapes produce bytes, so build UTF-8 bytes and decode at the end.
  const bytes: number[] = [];
  const pushStr = (str: string): void => {
    for (const b of Buffer.from(str, 'utf8')) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i] ?? '';
    if (c === q) return undefined;
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      pushStr(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        bytes.push(7);
        break;
      case 'b':
        bytes.push(8);
        break;
      case 'f':
        bytes.push(12);
        break;
      case 'n':
        bytes.push(10);
        break;
      case 'r':
        bytes.push(13);
        break;
      case 't':
        bytes.push(9);
        break;
      case 'v':
        bytes.push(11);
        break;
      case '\\':
        bytes.push(0x5c);
        break;
      case "'":
      case '"':
        if (e !== q) return undefined;
        bytes.push(e.charCodeAt(0));
        break;
      case 'x': {
        const h = body.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return undefined;
        bytes.push(parseInt(h, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const h = body.slice(i, i + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) return undefined;
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return undefined;
        pushStr(String.fromCodePoint(cp));
        i += n;
        break;
      }
      default: {
        const o = (e ?? '') + body.slice(i, i + 2);
        if (!/^[0-7]{3}$/.test(o)) return undefined;
        const v = parseInt(o, 8);
        if (v > 255) return undefined;
        bytes.push(v);
        i += 2;
      }
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The deepest nesting accepted. The parser, the type checker and the evaluator recurse once per
 * level or more, and on Node's default stack they overflowed between 750 and 1,500 levels
 * depending on the node kinds and the JIT (a 500 or a 422); 512 leaves a margin of two. The left
 * operand of a binary operator does not count as a level: every stage walks left-associative
 * chains (1+1+...+1, a or b or c ...) in a loop, so they may be as long as Prometheus allows.
 */
export const MAX_EXPR_DEPTH = 512;

const TOO_DEEP = `expression nested too deeply (the limit is ${MAX_EXPR_DEPTH} levels)`;

/** The node at which the nesting grows deeper than `limit`, found without recursion, or undefined. */
function nodeBeyondDepth(root: Expr, limit: number): Expr | undefined {
  const stack: [Expr, number][] = [[root, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [e, depth] = item;
    if (depth > limit) return e;
    if (e.type === 'BinaryExpr') {
      stack.push([e.lhs, depth], [e.rhs, depth + 1]);
      continue;
    }
    for (const c of children(e)) stack.push([c, depth + 1]);
  }
  return undefined;
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  /** parseBinary calls in progress: the parser's own recursion, bounded like the tree's depth */
  private nesting = 0;
  private lastClosing = 0;
  /** how many aggregations enclose the current position: yacc's error recovery then says "in aggregation" */
  private aggDepth = 0;
  // Per-parse side tables (plain Maps: global WeakMaps make every GC slower).
  private readonly modifiers = new Map<BinaryExpr, BinaryModifiers>();
  private readonly types = new Map<Expr, ValueType>();
  private bytesCache: Buffer | undefined;

  constructor(readonly input: string) {
    this.tokens = new Lexer(input).tokens();
  }

  private get bytes(): Buffer {
    this.bytesCache ??= Buffer.from(this.input, 'utf8');
    return this.bytesCache;
  }

  private typeOf(e: Expr): ValueType {
    let t = this.types.get(e);
    if (t === undefined) {
      t = computeType(e, this.types);
      this.types.set(e, t);
    }
    return t;
  }

  // --- token stream ---

  private peek(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1];
    if (t === undefined) throw new Abort({ start: 0, end: 0 }, 'no tokens');
    // A lexer error surfaces when the parser reads that token, as in Prometheus.
    if (t.type === 'ERROR') throw new Abort({ start: t.pos, end: t.end }, t.val);
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'EOF') this.i++;
    if (CLOSING.has(t.type)) this.lastClosing = t.end;
    return t;
  }

  private peekAhead(n: number): Token | undefined {
    return this.tokens[this.i + n];
  }

  private fail(pos: PosRange, msg: string): never {
    throw new Abort(pos, msg);
  }

  /** Prometheus's parser.unexpected(context, expected) for the current lookahead token. */
  private unexpected(context: string, expected: string, tok: Token = this.peek()): never {
    let msg = `unexpected ${tokenDesc(tok)}`;
    if (context !== '') msg += ` in ${context}`;
    if (expected !== '') msg += `, expected ${expected}`;
    this.fail({ start: tok.pos, end: tok.end }, msg);
  }

  /** The fallback syntax error: the innermost aggregation or the start rule catches it. */
  private unexpectedHere(): never {
    this.unexpected(this.aggDepth > 0 ? 'aggregation' : '', '');
  }

  // --- entry points ---

  parseExpr(): Expr {
    if (this.peek().type === 'EOF') this.fail({ start: 0, end: 0 }, 'no expression found in input');
    const e = this.parseBinary(0);
    if (this.peek().type !== 'EOF') this.unexpectedHere();
    // Type errors first, as Prometheus reports them; then the nesting that chains and postfix
    // subqueries reach without recursion in the parser.
    this.checkAST(e);
    const deep = nodeBeyondDepth(e, MAX_EXPR_DEPTH);
    if (deep) this.fail(deep.pos, TOO_DEEP);
    return e;
  }

  parseMetricSelector(): VectorSelector {
    const t = this.peek();
    let vs: VectorSelector;
    if (METRIC_IDENTIFIER_TOKENS.has(t.type)) vs = this.parseVectorSelector(this.next());
    else if (t.type === 'LEFT_BRACE') vs = this.parseVectorSelector(undefined);
    else this.unexpectedHere();
    if (this.peek().type !== 'EOF') this.unexpectedHere();
    return vs;
  }

  // --- expressions ---

  private parseBinary(minPrec: number): Expr {
    if (this.nesting >= MAX_EXPR_DEPTH) {
      const t = this.peek();
      this.fail({ start: t.pos, end: t.end }, TOO_DEEP);
    }
    this.nesting++;
    try {
      return this.parseBinaryOperands(minPrec);
    } finally {
      this.nesting--;
    }
  }

  private parseBinaryOperands(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const opTok = this.peek();
      const prec = BINARY_PRECEDENCE[opTok.type];
      const op = BINARY_OPS[opTok.type];
      if (prec === undefined || op === undefined || prec < minPrec) return lhs;
      this.next();
      const mods = this.parseBinModifiers();
      // '^' is right-associative, everything else left-associative.
      const rhs = this.parseBinary(op === '^' ? prec : prec + 1);
      lhs = this.newBinary(lhs, op, mods, rhs);
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.type !== 'ADD' && t.type !== 'SUB') return this.parsePostfix(this.parsePrimary());
    this.next();
    // A unary operator binds like '*': its operand takes in only '^' (so -1^2 is -(1^2)).
    const operand = this.parseBinary(MUL_PRECEDENCE + 1);
    if (operand.type === 'NumberLiteral') {
      const val = t.type === 'SUB' ? -operand.val : operand.val;
      const folded: NumberLiteral = { type: 'NumberLiteral', val, pos: { start: t.pos, end: operand.pos.end } };
      return folded;
    }
    return {
      type: 'UnaryExpr',
      op: t.type === 'SUB' ? '-' : '+',
      expr: operand,
      pos: { start: t.pos, end: operand.pos.end },
    };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'NUMBER': {
        this.next();
        const v = parseGoNumber(t.val);
        if (typeof v === 'string') this.fail({ start: t.pos, end: t.end }, `error parsing number: ${v}`);
        return { type: 'NumberLiteral', val: v, pos: { start: t.pos, end: t.end } };
      }
      case 'STRING': {
        this.next();
        return { type: 'StringLiteral', val: this.unquote(t), pos: { start: t.pos, end: t.end } };
      }
      case 'LEFT_PAREN': {
        this.next();
        const inner = this.parseBinary(0);
        const close = this.peek();
        if (close.type !== 'RIGHT_PAREN') this.unexpectedHere();
        this.next();
        return { type: 'ParenExpr', expr: inner, pos: { start: t.pos, end: close.end } };
      }
      case 'LEFT_BRACE':
        return this.parseVectorSelector(undefined);
      case 'IDENTIFIER':
        if (this.peekAhead(1)?.type === 'LEFT_PAREN') return this.parseCall();
        return this.parseVectorSelector(this.next());
      default: {
        const aggOp = AGGREGATE_OPS[t.type];
        if (aggOp !== undefined) {
          const after = this.peekAhead(1)?.type;
          if (after === 'LEFT_PAREN' || after === 'BY' || after === 'WITHOUT') return this.parseAggregate(aggOp);
        }
        if (METRIC_IDENTIFIER_TOKENS.has(t.type)) return this.parseVectorSelector(this.next());
        return this.unexpectedHere();
      }
    }
  }

  /** Range and subquery brackets, offset and @ bind tighter than any binary operator. */
  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.type === 'LEFT_BRACKET') e = this.parseRangeOrSubquery(e);
      else if (t.type === 'OFFSET') e = this.parseOffset(e);
      else if (t.type === 'AT') e = this.parseAt(e);
      else return e;
    }
  }

  private parseDurationToken(t: Token): number {
    try {
      const d = parseDuration(t.val);
      if (d === 0) this.fail({ start: t.pos, end: t.end }, 'duration must be greater than 0');
      return d;
    } catch (err) {
      if (err instanceof DurationError) this.fail({ start: t.pos, end: t.end }, err.message);
      throw err;
    }
  }

  private parseRangeOrSubquery(e: Expr): Expr {
    const lb = this.next();
    const rt = this.peek();
    if (rt.type !== 'DURATION') this.unexpected('subquery selector', 'duration');
    this.next();
    const range = this.parseDurationToken(rt);
    const t = this.peek();
    if (t.type === 'RIGHT_BRACKET') {
      const rb = this.next();
      let errMsg = '';
      if (e.type !== 'VectorSelector') errMsg = 'ranges only allowed for vector selectors';
      else if (e.offset !== 0) errMsg = 'no offset modifiers allowed before range';
      else if (e.timestamp !== undefined) errMsg = 'no @ modifiers allowed before range';
      if (errMsg !== '' || e.type !== 'VectorSelector') this.fail({ start: lb.pos, end: rb.end }, errMsg);
      const ms: MatrixSelector = {
        type: 'MatrixSelector',
        vectorSelector: e,
        range,
        pos: { start: e.pos.start, end: this.lastClosing },
      };
      return ms;
    }
    if (t.type !== 'COLON') this.unexpected('subquery or range', '":" or "]"');
    this.next();
    let step = 0;
    const st = this.peek();
    if (st.type === 'DURATION') {
      this.next();
      step = this.parseDurationToken(st);
      if (this.peek().type !== 'RIGHT_BRACKET') this.unexpected('subquery selector', '"]"');
    } else if (st.type !== 'RIGHT_BRACKET') {
      this.unexpected('subquery selector', 'duration or "]"');
    }
    const rb = this.next();
    const sq: SubqueryExpr = {
      type: 'SubqueryExpr',
      expr: e,
      range,
      step,
      offset: 0,
      timestamp: undefined,
      startOrEnd: undefined,
      pos: { start: e.pos.start, end: rb.pos + 1 },
    };
    return sq;
  }

  private parseOffset(e: Expr): Expr {
    this.next();
    let neg = false;
    if (this.peek().type === 'SUB') {
      this.next();
      neg = true;
    }
    const t = this.peek();
    if (t.type !== 'DURATION') this.unexpected('offset', 'duration');
    this.next();
    const d = this.parseDurationToken(t);
    const offset = neg ? -d : d;
    const end = this.lastClosing;
    switch (e.type) {
      case 'VectorSelector':
        if (e.offset !== 0) this.fail(e.pos, 'offset may not be set multiple times');
        return { ...e, offset, pos: { start: e.pos.start, end } };
      case 'MatrixSelector':
        if (e.vectorSelector.offset !== 0) this.fail(e.pos, 'offset may not be set multiple times');
        return { ...e, vectorSelector: { ...e.vectorSelector, offset }, pos: { start: e.pos.start, end } };
      case 'SubqueryExpr':
        if (e.offset !== 0) this.fail(e.pos, 'offset may not be set multiple times');
        return { ...e, offset, pos: { start: e.pos.start, end } };
      default:
        return this.fail(
          e.pos,
          'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
        );
    }
  }

  private parseAt(e: Expr): Expr {
    this.next();
    const t = this.peek();
    let ts: number | undefined;
    let startOrEnd: AtModifier;
    if (t.type === 'NUMBER' || t.type === 'ADD' || t.type === 'SUB') {
      let sign = 1;
      if (t.type !== 'NUMBER') {
        this.next();
        if (this.peek().type !== 'NUMBER') this.unexpected('@', 'timestamp');
        if (t.type === 'SUB') sign = -1;
      }
      const nt = this.next();
      const v = parseGoNumber(nt.val);
      if (typeof v === 'string') this.fail({ start: nt.pos, end: nt.end }, `error parsing number: ${v}`);
      ts = sign * v;
    } else if (t.type === 'START' || t.type === 'END') {
      this.next();
      if (this.peek().type !== 'LEFT_PAREN') this.unexpected('@', 'timestamp');
      this.next();
      if (this.peek().type !== 'RIGHT_PAREN') this.unexpected('@', 'timestamp');
      this.next();
      startOrEnd = t.type === 'START' ? 'start' : 'end';
    } else {
      this.unexpected('@', 'timestamp');
    }
    if (ts !== undefined && (!Number.isFinite(ts) || ts >= 9223372036854775807 || ts <= -9223372036854775808)) {
      this.fail(e.pos, `timestamp out of bounds for @ modifier: ${formatFloatFixed(ts)}`);
    }
    // timestamp.FromFloatSeconds: math.Round(ts*1000), halves away from zero
    const tsMs = ts === undefined ? undefined : Math.sign(ts) * Math.round(Math.abs(ts) * 1000);
    const end = this.lastClosing;
    const dup = (timestamp: number | undefined, se: AtModifier): void => {
      if (timestamp !== undefined || se !== undefined) this.fail(e.pos, '@ <timestamp> may not be set multiple times');
    };
    switch (e.type) {
      case 'VectorSelector':
        dup(e.timestamp, e.startOrEnd);
        return { ...e, timestamp: tsMs, startOrEnd, pos: { start: e.pos.start, end } };
      case 'MatrixSelector':
        dup(e.vectorSelector.timestamp, e.vectorSelector.startOrEnd);
        return {
          ...e,
          vectorSelector: { ...e.vectorSelector, timestamp: tsMs, startOrEnd },
          pos: { start: e.pos.start, end },
        };
      case 'SubqueryExpr':
        dup(e.timestamp, e.startOrEnd);
        return { ...e, timestamp: tsMs, startOrEnd, pos: { start: e.pos.start, end } };
      default:
        return this.fail(
          e.pos,
          '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
        );
    }
  }

  private parseBinModifiers(): BinaryModifiers {
    let returnBool = false;
    if (this.peek().type === 'BOOL') {
      this.next();
      returnBool = true;
    }
    let card: VectorMatchCardinality = 'one-to-one';
    let on = false;
    let matchingLabels: readonly string[] = [];
    let include: readonly string[] = [];
    const t = this.peek();
    if (t.type === 'ON' || t.type === 'IGNORING') {
      this.next();
      on = t.type === 'ON';
      matchingLabels = this.parseGroupingLabels();
      const g = this.peek();
      if (g.type === 'GROUP_LEFT' || g.type === 'GROUP_RIGHT') {
        this.next();
        card = g.type === 'GROUP_LEFT' ? 'many-to-one' : 'one-to-many';
        // The label list is optional; a token that can start neither it nor the right operand is
        // reported as a grouping error, as Prometheus's grammar does.
        const n = this.peek().type;
        if (n === 'LEFT_PAREN' || !EXPR_START_TOKENS.has(n)) include = this.parseGroupingLabels();
      }
    }
    return { returnBool, card, on, matchingLabels, include };
  }

  private newBinary(lhs: Expr, op: BinaryOp, mods: BinaryModifiers, rhs: Expr): BinaryExpr {
    const bothVectors = this.typeOf(lhs) === 'vector' && this.typeOf(rhs) === 'vector';
    let matching: VectorMatching | undefined;
    if (bothVectors) {
      // Set operators are many-to-many unless a (rejected) group modifier says otherwise.
      const card = SET_OPS.has(op) && mods.card === 'one-to-one' ? 'many-to-many' : mods.card;
      matching = { card, matchingLabels: mods.matchingLabels, on: mods.on, include: mods.include };
    }
    const b: BinaryExpr = {
      type: 'BinaryExpr',
      op,
      lhs,
      rhs,
      matching,
      returnBool: mods.returnBool,
      pos: { start: lhs.pos.start, end: rhs.pos.end },
    };
    this.modifiers.set(b, mods);
    return b;
  }

  private parseGroupingLabels(): string[] {
    if (this.peek().type !== 'LEFT_PAREN') this.unexpected('grouping opts', '"("');
    this.next();
    const labels: string[] = [];
    if (this.peek().type === 'RIGHT_PAREN') {
      this.next();
      return labels;
    }
    for (;;) {
      const t = this.peek();
      if (!MAYBE_LABEL_TOKENS.has(t.type)) this.unexpected('grouping opts', 'label');
      this.next();
      if (!isLabelName(t.val)) this.unexpected('grouping opts', 'label', t);
      labels.push(t.val);
      const sep = this.peek();
      if (sep.type === 'RIGHT_PAREN') {
        this.next();
        return labels;
      }
      if (sep.type !== 'COMMA') this.unexpected('grouping opts', '"," or ")"');
      this.next();
      if (this.peek().type === 'RIGHT_PAREN') {
        this.next();
        return labels;
      }
    }
  }

  /** '(' args ')' of a call or aggregation; the '(' is the current token. */
  private parseArgs(): Expr[] {
    this.next();
    const args: Expr[] = [];
    if (this.peek().type === 'RIGHT_PAREN') {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.parseBinary(0));
      const t = this.peek();
      if (t.type === 'RIGHT_PAREN') {
        this.next();
        return args;
      }
      if (t.type !== 'COMMA') this.unexpectedHere();
      this.next();
      // Prometheus's grammar reduces "args ','" whenever no expression can follow the comma.
      if (!EXPR_START_TOKENS.has(this.peek().type)) {
        this.fail({ start: t.pos, end: t.end }, 'trailing commas not allowed in function call args');
      }
    }
  }

  private parseCall(): Call {
    const id = this.next();
    const args = this.parseArgs();
    if (getFunction(id.val) === undefined) {
      this.fail({ start: id.pos, end: id.end }, `unknown function with name ${goQuote(id.val)}`);
    }
    return { type: 'Call', func: id.val, args, pos: { start: id.pos, end: this.lastClosing } };
  }

  private parseAggregate(op: AggregateOp): AggregateExpr {
    const opTok = this.next();
    this.aggDepth++;
    let grouping: readonly string[] = [];
    let without = false;
    let args: Expr[];
    const first = this.peek();
    if (first.type === 'BY' || first.type === 'WITHOUT') {
      this.next();
      without = first.type === 'WITHOUT';
      grouping = this.parseGroupingLabels();
      if (this.peek().type !== 'LEFT_PAREN') this.unexpected('aggregation', '');
      args = this.parseArgs();
    } else {
      args = this.parseArgs();
      const t = this.peek();
      if (t.type === 'BY' || t.type === 'WITHOUT') {
        this.next();
        without = t.type === 'WITHOUT';
        grouping = this.parseGroupingLabels();
      }
    }
    this.aggDepth--;
    const pos = { start: opTok.pos, end: this.lastClosing };
    if (args.length === 0) this.fail(pos, 'no arguments for aggregate expression provided');
    const withParam = op === 'topk' || op === 'bottomk' || op === 'count_values' || op === 'quantile';
    const desired = withParam ? 2 : 1;
    if (args.length !== desired) {
      this.fail(
        pos,
        `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`,
      );
    }
    const expr = args[desired - 1] as Expr;
    return { type: 'AggregateExpr', op, expr, param: withParam ? args[0] : undefined, grouping, without, pos };
  }

  /** A vector selector: optional metric name token, then optional {matchers}. */
  private parseVectorSelector(nameTok: Token | undefined): VectorSelector {
    const matchers: Matcher[] = [];
    let start = nameTok?.pos ?? 0;
    let end = nameTok?.end ?? 0;
    if (nameTok === undefined || this.peek().type === 'LEFT_BRACE') {
      const lb = this.next();
      if (nameTok === undefined) start = lb.pos;
      end = this.parseLabelMatchers(matchers);
    }
    if (nameTok !== undefined) matchers.push(newMatcher('=', '__name__', nameTok.val));
    return {
      type: 'VectorSelector',
      name: nameTok?.val ?? '',
      matchers,
      offset: 0,
      timestamp: undefined,
      startOrEnd: undefined,
      pos: { start, end },
    };
  }

  /** Matchers after '{' up to and including '}'; returns the end of '}'. */
  private parseLabelMatchers(out: Matcher[]): number {
    const ctx = 'label matching';
    if (this.peek().type === 'RIGHT_BRACE') return this.next().end;
    for (;;) {
      const name = this.peek();
      if (name.type !== 'IDENTIFIER') this.unexpected(ctx, 'identifier or "}"');
      this.next();
      const opTok = this.peek();
      const op = MATCH_OPS[opTok.type];
      if (op === undefined) this.unexpected(ctx, 'label matching operator');
      this.next();
      const val = this.peek();
      if (val.type !== 'STRING') this.unexpected(ctx, 'string');
      this.next();
      const value = this.unquote(val);
      try {
        out.push(newMatcher(op, name.val, value));
      } catch (err) {
        if (err instanceof BadRegexError) this.fail({ start: name.pos, end: val.end }, err.message);
        throw err;
      }
      const sep = this.peek();
      if (sep.type === 'RIGHT_BRACE') return this.next().end;
      if (sep.type !== 'COMMA') this.unexpected(ctx, '"," or "}"');
      this.next();
      if (this.peek().type === 'RIGHT_BRACE') return this.next().end;
    }
  }

  private unquote(t: Token): string {
    const v = unquoteString(t.val);
    if (v === undefined)
      this.fail({ start: t.pos, end: t.end }, `error unquoting string ${goQuote(t.val)}: invalid syntax`);
    return v;
  }

  // --- type checking (Prometheus's checkAST) ---

  private expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.checkAST(e);
    if (t !== want) {
      this.fail(e.pos, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
    }
  }

  /** The range of a binary operator, whitespace trimmed, for operator-related errors. */
  private opRange(n: BinaryExpr): PosRange {
    const isWs = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
    let start = n.lhs.pos.end;
    while (start < this.bytes.length && isWs(this.bytes[start])) start++;
    let end = n.rhs.pos.start - 1;
    while (end > 0 && isWs(this.bytes[end])) end--;
    return { start, end };
  }

  /** The checks of one binary operator, after both operands have been checked. */
  private checkBinary(e: BinaryExpr, lt: ValueType, rt: ValueType): void {
    const mods = this.modifiers.get(e);
    const isComparison = COMPARISON_OPS.has(e.op);
    const isSet = SET_OPS.has(e.op);
    if (e.returnBool && !isComparison)
      this.fail(this.opRange(e), 'bool modifier can only be used on comparison operators');
    if (isComparison && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail(this.opRange(e), 'comparisons between scalars must use BOOL modifier');
    }
    if (mods && mods.on) {
      for (const l1 of mods.matchingLabels) {
        if (mods.include.includes(l1)) {
          this.fail(this.opRange(e), `label ${goQuote(l1)} must not occur in ON and GROUP clause at once`);
        }
      }
    }
    if (lt !== 'scalar' && lt !== 'vector') {
      this.fail(e.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    }
    if (rt !== 'scalar' && rt !== 'vector') {
      this.fail(e.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    }
    if (lt !== 'vector' || rt !== 'vector') {
      if (mods && mods.matchingLabels.length > 0)
        this.fail(e.pos, 'vector matching only allowed between instant vectors');
    } else if (isSet && e.matching) {
      const card = e.matching.card;
      if (card === 'one-to-many' || card === 'many-to-one')
        this.fail(e.pos, `no grouping allowed for ${goQuote(e.op)} operation`);
      if (card !== 'many-to-many') this.fail(e.pos, 'set operations must always be many-to-many');
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSet) {
      this.fail(e.pos, `set operator ${goQuote(e.op)} not allowed in binary scalar expression`);
    }
  }

  checkAST(e: Expr): ValueType {
    const typ = this.typeOf(e);
    switch (e.type) {
      case 'AggregateExpr':
        this.expectType(e.expr, 'vector', 'aggregation expression');
        if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'quantile') {
          if (e.param) this.expectType(e.param, 'scalar', 'aggregation parameter');
        }
        if (e.op === 'count_values' && e.param) this.expectType(e.param, 'string', 'aggregation parameter');
        break;
      case 'BinaryExpr': {
        // Walk the left spine iteratively (a + b + c + ... nests to the left), checking in the
        // same order as the recursion would: innermost left operand, then each right operand
        // followed by its operator's own checks.
        const spine: BinaryExpr[] = [];
        let cur: Expr = e;
        while (cur.type === 'BinaryExpr') {
          spine.push(cur);
          cur = cur.lhs;
        }
        let lt = this.checkAST(cur);
        for (let i = spine.length - 1; i >= 0; i--) {
          const b = spine[i] as BinaryExpr;
          const rt = this.checkAST(b.rhs);
          this.checkBinary(b, lt, rt);
          lt = this.typeOf(b);
        }
        break;
      }
      case 'Call': {
        const fn = getFunction(e.func);
        if (!fn) return this.fail(e.pos, `unknown function with name ${goQuote(e.func)}`);
        const nargs = fn.argTypes.length;
        if (fn.variadic === 0) {
          if (nargs !== e.args.length) {
            this.fail(e.pos, `expected ${nargs} argument(s) in call to ${goQuote(fn.name)}, got ${e.args.length}`);
          }
        } else {
          const na = nargs - 1;
          if (na > e.args.length) {
            this.fail(
              e.pos,
              `expected at least ${na} argument(s) in call to ${goQuote(fn.name)}, got ${e.args.length}`,
            );
          } else if (fn.variadic > 0 && na + fn.variadic < e.args.length) {
            this.fail(
              e.pos,
              `expected at most ${na + fn.variadic} argument(s) in call to ${goQuote(fn.name)}, got ${e.args.length}`,
            );
          }
        }
        for (let i = 0; i < e.args.length; i++) {
          let ti = i;
          if (i >= nargs) {
            if (fn.variadic === 0) break;
            ti = nargs - 1;
          }
          const want = fn.argTypes[ti];
          const arg = e.args[i];
          if (want !== undefined && arg !== undefined) {
            this.expectType(arg, want, `call to function ${goQuote(fn.name)}`);
          }
        }
        break;
      }
      case 'ParenExpr':
      case 'StepInvariantExpr':
        this.checkAST(e.expr);
        break;
      case 'UnaryExpr': {
        const t = this.checkAST(e.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(
            e.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`,
          );
        }
        break;
      }
      case 'SubqueryExpr': {
        const t = this.checkAST(e.expr);
        if (t !== 'vector') this.fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }
      case 'MatrixSelector':
        this.checkAST(e.vectorSelector);
        break;
      case 'VectorSelector': {
        if (e.name !== '') {
          // The last matcher is the one for the name given outside the braces.
          for (const m of e.matchers.slice(0, -1)) {
            if (m.name === '__name__') {
              this.fail(e.pos, `metric name must not be set twice: ${goQuote(e.name)} or ${goQuote(m.value)}`);
            }
          }
          break;
        }
        // At least one matcher must not match the empty string, so no selector matches every series.
        if (!e.matchers.some((m) => !m.matches(''))) {
          this.fail(e.pos, 'vector selector must contain at least one non-empty matcher');
        }
        break;
      }
      case 'NumberLiteral':
      case 'StringLiteral':
        break;
    }
    return typ;
  }
}

function run<T>(input: string, f: (p: Parser) => T): T {
  try {
    return f(new Parser(input));
  } catch (err) {
    if (err instanceof Abort) throw new ParseError(err.pos, err.msg, input);
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      // Pathologically deep nesting: report it as a parse error rather than crash the caller.
      throw new ParseError({ start: 0, end: 0 }, TOO_DEEP, input);
    }
    throw err;
  }
}

/** Parses a PromQL expression and type-checks it; throws ParseError with Prometheus's message. */
export function parseExpr(input: string): Expr {
  return run(input, (p) => p.parseExpr());
}

/** Parses a series selector such as `up{job="x"}` or `{__name__=~"a.*"}` (for match[] parameters). */
export function parseMetricSelector(input: string): Matcher[] {
  return run(input, (p) => [...p.parseMetricSelector().matchers]);
}
