// Every query of Prometheus's own PromQL test scripts (promql-v2.42 in the shared conformance
// folder, ORRERY_CONFORMANCE_DIR) must parse unless the script expects it to fail. The scripts are
// read where they are, never copied here. Without them: skipped with a warning, failed under CI.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { exprToString, parseExpr, ParseError } from './parser.js';
import { conformanceDir, describeNeeding, needPromqlConformance } from '../../../test/support/needs.js';

const DIR = join(conformanceDir(), 'promql-v2.42');

interface EvalLine {
  readonly file: string;
  readonly line: number;
  readonly kind: 'eval' | 'eval_fail' | 'eval_ordered';
  readonly query: string;
}

function loadQueries(): EvalLine[] {
  const out: EvalLine[] = [];
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.test'))
    .sort()) {
    const lines = readFileSync(join(DIR, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      // eval[_fail|_ordered] instant at <duration> <query>
      const m = /^\s*(eval|eval_fail|eval_ordered)\s+instant\s+at\s+\S+\s+(.*)$/.exec(text);
      if (m && m[1] && m[2] !== undefined) {
        out.push({ file, line: i + 1, kind: m[1] as EvalLine['kind'], query: m[2] });
      }
    });
  }
  return out;
}

const present = existsSync(DIR);

describeNeeding([needPromqlConformance()])('conformance scripts parse', () => {
  const queries = present ? loadQueries() : [];

  it('finds the eval lines', () => {
    expect(queries.length).toBeGreaterThan(400);
  });

  it('parses every eval and eval_ordered query, and prints it back to a query that parses the same', () => {
    const failures: string[] = [];
    for (const q of queries.filter((x) => x.kind !== 'eval_fail')) {
      try {
        const printed = exprToString(parseExpr(q.query));
        // String() output must itself be valid PromQL that prints identically.
        const again = exprToString(parseExpr(printed));
        if (again !== printed) failures.push(`${q.file}:${q.line}: ${q.query}: reprint ${printed} -> ${again}`);
      } catch (e) {
        failures.push(`${q.file}:${q.line}: ${q.query}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('eval_fail queries either fail to parse with a ParseError or parse (the failure is at run time)', () => {
    for (const q of queries.filter((x) => x.kind === 'eval_fail')) {
      try {
        parseExpr(q.query);
      } catch (e) {
        expect(e, `${q.file}:${q.line}`).toBeInstanceOf(ParseError);
      }
    }
  });
});
