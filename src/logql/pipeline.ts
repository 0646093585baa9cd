// A log query's pipeline, compiled once per query and run per record: line filters, the json and
// logfmt parsers, label filters, line_format, drop/keep and decolorize, with Loki's semantics:
//  - a parsed label whose name is already a stream label or structured metadata gets the suffix
//    "_extracted"; JSON objects are flattened with '_', arrays are skipped;
//  - a parser that cannot read the line keeps it, with __error__ (JSONParserErr, LogfmtParserErr)
//    and __error_details__;
//  - a numeric label filter on a value that is not a number keeps the record, with
//    __error__="LabelFilterErr".
import { RE2JS } from 're2js';
import type { Label, Labels } from '../labels/labels.js';
import type { LabelFilter, LineFilterOp, LogQuery, NumberOp, Stage } from './ast.js';
import { parseBytes, parseDurationNs } from './lexer.js';
import { LineTemplate, TemplateError } from './template.js';
import { LogQLParseError } from './lexer.js';
import { normalizeLabelName } from '../logs/otlp-mapping.js';

/** One record as the pipeline changes it. */
export class RecordState {
  line = '';
  timeNs = 0;
  stream: Labels = [];
  metadata: Label[] = [];
  readonly parsed = new Map<string, string>();
  readonly dropped = new Set<string>();

  reset(line: string, timeNs: number, stream: Labels, metadata: Label[]): void {
    this.line = line;
    this.timeNs = timeNs;
    this.stream = stream;
    this.metadata = metadata;
    this.parsed.clear();
    this.dropped.clear();
  }

  get(name: string): string | undefined {
    if (this.dropped.has(name)) return undefined;
    const p = this.parsed.get(name);
    if (p !== undefined) return p;
    for (const l of this.metadata) if (l.name === name) return l.value;
    for (const l of this.stream) if (l.name === name) return l.value;
    return undefined;
  }

  private inBase(name: string): boolean {
    for (const l of this.stream) if (l.name === name) return true;
    for (const l of this.metadata) if (l.name === name) return true;
    return false;
  }

  /** Adds a parsed label, renamed name_extracted when a stream label or metadata has its name. */
  setParsed(name: string, value: string): void {
    const n = this.inBase(name) ? `${name}_extracted` : name;
    if (!this.parsed.has(n)) this.parsed.set(n, value);
  }

  setError(error: string, details: string): void {
    if (this.parsed.has('__error__')) return;
    this.parsed.set('__error__', error);
    this.parsed.set('__error_details__', details);
  }

  /** The three categories after drop/keep, empty values left out. */
  categories(): { stream: Label[]; metadata: Label[]; parsed: Label[] } {
    const keep = (l: Label): boolean => l.value !== '' && !this.dropped.has(l.name);
    return {
      stream: this.stream.filter(keep),
      metadata: this.metadata.filter(keep),
      parsed: [...this.parsed].map(([name, value]) => ({ name, value })).filter(keep),
    };
  }

