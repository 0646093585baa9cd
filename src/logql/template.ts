// The part of Go's text/template that line_format templates use: text with {{ actions }} that
// print a label ({{.name}}), the line ({{__line__}}) or the record's time ({{__timestamp__}}),
// piped through string functions ({{ .name | ToUpper }}, {{ ToLower .name }}, {{ default "-" .x }}).
// Anything else is refused when the query is compiled, not when a record is formatted.

export interface TemplateContext {
  label(name: string): string;
  readonly line: string;
  readonly timeNs: number;
}

type Arg = { kind: 'label'; name: string } | { kind: 'line' } | { kind: 'time' } | { kind: 'string'; value: string };
type Call = { fn: string; args: Arg[] };
type Part = { kind: 'text'; text: string } | { kind: 'action'; head: Arg | Call; pipe: Call[] };

const FUNCTIONS: Readonly<Record<string, (args: string[]) => string>> = {
  ToUpper: (a) => (a[a.length - 1] ?? '').toUpperCase(),
  ToLower: (a) => (a[a.length - 1] ?? '').toLowerCase(),
  upper: (a) => (a[a.length - 1] ?? '').toUpperCase(),
  lower: (a) => (a[a.length - 1] ?? '').toLowerCase(),
  trim: (a) => (a[a.length - 1] ?? '').trim(),
  trimSpace: (a) => (a[a.length - 1] ?? '').trim(),
  TrimSpace: (a) => (a[a.length - 1] ?? '').trim(),
  default: (a) => ((a[1] ?? '') === '' ? (a[0] ?? '') : a[1]!),
  len: (a) => String([...(a[a.length - 1] ?? '')].length),
};

export class TemplateError extends Error {}

export class LineTemplate {
  private readonly parts: Part[] = [];

  constructor(source: string) {
    let i = 0;
    while (i < source.length) {
      const open = source.indexOf('{{', i);
      if (open < 0) {
        this.parts.push({ kind: 'text', text: source.slice(i) });
        break;
      }
      if (open > i) this.parts.push({ kind: 'text', text: source.slice(i, open) });
      const close = source.indexOf('}}', open + 2);
      if (close < 0) throw new TemplateError(`template: line:1: unclosed action`);
      let body = source.slice(open + 2, close);
      if (body.startsWith('-')) body = body.slice(1);
      if (body.endsWith('-')) body = body.slice(0, -1);
      this.parts.push(parseAction(body.trim()));
      i = close + 2;
    }
  }

  render(ctx: TemplateContext): string {
    let out = '';
    for (const p of this.parts) {
      if (p.kind === 'text') {
        out += p.text;
        continue;
      }
      let v = 'fn' in p.head ? call(p.head, ctx, undefined) : argValue(p.head, ctx);
      for (const c of p.pipe) v = call(c, ctx, v);
      out += v;
    }
    return out;
  }
}

function parseAction(body: string): Part {
  const segments = splitPipe(body).map((s) => tokens(s));
  const [first, ...rest] = segments;
  if (!first || first.length === 0) throw new TemplateError('template: line:1: missing value for command');
  const head: Arg | Call = first.length === 1 && !(first[0]! in FUNCTIONS) ? toArg(first[0]!) : toCall(first);
  return { kind: 'action', head, pipe: rest.map(toCall) };
}

function toCall(words: string[]): Call {
  const fn = words[0]!;
  if (!(fn in FUNCTIONS)) throw new TemplateError(`template: line:1: function "${fn}" not defined`);
  return { fn, args: words.slice(1).map(toArg) };
}

function toArg(w: string): Arg {
  if (w === '__line__') return { kind: 'line' };
  if (w === '__timestamp__') return { kind: 'time' };
  if (w.startsWith('.') && /^\.[a-zA-Z_][a-zA-Z0-9_]*$/.test(w)) return { kind: 'label', name: w.slice(1) };
  if (w.startsWith('"') && w.endsWith('"') && w.length >= 2) return { kind: 'string', value: JSON.parse(w) as string };
  if (w.startsWith('`') && w.endsWith('`') && w.length >= 2) return { kind: 'string', value: w.slice(1, -1) };
  throw new TemplateError(`template: line:1: unexpected "${w}" in command`);
}

function splitPipe(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const c of s) {
    if (quote) {
      cur += c;
      if (c === quote) quote = '';
    } else if (c === '"' || c === '`') {
      quote = c;
      cur += c;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function tokens(s: string): string[] {
  return s.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g) ?? [];
}

function argValue(a: Arg, ctx: TemplateContext): string {
  switch (a.kind) {
    case 'label':
      return ctx.label(a.name);
    case 'line':
      return ctx.line;
    case 'time':
      return new Date(Math.floor(ctx.timeNs / 1e6)).toISOString();
    case 'string':
      return a.value;
  }
}

function call(c: Call, ctx: TemplateContext, piped: string | undefined): string {
  const args = c.args.map((a) => argValue(a, ctx));
  if (piped !== undefined) args.push(piped);
  return FUNCTIONS[c.fn]!(args);
}
