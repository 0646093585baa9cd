// LogQL's parser (recursive descent over lexer.ts's tokens), with Loki's validation and error
// wording: "parse error at line L, col C: syntax error: unexpected X", and the query-wide
// "parse error : …" ones (no selective matcher, input too long).
import { BadRegexError, newMatcher, type MatchType, type Matcher } from '../labels/matcher.js';
import {
  RANGE_OPS,
  VECTOR_OPS,
  type BinaryOp,
  type ExtractionParam,
  type Grouping,
  type LabelFilter,
  type LabelRef,
  type LineFilterOp,
  type LogQuery,
  type NumberOp,
  type Query,
  type RangeOp,
  type SampleQuery,
  type Stage,
  type VectorOp,
} from './ast.js';
import { LogQLParseError, tokenize, type Token } from './lexer.js';
import { RE2JS } from 're2js';

/** Loki's maxInputSize. */
export const MAX_QUERY_LENGTH = 5120;

export const ERR_NO_SELECTIVE_MATCHER =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

export function parseQuery(input: string): Query {
  if (input.length >= MAX_QUERY_LENGTH)
    throw new LogQLParseError(`input size too long (${input.length} > ${MAX_QUERY_LENGTH})`);
  const p = new Parser(tokenize(input));
  const q = p.parseExpr(0);
  p.expectEnd();
  validate(q);
  return q;
}

/** A bare stream selector, as /series, /labels and /index/* take in match[] and query. */
export function parseSelector(input: string): Matcher[] {
  const q = parseQuery(input);
  if (q.type !== 'log') throw new LogQLParseError('only label matchers is supported');
  return [...q.matchers];
}

function validate(q: Query): void {
  switch (q.type) {
    case 'log':
      if (!q.matchers.some((m) => !m.matches(''))) throw new LogQLParseError(ERR_NO_SELECTIVE_MATCHER);
      return;
    case 'range':
      return validate(q.log);
    case 'vectorAgg':
      return validate(q.expr);
    case 'binary':
      validate(q.lhs);
      return validate(q.rhs);
    default:
      return;
  }
}

const BINARY_PRECEDENCE: Readonly<Record<string, number>> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '^': 3 };

class Parser {
  private i = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  private isOp(text: string): boolean {
    return this.tok.kind === 'OP' && this.tok.text === text;
  }

  private isIdent(text?: string): boolean {
    return this.tok.kind === 'IDENTIFIER' && (text === undefined || this.tok.text === text);
  }

