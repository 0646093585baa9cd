// A runner for Prometheus's PromQL test scripts (promql/testdata/*.test, format of Prometheus
// 2.42's promql/test.go): `load <interval>` blocks of series, `clear`, and `eval`, `eval_fail`,
// `eval_ordered` commands with expected samples. Like Prometheus, every eval is also run with
// the @ modifier pinned at several times and in range mode, and results are compared with a
// relative tolerance.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Expr, SubqueryExpr, VectorSelector } from './parser/ast.js';
import { parseExpr } from './parser/parser.js';
import { parseDuration } from './parser/format.js';
import { Head } from '../tsdb/head.js';
import { labelsFromRecord, type Labels } from '../labels/labels.js';
import { Engine } from './engine.js';
import { SnapshotQuerier } from './snapshot.js';
import type { Querier } from '../storage/storage.js';
import { AT_MODIFIER_UNSAFE_FUNCTIONS } from './functions.js';
import { QueryError, type QueryValue, type VectorSample } from './value.js';
import { goLabelsString, keyOf } from './series.js';
import { formatFloatV, parseGoFloat } from '../gocompat/float.js';

export interface TestFailure {
  readonly file: string;
  /** 1-based line of the command that failed */
  readonly line: number;
  readonly message: string;
}

export interface TestResult {
  passed: number;
  failed: TestFailure[];
}

// ---- the script format -------------------------------------------------------------------

interface SeqValue {
  readonly omitted: boolean;
  readonly stale: boolean;
  readonly value: number;
}

interface LoadCmd {
  readonly kind: 'load';
  readonly line: number;
  readonly gap: number;
  /** by label key: a later line for the same series replaces the earlier one, as in test.go */
  readonly series: Map<string, { labels: Labels; values: SeqValue[] }>;
}

interface ClearCmd {
  readonly kind: 'clear';
  readonly line: number;
}

interface Expectation {
  readonly labels: Labels;
  readonly value: number;
  /** 1-based position in the expected list (for eval_ordered) */
  readonly pos: number;
}

interface EvalCmd {
  readonly kind: 'eval';
  readonly line: number;
  readonly expr: string;
  readonly time: number;
  readonly fail: boolean;
  readonly ordered: boolean;
  /** a bare number expectation (scalar result) */
  scalar: number | undefined;
  readonly expected: Map<string, Expectation>;
}

/** A command that could not be parsed; reported as a failure. */
interface BadCmd {
  readonly kind: 'bad';
  readonly line: number;
  readonly message: string;
}

type Command = LoadCmd | ClearCmd | EvalCmd | BadCmd;

class ScriptError extends Error {}

const EVAL_RE = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const LOAD_RE = /^load\s+(.+?)$/;

/** Go's strconv.ParseInt(s, 0, 64) then ParseFloat, as test.go's parseNumber. */
function parseNumber(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|[1-9][0-9_]*|0)$/.exec(s);
  if (m) {
    let body = m[2]!.replace(/_/g, '');
    let radix = 10;
    if (/^0[xX]/.test(body)) [radix, body] = [16, body.slice(2)];
    else if (/^0[bB]/.test(body)) [radix, body] = [2, body.slice(2)];
    else if (/^0[oO]/.test(body)) [radix, body] = [8, body.slice(2)];
    else if (body.length > 1 && body.startsWith('0')) [radix, body] = [8, body.slice(1)];
    const n = parseInt(body, radix);
    if (!Number.isNaN(n)) return m[1] === '-' ? -n : n;
  }
  return parseGoFloat(s);
}

/** A number as the series-description lexer reads it (no hex: 0x10 means 0 repeated). */
const NUM = String.raw`(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN])`;
const ITEM_RE = new RegExp(`^([+-]?${NUM})(?:([+-]${NUM})?x([0-9]+))?$`);