  /** Every label, sorted: what a metric query's series and a non-categorized stream carry. */
  allLabels(): Label[] {
    const c = this.categories();
    const byName = new Map<string, string>();
    for (const l of c.stream) byName.set(l.name, l.value);
    for (const l of c.metadata) if (!byName.has(l.name)) byName.set(l.name, l.value);
    for (const l of c.parsed) byName.set(l.name, l.value);
    return [...byName]
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

type StageFn = (r: RecordState) => boolean;

export interface CompiledPipeline {
  /** the leading line filters, run on the raw line before metadata is decoded */
  readonly lineFilter: (line: string) => boolean;
  /** the rest; false drops the record */
  readonly rest: StageFn;
  /** true when the rest does nothing (the record is kept as the line filters left it) */
  readonly restIsEmpty: boolean;
  /** substrings every kept line contains (for chunk skipping) */
  readonly requiredSubstrings: readonly string[];
  /** trace_id / span_id values every kept record carries (for the chunk ID index) */
  readonly requiredIds: readonly string[];
}

export function compilePipeline(q: LogQuery): CompiledPipeline {
  const stages = q.stages;
  let k = 0;
  const lead: ((line: string) => boolean)[] = [];
  const required: string[] = [];
  while (k < stages.length && stages[k]!.kind === 'lineFilter') {
    const s = stages[k] as Extract<Stage, { kind: 'lineFilter' }>;
    lead.push(lineFilter(s.op, s.values));
    if (s.op === '|=' && s.values.length === 1) required.push(s.values[0]!);
    k++;
  }
  const ids: string[] = [];
  for (const s of stages) {
    if (s.kind === 'json' || s.kind === 'logfmt') break;
    if (s.kind === 'labelFilter') collectIdEqualities(s.filter, ids);
  }
  const rest = stages.slice(k).map(compileStage);
  return {
    lineFilter: lead.length === 0 ? () => true : (line) => lead.every((f) => f(line)),
    rest: (r) => rest.every((f) => f(r)),
    restIsEmpty: rest.length === 0,
    requiredSubstrings: required,
    requiredIds: ids,
  };
}

function collectIdEqualities(f: LabelFilter, out: string[]): void {
  if (f.kind === 'and') {
    collectIdEqualities(f.left, out);
    collectIdEqualities(f.right, out);
  } else if (
    f.kind === 'string' &&
    f.matcher.type === '=' &&
    (f.matcher.name === 'trace_id' || f.matcher.name === 'span_id')
  ) {
    out.push(f.matcher.value.toLowerCase());
  }
}

function lineFilter(op: LineFilterOp, values: readonly string[]): (line: string) => boolean {
  switch (op) {
    case '|=':
      return (l) => values.some((v) => l.includes(v));
    case '!=':
      return (l) => !values.some((v) => l.includes(v));
    case '|~':
    case '!~': {
      const res = values.map((v) => RE2JS.compile(v));
      const positive = op === '|~';
      return (l) => res.some((re) => re.matcher(l).find()) === positive;
    }
  }
}

function compileStage(s: Stage): StageFn {
  switch (s.kind) {
    case 'lineFilter': {
      const f = lineFilter(s.op, s.values);
      return (r) => f(r.line);
    }
    case 'json':
      return s.params.length === 0 ? jsonAll : jsonParams(s.params);
    case 'logfmt':
      return logfmtStage(s.params);
    case 'labelFilter': {
      const f = compileLabelFilter(s.filter);
      return f;
    }
    case 'lineFormat': {
      let t: LineTemplate;
      try {
        t = new LineTemplate(s.template);
      } catch (e) {
        if (e instanceof TemplateError) throw new LogQLParseError(e.message);
        throw e;
      }
      return (r) => {
        r.line = t.render({ label: (n) => r.get(n) ?? '', line: r.line, timeNs: r.timeNs });
        return true;
      };
    }
    case 'drop':
      return (r) => {
        for (const ref of s.labels) {
          const v = r.get(ref.name);
          if (v !== undefined && (!ref.matcher || ref.matcher.matches(v))) r.dropped.add(ref.name);
        }
        return true;
      };
    case 'keep': {
      const names = new Set(s.labels.map((l) => l.name));
      return (r) => {
        const all = [...r.stream.map((l) => l.name), ...r.metadata.map((l) => l.name), ...r.parsed.keys()];
        for (const n of all) if (!names.has(n)) r.dropped.add(n);
        for (const ref of s.labels) if (ref.matcher && r.get(ref.name) !== ref.matcher.value) r.dropped.add(ref.name);
        return true;
      };
    }
    case 'decolorize':
      return (r) => {
        r.line = r.line.replace(/\x1b\[[0-9;]*m/g, '');
        return true;
      };
  }
}

// ---------------------------------------------------------------- json

function jsonAll(r: RecordState): boolean {
  let v: unknown;
  try {
    v = JSON.parse(r.line);
  } catch (e) {
    r.setError('JSONParserErr', e instanceof Error ? e.message : String(e));
    return true;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    r.setError('JSONParserErr', "Value looks like object, but can't find closing '}' symbol");
    return true;
  }
  flatten(r, '', v as Record<string, unknown>, 0);
  return true;
}

function flatten(r: RecordState, prefix: string, obj: Record<string, unknown>, depth: number): void {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix + normalizeLabelName(k);
    if (v !== null && typeof v === 'object') {
      if (!Array.isArray(v) && depth < 32) flatten(r, name + '_', v as Record<string, unknown>, depth + 1);
      continue;
    }
    r.setParsed(name, jsonScalar(v));
  }
}

function jsonScalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return String(v);
}

function jsonParams(params: readonly { name: string; source: string }[]): StageFn {
  const paths = params.map((p) => ({ name: p.name, path: parseJsonPath(p.source === '' ? p.name : p.source) }));
  return (r) => {
    let v: unknown;
    try {
      v = JSON.parse(r.line);
    } catch (e) {
      r.setError('JSONParserErr', e instanceof Error ? e.message : String(e));
      return true;
    }
    for (const p of paths) {
      let cur: unknown = v;
      for (const step of p.path) {
        if (cur === null || typeof cur !== 'object') {
          cur = undefined;
          break;
        }
        cur = (cur as Record<string | number, unknown>)[step];
      }
      if (cur === undefined) r.setParsed(p.name, '');
      else r.setParsed(p.name, typeof cur === 'object' && cur !== null ? JSON.stringify(cur) : jsonScalar(cur));
    }
    return true;
  };
}

/** a.b[0]["c d"] → ['a', 'b', 0, 'c d'] */
function parseJsonPath(s: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of s.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

// ---------------------------------------------------------------- logfmt

/** key=value pairs (values bare or double-quoted with escapes); a bare key has the value "". */
export function parseLogfmt(line: string): [string, string][] | string {
  const out: [string, string][] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line[i]! <= ' ') i++;
    if (i >= n) break;
    let key = '';
    while (i < n && line[i] !== '=' && line[i]! > ' ' && line[i] !== '"') key += line[i++];
    if (key === '') return `logfmt syntax error at pos ${i + 1} : unexpected '${line[i]}'`;
    if (line[i] !== '=') {
      out.push([key, '']);
      continue;
    }
    i++;
    let value = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = line[i]!;
        if (c === '\\' && i + 1 < n) {
          const e = line[i + 1]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return `logfmt syntax error at pos ${i + 1} : unterminated quoted value`;
    } else {
      while (i < n && line[i]! > ' ') value += line[i++];
    }
    out.push([key, value]);
  }
  return out;
}