  private unexpected(expecting?: string): LogQLParseError {
    const t = this.tok;
    const what = t.kind === 'EOF' ? '$end' : t.kind === 'OP' ? t.text : isKeyword(t) ? t.text : t.kind;
    return new LogQLParseError(
      `syntax error: unexpected ${what}${expecting ? `, expecting ${expecting}` : ''}`,
      t.line,
      t.col,
    );
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) throw this.unexpected(text);
    this.i++;
  }

  private expectKind(kind: Token['kind']): Token {
    const t = this.tok;
    if (t.kind !== kind) throw this.unexpected(kind);
    this.i++;
    return t;
  }

  expectEnd(): void {
    if (this.tok.kind !== 'EOF') throw this.unexpected();
  }

  /** expr := unary (binop unary)*, by precedence climbing ('^' binds right) */
  parseExpr(minPrec: number): Query {
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.tok;
      const prec = t.kind === 'OP' ? BINARY_PRECEDENCE[t.text] : undefined;
      if (prec === undefined || prec < minPrec) break;
      this.i++;
      const rhs = this.parseExpr(t.text === '^' ? prec : prec + 1);
      lhs = { type: 'binary', op: t.text as BinaryOp, lhs: sample(lhs, t), rhs: sample(rhs, t) };
    }
    return lhs;
  }

  private parseUnary(): Query {
    const t = this.tok;
    if (t.kind === 'OP' && t.text === '{') return this.parseLogQuery();
    if (t.kind === 'OP' && t.text === '(') {
      this.i++;
      const inner = this.parseExpr(0);
      this.expectOp(')');
      return inner;
    }
    if (t.kind === 'OP' && t.text === '-' && this.tokens[this.i + 1]?.kind === 'NUMBER') {
      this.i++;
      return { type: 'literal', value: -this.expectKind('NUMBER').value };
    }
    if (t.kind === 'NUMBER') {
      this.i++;
      return { type: 'literal', value: t.value };
    }
    if (t.kind === 'IDENTIFIER') {
      if ((RANGE_OPS as readonly string[]).includes(t.text)) return this.parseRange(t.text as RangeOp);
      if ((VECTOR_OPS as readonly string[]).includes(t.text)) return this.parseVectorAgg(t.text as VectorOp);
      if (t.text === 'vector') {
        this.i++;
        this.expectOp('(');
        const n = this.expectKind('NUMBER');
        this.expectOp(')');
        return { type: 'vector', value: n.value };
      }
    }
    throw this.unexpected();
  }

  private parseRange(op: RangeOp): SampleQuery {
    this.i++;
    this.expectOp('(');
    let log: LogQuery;
    let range: Token;
    if (this.isOp('(')) {
      // count_over_time(({a="b"} |= "x")[5m])
      this.i++;
      log = this.parseLogQuery();
      this.expectOp(')');
      range = this.expectKind('RANGE');
    } else {
      const selector = this.parseSelectorOnly();
      let stages = this.parseStages();
      range = this.expectKind('RANGE');
      // the pipeline may also follow the range: count_over_time({a="b"}[5m] |= "x")
      if (stages.length === 0) stages = this.parseStages();
      log = { type: 'log', matchers: selector, stages };
    }
    let offsetNs = 0;
    if (this.isIdent('offset')) {
      this.i++;
      offsetNs = this.expectKind('DURATION').value;
    }
    if (this.isOp('|') && this.tokens[this.i + 1]?.text === 'unwrap')
      throw new LogQLParseError(`syntax error: unexpected unwrap`, this.tok.line, this.tok.col);
    this.expectOp(')');
    if (this.isIdent('by') || this.isIdent('without'))
      throw new LogQLParseError(`grouping not allowed for ${op} aggregation`);
    return { type: 'range', op, log, rangeNs: range.value, offsetNs };
  }

  private parseVectorAgg(op: VectorOp): SampleQuery {
    const opTok = this.tok;
    this.i++;
    let grouping = this.parseGrouping();
    this.expectOp('(');
    let param: number | undefined;
    if (op === 'topk' || op === 'bottomk') {
      param = this.expectKind('NUMBER').value;
      this.expectOp(',');
    }
    const inner = this.parseExpr(0);
    this.expectOp(')');
    if (!grouping) grouping = this.parseGrouping();
    const expr = sample(inner, opTok);
    return {
      type: 'vectorAgg',
      op,
      expr,
      ...(param !== undefined ? { param } : {}),
      ...(grouping ? { grouping } : {}),
    };
  }

  private parseGrouping(): Grouping | undefined {
    if (!this.isIdent('by') && !this.isIdent('without')) return undefined;
    const without = this.tok.text === 'without';
    this.i++;
    this.expectOp('(');
    const labels: string[] = [];
    while (!this.isOp(')')) {
      labels.push(this.expectKind('IDENTIFIER').text);
      if (!this.isOp(',')) break;
      this.i++;
    }
    this.expectOp(')');
    return { without, labels };
  }

  private parseLogQuery(): LogQuery {
    const matchers = this.parseSelectorOnly();
    return { type: 'log', matchers, stages: this.parseStages() };
  }

  private parseSelectorOnly(): Matcher[] {
    this.expectOp('{');
    const out: Matcher[] = [];
    while (!this.isOp('}')) {
      const name = this.expectKind('IDENTIFIER');
      const opTok = this.tok;
      if (opTok.kind !== 'OP' || !['=', '!=', '=~', '!~'].includes(opTok.text)) throw this.unexpected();
      this.i++;
      const value = this.expectKind('STRING');
      out.push(this.matcher(opTok.text as MatchType, name.text, value));
      if (!this.isOp(',')) break;
      this.i++;
    }
    this.expectOp('}');
    return out;
  }

  private matcher(type: MatchType, name: string, value: Token): Matcher {
    try {
      return newMatcher(type, name, value.text);
    } catch (e) {
      if (e instanceof BadRegexError) throw new LogQLParseError(e.message, value.line, value.col);
      throw e;
    }
  }

  private parseStages(): Stage[] {
    const stages: Stage[] = [];
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'OP') return stages;
      if (t.text === '|=' || t.text === '!=' || t.text === '|~' || t.text === '!~') {
        this.i++;
        stages.push(this.parseLineFilter(t.text));
        continue;
      }
      if (t.text !== '|') return stages;
      if (this.tokens[this.i + 1]?.text === 'unwrap') return stages;
      this.i++;
      stages.push(this.parseStage());
    }
  }

  private parseLineFilter(op: LineFilterOp): Stage {
    const values = [this.expectKind('STRING')];
    while (this.isIdent('or')) {
      this.i++;
      values.push(this.expectKind('STRING'));
    }
    if (op === '|~' || op === '!~') {
      for (const v of values) {
        try {
          RE2JS.compile(v.text);
        } catch (e) {
          throw new LogQLParseError(e instanceof Error ? e.message : String(e), v.line, v.col);
        }
      }
    }
    return { kind: 'lineFilter', op, values: values.map((v) => v.text) };
  }

  private parseStage(): Stage {
    const t = this.tok;
    if (t.kind === 'IDENTIFIER') {
      switch (t.text) {
        case 'json':
        case 'logfmt': {
          this.i++;
          if (t.text === 'logfmt') while (this.isOp('-') && this.tokens[this.i + 1]?.kind === 'OP') this.i += 2;
          return { kind: t.text, params: this.parseExtractionParams() };
        }
        case 'line_format': {
          this.i++;
          const tmpl = this.expectKind('STRING');
          return { kind: 'lineFormat', template: tmpl.text };
        }
        case 'decolorize':
          this.i++;
          return { kind: 'decolorize' };
        case 'drop':
        case 'keep': {
          this.i++;
          return { kind: t.text, labels: this.parseLabelRefs(t.text) };
        }
        default: {
          const next = this.tokens[this.i + 1];
          if (next?.kind === 'OP' && ['=', '!=', '=~', '!~', '>', '>=', '<', '<=', '=='].includes(next.text))
            return { kind: 'labelFilter', filter: this.parseLabelFilterOr() };
          throw this.unexpected();
        }
      }
    }
    if (t.kind === 'OP' && t.text === '(') return { kind: 'labelFilter', filter: this.parseLabelFilterOr() };
    throw this.unexpected();
  }

  private parseExtractionParams(): ExtractionParam[] {
    const out: ExtractionParam[] = [];
    while (this.isIdent()) {
      const name = this.tok.text;
      const next = this.tokens[this.i + 1];
      if (next?.kind === 'OP' && next.text === '=') {
        this.i += 2;
        out.push({ name, source: this.expectKind('STRING').text });
      } else if (next?.kind === 'OP' && next.text !== ',') {
        break;
      } else {
        this.i++;
        out.push({ name, source: '' });
      }
      if (!this.isOp(',')) break;
      this.i++;
    }
    return out;
  }

  private parseLabelRefs(kind: 'drop' | 'keep'): LabelRef[] {
    const out: LabelRef[] = [];
    for (;;) {
      const name = this.expectKind('IDENTIFIER');
      const t = this.tok;
      if (t.kind === 'OP' && ['=', '!=', '=~', '!~'].includes(t.text)) {
        this.i++;
        const value = this.expectKind('STRING');
        out.push({ name: name.text, matcher: this.matcher(t.text as MatchType, name.text, value) });
      } else out.push({ name: name.text });
      if (!this.isOp(',')) break;
      this.i++;
    }
    if (kind === 'keep' && out.some((r) => r.matcher && r.matcher.type !== '=')) throw this.unexpected();
    return out;
  }

  private parseLabelFilterOr(): LabelFilter {
    let left = this.parseLabelFilterAnd();
    while (this.isIdent('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.parseLabelFilterAnd() };
    }
    return left;
  }

  private parseLabelFilterAnd(): LabelFilter {
    let left = this.parseLabelFilterPrimary();
    for (;;) {
      if (this.isIdent('and') || this.isOp(',')) this.i++;
      else if (!(this.isOp('(') || (this.isIdent() && !this.isIdent('or') && this.isFilterStart()))) break;
      left = { kind: 'and', left, right: this.parseLabelFilterPrimary() };
    }
    return left;
  }

  private isFilterStart(): boolean {
    const next = this.tokens[this.i + 1];
    return next?.kind === 'OP' && ['=', '!=', '=~', '!~', '>', '>=', '<', '<=', '=='].includes(next.text);
  }

  private parseLabelFilterPrimary(): LabelFilter {
    if (this.isOp('(')) {
      this.i++;
      const inner = this.parseLabelFilterOr();
      this.expectOp(')');
      return inner;
    }
    const name = this.expectKind('IDENTIFIER');
    const op = this.tok;
    if (op.kind !== 'OP') throw this.unexpected();
    this.i++;
    const value = this.tok;
    if (value.kind === 'STRING') {
      if (!['=', '!=', '=~', '!~'].includes(op.text)) throw this.unexpected();
      this.i++;
      return { kind: 'string', matcher: this.matcher(op.text as MatchType, name.text, value) };
    }
    let sign = 1;
    if (value.kind === 'OP' && value.text === '-') {
      sign = -1;
      this.i++;
    }
    const v = this.tok;
    if (v.kind !== 'NUMBER' && v.kind !== 'DURATION' && v.kind !== 'BYTES') throw this.unexpected();
    if (!['>', '>=', '<', '<=', '==', '!=', '='].includes(op.text)) throw this.unexpected();
    this.i++;
    return {
      kind: 'number',
      name: name.text,
      op: (op.text === '=' ? '==' : op.text) as NumberOp,
      value: sign * v.value,
      unit: v.kind === 'NUMBER' ? 'number' : v.kind === 'DURATION' ? 'duration' : 'bytes',
    };
  }
}

const KEYWORDS = new Set([
  'by',
  'without',
  'and',
  'or',
  'offset',
  'json',
  'logfmt',
  'line_format',
  'drop',
  'keep',
  'unwrap',
  'decolorize',
  ...RANGE_OPS,
  ...VECTOR_OPS,
]);

function isKeyword(t: Token): boolean {
  return t.kind === 'IDENTIFIER' && KEYWORDS.has(t.text);
}

/** A metric query operand; a log query there is Loki's "unexpected" error at the operator. */
function sample(q: Query, at: Token): SampleQuery {
  if (q.type === 'log') throw new LogQLParseError('syntax error: unexpected ' + at.text, at.line, at.col);
  return q;
}