function parseNum(s: string): number {
  const sign = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[+-]/, '').toLowerCase();
  if (body === 'inf') return sign * Infinity;
  if (body === 'nan') return NaN;
  return sign * Number(body);
}

/** Parses the values of a series description: `1 2 _ stale 0+10x5 _x3 1-2x4`. */
function parseValues(text: string): SeqValue[] {
  const out: SeqValue[] = [];
  for (const item of text.split(/\s+/).filter((x) => x !== '')) {
    if (item === '_') {
      out.push({ omitted: true, stale: false, value: 0 });
      continue;
    }
    const blank = /^_x([0-9]+)$/.exec(item);
    if (blank) {
      for (let i = 0; i < Number(blank[1]); i++) out.push({ omitted: true, stale: false, value: 0 });
      continue;
    }
    if (item === 'stale') {
      out.push({ omitted: false, stale: true, value: NaN });
      continue;
    }
    const staleTimes = /^stalex([0-9]+)$/.exec(item);
    if (staleTimes) {
      for (let i = 0; i <= Number(staleTimes[1]); i++) out.push({ omitted: false, stale: true, value: NaN });
      continue;
    }
    const m = ITEM_RE.exec(item);
    if (!m) throw new ScriptError(`unexpected "${item}" in series values`);
    let v = parseNum(m[1]!);
    if (m[3] === undefined) {
      out.push({ omitted: false, stale: false, value: v });
      continue;
    }
    const times = Number(m[3]);
    const delta = m[2] !== undefined ? parseNum(m[2]) : 0;
    // Repeated addition, as Prometheus's parser does (so float rounding matches).
    for (let i = 0; i <= times; i++) {
      out.push({ omitted: false, stale: false, value: v });
      v += delta;
    }
  }
  return out;
}