function logfmtStage(params: readonly { name: string; source: string }[]): StageFn {
  const wanted = params.length ? new Map(params.map((p) => [p.source === '' ? p.name : p.source, p.name])) : undefined;
  return (r) => {
    const pairs = parseLogfmt(r.line);
    if (typeof pairs === 'string') {
      r.setError('LogfmtParserErr', pairs);
      return true;
    }
    for (const [k, v] of pairs) {
      if (wanted) {
        const as = wanted.get(k);
        if (as !== undefined) r.setParsed(as, v);
      } else r.setParsed(normalizeLabelName(k), v);
    }
    return true;
  };
}

// ---------------------------------------------------------------- label filters

function compileLabelFilter(f: LabelFilter): StageFn {
  switch (f.kind) {
    case 'and': {
      const l = compileLabelFilter(f.left);
      const rt = compileLabelFilter(f.right);
      return (r) => l(r) && rt(r);
    }
    case 'or': {
      const l = compileLabelFilter(f.left);
      const rt = compileLabelFilter(f.right);
      return (r) => l(r) || rt(r);
    }
    case 'string': {
      const m = f.matcher;
      const isId = (m.name === 'trace_id' || m.name === 'span_id') && m.type === '=';
      const want = m.value.toLowerCase();
      return (r) => {
        const v = r.get(m.name) ?? '';
        // IDs are stored lower-case: an upper-case ID from a trace view still finds them
        return isId ? v === want : m.matches(v);
      };
    }
    case 'number': {
      const cmp = comparator(f.op);
      const read = f.unit === 'number' ? parseNumber : f.unit === 'duration' ? parseDurationNs : parseHumanBytes;
      return (r) => {
        const raw = r.get(f.name);
        if (raw === undefined) return false;
        const v = read(raw);
        if (v === undefined) {
          r.setError('LabelFilterErr', `error converting label value '${raw}' for label filter`);
          return true;
        }
        return cmp(v, f.value);
      };
    }
  }
}

function parseNumber(s: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) return undefined;
  return Number(s);
}

function parseHumanBytes(s: string): number | undefined {
  const t = s.replace(/\s+/g, '');
  const n = parseNumber(t);
  return n !== undefined ? n : parseBytes(t);
}

function comparator(op: NumberOp): (a: number, b: number) => boolean {
  switch (op) {
    case '>':
      return (a, b) => a > b;
    case '>=':
      return (a, b) => a >= b;
    case '<':
      return (a, b) => a < b;
    case '<=':
      return (a, b) => a <= b;
    case '==':
      return (a, b) => a === b;
    case '!=':
      return (a, b) => a !== b;
  }
}
