// LogQL's tokens. Token names in error messages are Loki's: literal operators and keywords as
// themselves, the rest as IDENTIFIER, STRING, NUMBER, DURATION, BYTES, RANGE and $end.
import { parseGoDuration } from '../gocompat/duration.js';

export type TokenKind = 'IDENTIFIER' | 'STRING' | 'NUMBER' | 'DURATION' | 'BYTES' | 'RANGE' | 'OP' | 'EOF';

export interface Token {
  readonly kind: TokenKind;
  /** the operator or identifier text, the unquoted string, the number's text */
  readonly text: string;
  /** nanoseconds for DURATION and RANGE, bytes for BYTES, the value for NUMBER */
  readonly value: number;
  readonly line: number;
  readonly col: number;
}

/** A parse error printed as Loki's logqlmodel.ParseError is. */
export class LogQLParseError extends Error {
  constructor(
    readonly detail: string,
    readonly line = 0,
    readonly col = 0,
  ) {
    super(line === 0 && col === 0 ? `parse error : ${detail}` : `parse error at line ${line}, col ${col}: ${detail}`);
    this.name = 'LogQLParseError';
  }
}

const OPERATORS = [
  '|=',
  '|~',
  '!=',
  '!~',
  '=~',
  '==',
  '>=',
  '<=',
  '{',
  '}',
  '(',
  ')',
  ',',
  '=',
  '|',
  '>',
  '<',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
];

/** Prometheus-style durations as Loki accepts them ([5m], 1h30m, 2d, 1w). */
export const DURATION_UNITS = { d: 86400e9, w: 7 * 86400e9, y: 365 * 86400e9 };

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

export function parseDurationNs(s: string): number | undefined {
  try {
    return parseGoDuration(s, DURATION_UNITS);
  } catch {
    return undefined;
  }
}

export function parseBytes(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]+)$/.exec(s);
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (kind: TokenKind, text: string, value: number, start: number): Token => ({
    kind,
    text,
    value,
    line,
    col: start - lineStart + 1,
  });
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === '`') {
      const [text, end] = readString(input, i, line, i - lineStart + 1);
      out.push(at('STRING', text, 0, start));
      i = end;
      continue;
    }
    if (c === '[') {
      const close = input.indexOf(']', i);
      const body = close < 0 ? '' : input.slice(i + 1, close).trim();
      const ns = parseDurationNs(body);
      if (close < 0 || ns === undefined)
        throw new LogQLParseError(`syntax error: unexpected [`, line, start - lineStart + 1);
      out.push(at('RANGE', body, ns, start));
      i = close + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(input[i + 1] ?? ''))) {
      const m = /^[0-9][0-9a-zA-Z_.µ]*|^\.[0-9][0-9a-zA-Z_.]*/.exec(input.slice(i))!;
      const text = m[0];
      i += text.length;
      if (/^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][+-]?[0-9]+)?)$/.test(text)) {
        out.push(at('NUMBER', text, Number(text), start));
        continue;
      }
      const bytes = parseBytes(text);
      if (bytes !== undefined) {
        out.push(at('BYTES', text, bytes, start));
        continue;
      }
      const ns = parseDurationNs(text);
      if (ns !== undefined) {
        out.push(at('DURATION', text, ns, start));
        continue;
      }
      throw new LogQLParseError(`syntax error: unexpected IDENTIFIER`, line, start - lineStart + 1);
    }
    if (/[a-zA-Z_]/.test(c)) {
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(input.slice(i))!;
      i += m[0].length;
      out.push(at('IDENTIFIER', m[0], 0, start));
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (!op)
      throw new LogQLParseError(
        `syntax error: unexpected ${JSON.stringify(c).slice(1, -1)}`,
        line,
        start - lineStart + 1,
      );
    i += op.length;
    out.push(at('OP', op, 0, start));
  }
  out.push({ kind: 'EOF', text: '', value: 0, line, col: i - lineStart + 1 });
  return out;
}

/** A Go string literal: "..." with Go's escapes, or `raw`. */
function readString(input: string, i: number, line: number, col: number): [string, number] {
  const q = input[i]!;
  if (q === '`') {
    const end = input.indexOf('`', i + 1);
    if (end < 0) throw new LogQLParseError('literal not terminated', line, col);
    return [input.slice(i + 1, end), end + 1];
  }
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= input.length || input[j] === '\n') throw new LogQLParseError('literal not terminated', line, col);
    const c = input[j]!;
    if (c === '"') return [out, j + 1];
    if (c !== '\\') {
      out += c;
      j++;
      continue;
    }
    const e = input[j + 1];
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '"': '"',
      '\\': '\\',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      "'": "'",
    };
    if (e !== undefined && e in simple) {
      out += simple[e];
      j += 2;
      continue;
    }
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex > 0) {
      const digits = input.slice(j + 2, j + 2 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) throw new LogQLParseError('invalid syntax', line, col);
      out += String.fromCodePoint(parseInt(digits, 16));
      j += 2 + hex;
      continue;
    }
    if (e !== undefined && /[0-7]/.test(e)) {
      const digits = input.slice(j + 1, j + 4);
      if (!/^[0-7]{3}$/.test(digits)) throw new LogQLParseError('invalid syntax', line, col);
      out += String.fromCharCode(parseInt(digits, 8));
      j += 4;
      continue;
    }
    throw new LogQLParseError('invalid syntax', line, col);
  }
}