function unquote(s: string): string {
  const q = s[0];
  const body = s.slice(1, -1);
  if (q === '`') return body;
  if (q === '"') return JSON.parse(s.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
  return JSON.parse('"' + body.replace(/\\'/g, "'").replace(/"/g, '\\"') + '"') as string;
}

/** Parses `metric{a="b", c='d'} <values>` (name and labels optional) into labels and the value text. */
function parseSeriesDesc(line: string): { labels: Labels; rest: string } {
  let i = 0;
  const rec: Record<string, string> = {};
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (name) {
    rec['__name__'] = name[0];
    i = name[0].length;
  }
  const skipWs = (): void => {
    while (i < line.length && /\s/.test(line[i]!)) i++;
  };
  skipWs();
  if (line[i] === '{') {
    i++;
    for (;;) {
      skipWs();
      if (line[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!ln) throw new ScriptError(`invalid label name in ${JSON.stringify(line)}`);
      i += ln[0].length;
      skipWs();
      if (line[i] !== '=') throw new ScriptError(`expected "=" in ${JSON.stringify(line)}`);
      i++;
      skipWs();
      const str = /^("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/.exec(line.slice(i));
      if (!str) throw new ScriptError(`invalid label value in ${JSON.stringify(line)}`);
      i += str[0].length;
      rec[ln[0]] = unquote(str[0]);
      skipWs();
      if (line[i] === ',') i++;
    }
  } else if (!name) {
    throw new ScriptError(`invalid series description ${JSON.stringify(line)}`);
  }
  return { labels: labelsFromRecord(rec), rest: line.slice(i) };
}

/** Splits a script into commands, following test.go's parse (comments become blank lines). */
export function parseScript(input: string): Command[] {
  const lines = input.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    const word = l.split(/[\t ]+/, 1)[0]!.toLowerCase();
    const lineNo = i + 1;
    try {
      if (word === 'clear') {
        cmds.push({ kind: 'clear', line: lineNo });
      } else if (word === 'load') {
        const m = LOAD_RE.exec(l);
        if (!m) throw new ScriptError('invalid load command. (load <step:duration>)');
        const gap = parseDuration(m[1]!);
        const cmd: LoadCmd = { kind: 'load', line: lineNo, gap, series: new Map() };
        while (i + 1 < lines.length && lines[i + 1] !== '') {
          i++;
          const { labels, rest } = parseSeriesDesc(lines[i]!);
          cmd.series.set(keyOf(labels), { labels, values: parseValues(rest) });
        }
        cmds.push(cmd);
      } else if (word.startsWith('eval')) {
        const m = EVAL_RE.exec(l);
        if (!m) {
          throw new ScriptError(
            'invalid evaluation command. (eval[_fail|_ordered] instant [at <offset:duration>] <query>',
          );
        }
        const cmd: EvalCmd = {
          kind: 'eval',
          line: lineNo,
          expr: m[3]!,
          time: parseDuration(m[2] ?? ''),
          fail: m[1] === 'fail',
          ordered: m[1] === 'ordered',
          scalar: undefined,
          expected: new Map(),
        };
        for (let j = 1; i + 1 < lines.length && lines[i + 1] !== ''; j++) {
          i++;
          const def = lines[i]!;
          const num = parseNumber(def);
          if (num !== undefined) {
            cmd.scalar = num;
            break;
          }
          const { labels, rest } = parseSeriesDesc(def);
          const vals = parseValues(rest);
          if (vals.length > 1) throw new ScriptError('expecting multiple values in instant evaluation not allowed');
          cmd.expected.set(keyOf(labels), { labels, value: vals[0]?.value ?? NaN, pos: j });
        }
        cmds.push(cmd);
      } else {
        throw new ScriptError(`invalid command ${JSON.stringify(l)}`);
      }
    } catch (e) {
      cmds.push({ kind: 'bad', line: i + 1, message: e instanceof Error ? e.message : String(e) });
      // Skip the rest of the block: its lines belong to the broken command.
      while (i + 1 < lines.length && lines[i + 1] !== '') i++;
    }
  }
  return cmds;
}

// ---- comparison --------------------------------------------------------------------------

const MIN_NORMAL = 2.2250738585072014e-308;
const EPSILON = 0.000001;

/** test.go's almostEqual: NaN equals NaN, otherwise a relative error below 1e-6. */
export function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || diff < MIN_NORMAL) return diff < EPSILON * MIN_NORMAL;
  return diff / (Math.abs(a) + Math.abs(b)) < EPSILON;
}

function fmtValue(v: number): string {
  return formatFloatV(v);
}

/** Compares a result with the expectations; returns an error message or undefined. */
function compareResult(cmd: EvalCmd, result: QueryValue): string | undefined {
  switch (result.type) {
    case 'matrix':
      return 'received range result on instant evaluation';
    case 'string':
      return `unexpected string result ${JSON.stringify(result.v)}`;
    case 'scalar':
      if (cmd.scalar === undefined) return `expected a vector but got Scalar ${fmtValue(result.v)}`;
      if (!almostEqual(cmd.scalar, result.v))
        return `expected Scalar ${fmtValue(cmd.scalar)} but got ${fmtValue(result.v)}`;
      return undefined;
    case 'vector':
      return compareVector(cmd, result.samples);
  }
}

function compareVector(cmd: EvalCmd, samples: readonly VectorSample[]): string | undefined {
  const seen = new Set<string>();
  for (let pos = 0; pos < samples.length; pos++) {
    const s = samples[pos]!;
    const key = keyOf(s.metric);
    const exp = cmd.expected.get(key);
    if (!exp) return `unexpected metric ${goLabelsString(s.metric)} in result`;
    if (cmd.ordered && exp.pos !== pos + 1) {
      return `expected metric ${goLabelsString(s.metric)} with [${fmtValue(exp.value)}] at position ${exp.pos} but was at ${pos + 1}`;
    }
    if (!almostEqual(exp.value, s.v)) {
      return `expected ${fmtValue(exp.value)} for ${goLabelsString(s.metric)} but got ${fmtValue(s.v)}`;
    }
    seen.add(key);
  }
  if (cmd.scalar !== undefined)
    return `expected Scalar ${fmtValue(cmd.scalar)} but got a vector of ${samples.length} samples`;
  for (const [key, exp] of cmd.expected) {
    if (!seen.has(key)) return `expected metric ${goLabelsString(exp.labels)} with [${fmtValue(exp.value)}] not found`;
  }
  return undefined;
}

