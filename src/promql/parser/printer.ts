// exprToString prints an expression the way Prometheus 2.42's String() methods do
// (promql/parser/printer.go), for error messages, logs and tests.
import type { AtModifier, BinaryExpr, Expr, VectorSelector } from './ast.js';
import { formatDuration } from './format.js';
import { formatFloatFixed, formatFloatG } from '../../gocompat/float.js';
import { goQuote } from '../../gocompat/quote.js';

function offsetString(offset: number): string {
  if (offset > 0) return ` offset ${formatDuration(offset)}`;
  if (offset < 0) return ` offset -${formatDuration(-offset)}`;
  return '';
}

function atString(timestamp: number | undefined, startOrEnd: AtModifier): string {
  if (timestamp !== undefined) return ` @ ${formatFloatFixed(timestamp / 1000, 3)}`;
  if (startOrEnd === 'start') return ' @ start()';
  if (startOrEnd === 'end') return ' @ end()';
  return '';
}

/** Prometheus's matcher String(): name="value" with Go quoting. */
function matcherString(m: { name: string; type: string; value: string }): string {
  return `${m.name}${m.type}${goQuote(m.value)}`;
}

function vectorSelectorString(vs: VectorSelector, withModifiers: boolean): string {
  const parts: string[] = [];
  for (const m of vs.matchers) {
    // The name matcher is shown as the metric name, not inside the braces.
    if (m.name === '__name__' && m.type === '=' && m.value === vs.name) continue;
    parts.push(matcherString(m));
  }
  const mods = withModifiers ? atString(vs.timestamp, vs.startOrEnd) + offsetString(vs.offset) : '';
  if (parts.length === 0) return `${vs.name}${mods}`;
  // Go's sort.Strings compares bytes; for the ASCII label syntax code-unit order is the same.
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${vs.name}{${parts.join(',')}}${mods}`;
}

function matchingString(e: BinaryExpr): string {
  const vm = e.matching;
  if (vm === undefined || (vm.matchingLabels.length === 0 && !vm.on)) return '';
  let matching = ` ${vm.on ? 'on' : 'ignoring'} (${vm.matchingLabels.join(', ')})`;
  if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
    matching += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${vm.include.join(', ')})`;
  }
  return matching;
}

export function exprToString(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      return formatFloatG(e.val);
    case 'StringLiteral':
      return goQuote(e.val);
    case 'VectorSelector':
      return vectorSelectorString(e, true);
    case 'MatrixSelector': {
      const vs = e.vectorSelector;
      return `${vectorSelectorString(vs, false)}[${formatDuration(e.range)}]${atString(vs.timestamp, vs.startOrEnd)}${offsetString(vs.offset)}`;
    }
    case 'SubqueryExpr': {
      const step = e.step !== 0 ? formatDuration(e.step) : '';
      return `${exprToString(e.expr)}[${formatDuration(e.range)}:${step}]${atString(e.timestamp, e.startOrEnd)}${offsetString(e.offset)}`;
    }
    case 'AggregateExpr': {
      let s: string = e.op;
      if (e.without) s += ` without (${e.grouping.join(', ')}) `;
      else if (e.grouping.length > 0) s += ` by (${e.grouping.join(', ')}) `;
      s += '(';
      if (e.param !== undefined) s += `${exprToString(e.param)}, `;
      return `${s}${exprToString(e.expr)})`;
    }
    case 'BinaryExpr': {
      // Left-nested chains (a + b + c ...) are printed without recursing down the left side.
      const spine: BinaryExpr[] = [];
      let cur: Expr = e;
      while (cur.type === 'BinaryExpr') {
        spine.push(cur);
        cur = cur.lhs;
      }
      let out = exprToString(cur);
      for (let i = spine.length - 1; i >= 0; i--) {
        const b = spine[i] as BinaryExpr;
        out = `${out} ${b.op}${b.returnBool ? ' bool' : ''}${matchingString(b)} ${exprToString(b.rhs)}`;
      }
      return out;
    }
    case 'Call':
      return `${e.func}(${e.args.map(exprToString).join(', ')})`;
    case 'ParenExpr':
      return `(${exprToString(e.expr)})`;
    case 'UnaryExpr':
      return `${e.op}${exprToString(e.expr)}`;
    case 'StepInvariantExpr':
      return exprToString(e.expr);
  }
}