// ---- @ modifier variants -----------------------------------------------------------------

/**
 * test.go's atModifierTestCases: pins every selector (and outermost subquery) without @ to the
 * evaluation time, then expects the same result at other evaluation times. Skipped when the
 * query uses a function whose result depends on the evaluation time.
 */
function atModifierVariants(expr: Expr, ts: number): { expr: Expr; time: number }[] {
  let unsafe = false;
  const pin = (e: Expr, underAtSubquery: boolean): Expr => {
    switch (e.type) {
      case 'VectorSelector':
        if (underAtSubquery || e.timestamp !== undefined || e.startOrEnd !== undefined) return e;
        return { ...e, timestamp: ts };
      case 'MatrixSelector': {
        const vs = e.vectorSelector;
        if (underAtSubquery || vs.timestamp !== undefined || vs.startOrEnd !== undefined) return e;
        return { ...e, vectorSelector: { ...vs, timestamp: ts } as VectorSelector };
      }
      case 'SubqueryExpr': {
        if (underAtSubquery) return { ...e, expr: pin(e.expr, true) };
        const pinned: SubqueryExpr =
          e.timestamp !== undefined || e.startOrEnd !== undefined ? e : { ...e, timestamp: ts };
        // Below a subquery with @, nothing is changed any more.
        return { ...pinned, expr: pin(e.expr, true) };
      }
      case 'Call':
        if (AT_MODIFIER_UNSAFE_FUNCTIONS.has(e.func)) unsafe = true;
        return { ...e, args: e.args.map((a) => pin(a, underAtSubquery)) };
      case 'AggregateExpr':
        return {
          ...e,
          expr: pin(e.expr, underAtSubquery),
          param: e.param ? pin(e.param, underAtSubquery) : undefined,
        };
      case 'BinaryExpr':
        return { ...e, lhs: pin(e.lhs, underAtSubquery), rhs: pin(e.rhs, underAtSubquery) };
      case 'ParenExpr':
      case 'UnaryExpr':
      case 'StepInvariantExpr':
        return { ...e, expr: pin(e.expr, underAtSubquery) } as Expr;
      case 'NumberLiteral':
      case 'StringLiteral':
        return e;
    }
  };
  const pinned = pin(expr, false);
  if (unsafe) return [];
  const times = ts === 0 ? [-1000, 0, 1000] : [-10 * ts, 0, Math.trunc(ts / 5), ts, 10 * ts];
  return times.map((time) => ({ expr: pinned, time }));
}

// ---- running -----------------------------------------------------------------------------

/** Limits of Prometheus's test engine. */
const TEST_MAX_SAMPLES = 10000;
const TEST_TIMEOUT_MS = 100_000;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Evaluates over a snapshot of what the expression reads, as the worker pool does, and checks
 * that the evaluator asked for nothing outside the selectors' precomputed ranges.
 */
function overSnapshot(
  engine: Engine,
  head: Head,
  expr: Expr,
  start: number,
  end: number,
  evaluate: (q: Querier) => QueryValue,
): QueryValue {
  const q = new SnapshotQuerier(engine.snapshot(head, expr, start, end), expr);
  const res = evaluate(q);
  if (q.outsideRange > 0) throw new Error(`the evaluator read ${q.outsideRange} times outside the snapshot's ranges`);
  return res;
}

function runEval(engine: Engine, head: Head, cmd: EvalCmd): string | undefined {
  let expr: Expr;
  try {
    expr = parseExpr(cmd.expr);
  } catch (e) {
    return `parse error in ${JSON.stringify(cmd.expr)}: ${errorMessage(e)}`;
  }
  const queries = [{ expr, time: cmd.time }, ...atModifierVariants(expr, cmd.time)];
  for (const q of queries) {
    const label = q === queries[0] ? '' : ` (with @ pinned, evaluated at ${q.time}ms)`;
    let res: QueryValue;
    try {
      res = overSnapshot(engine, head, q.expr, q.time, q.time, (h) => engine.instantQueryExpr(h, q.expr, q.time));
    } catch (e) {
      if (cmd.fail) continue;
      return `error evaluating query${label}: ${errorMessage(e)}`;
    }
    if (cmd.fail) return `expected error evaluating query${label} but got none`;
    const err = compareResult(cmd, res);
    if (err) return `${err}${label}`;

    // The same query in range mode must give the same value at the middle step.
    let rangeRes: QueryValue;
    try {
      const [start, end] = [q.time - 60_000, q.time + 60_000];
      rangeRes = overSnapshot(engine, head, q.expr, start, end, (h) =>
        engine.rangeQueryExpr(h, q.expr, start, end, 60_000),
      );
    } catch (e) {
      return `error evaluating query in range mode${label}: ${errorMessage(e)}`;
    }
    if (cmd.ordered) continue; // ordering is not defined for range queries
    if (rangeRes.type !== 'matrix') return `range mode returned ${rangeRes.type}${label}`;
    const vec: VectorSample[] = [];
    for (const s of rangeRes.series) {
      const i = s.t.indexOf(q.time);
      if (i >= 0) vec.push({ metric: s.metric, t: q.time, v: s.v[i]! });
    }
    let rangeErr: string | undefined;
    if (res.type === 'scalar') {
      rangeErr =
        vec.length === 0
          ? 'no scalar value at the evaluation time'
          : compareResult(cmd, { type: 'scalar', t: q.time, v: vec[0]!.v });
    } else {
      rangeErr = compareResult(cmd, { type: 'vector', samples: vec });
    }
    if (rangeErr) return `range mode${label}: ${rangeErr}`;
  }
  return undefined;
}

/** Runs a script's commands; file is used in failure reports. */
export function runScript(content: string, file: string): TestResult {
  const result: TestResult = { passed: 0, failed: [] };
  let head = new Head();
  const engine = new Engine({ maxSamples: TEST_MAX_SAMPLES, timeoutMs: TEST_TIMEOUT_MS });
  for (const cmd of parseScript(content)) {
    switch (cmd.kind) {
      case 'bad':
        result.failed.push({ file, line: cmd.line, message: cmd.message });
        break;
      case 'clear':
        head = new Head();
        break;
      case 'load':
        for (const s of cmd.series.values()) {
          s.values.forEach((val, i) => {
            if (val.omitted) return;
            const t = i * cmd.gap;
            if (val.stale) head.appendStale(s.labels, t);
            else head.append(s.labels, t, val.value);
          });
        }
        break;
      case 'eval': {
        let err: string | undefined;
        try {
          err = runEval(engine, head, cmd);
        } catch (e) {
          err = `unexpected ${e instanceof QueryError ? e.errorType : 'internal'} error: ${errorMessage(e)}`;
        }
        if (err) result.failed.push({ file, line: cmd.line, message: `${cmd.expr}: ${err}` });
        else result.passed++;
        break;
      }
    }
  }
  return result;
}

export async function runTestFile(file: string): Promise<TestResult> {
  const content = await readFile(file, 'utf8');
  return runScript(content, file);
}

/** Runs every .test file of a directory (sorted by name) and sums the results. */
export async function runTestDir(dir: string): Promise<TestResult> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.test')).sort();
  const total: TestResult = { passed: 0, failed: [] };
  for (const n of names) {
    const r = await runTestFile(path.join(dir, n));
    total.passed += r.passed;
    total.failed.push(...r.failed);
  }
  return total;
}
