// The PromQL abstract syntax tree, node for node as Prometheus 2.42 defines it (promql/parser/ast.go),
// so that the engine's semantics can follow Prometheus's. Durations are in milliseconds.
import type { Matcher } from '../../labels/matcher.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string' | 'none';

/** Byte offsets into the query text, for error messages ("1:5: parse error: ...") */
export interface PosRange {
  readonly start: number;
  readonly end: number;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile';

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '^' | 'atan2' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless';

export type VectorMatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: VectorMatchCardinality;
  /** labels of on(...) or ignoring(...) */
  readonly matchingLabels: readonly string[];
  /** true for on(...), false for ignoring(...) or no clause */
  readonly on: boolean;
  /** labels of group_left(...)/group_right(...) */
  readonly include: readonly string[];
}

/** '@ start()' / '@ end()' preprocessors */
export type AtModifier = 'start' | 'end' | undefined;

export interface NumberLiteral {
  readonly type: 'NumberLiteral';
  readonly val: number;
  readonly pos: PosRange;
}

export interface StringLiteral {
  readonly type: 'StringLiteral';
  readonly val: string;
  readonly pos: PosRange;
}

export interface VectorSelector {
  readonly type: 'VectorSelector';
  /** metric name if given outside braces, else '' */
  readonly name: string;
  /** includes the __name__ matcher when a name was given */
  readonly matchers: readonly Matcher[];
  /** offset in ms (may be negative) */
  readonly offset: number;
  /** @ timestamp in ms, or undefined */
  readonly timestamp: number | undefined;
  readonly startOrEnd: AtModifier;
  readonly pos: PosRange;
}

export interface MatrixSelector {
  readonly type: 'MatrixSelector';
  readonly vectorSelector: VectorSelector;
  /** range in ms */
  readonly range: number;
  readonly pos: PosRange;
}

export interface SubqueryExpr {
  readonly type: 'SubqueryExpr';
  readonly expr: Expr;
  readonly range: number;
  /** step in ms; 0 means the engine's default evaluation interval */
  readonly step: number;
  readonly offset: number;
  readonly timestamp: number | undefined;
  readonly startOrEnd: AtModifier;
  readonly pos: PosRange;
}

export interface AggregateExpr {
  readonly type: 'AggregateExpr';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** parameter of topk, bottomk, quantile, count_values */
  readonly param: Expr | undefined;
  readonly grouping: readonly string[];
  /** true for without(...) */
  readonly without: boolean;
  readonly pos: PosRange;
}

export interface BinaryExpr {
  readonly type: 'BinaryExpr';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** set when both sides are vectors */
  readonly matching: VectorMatching | undefined;
  readonly returnBool: boolean;
  readonly pos: PosRange;
}

export interface Call {
  readonly type: 'Call';
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PosRange;
}

export interface ParenExpr {
  readonly type: 'ParenExpr';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export interface UnaryExpr {
  readonly type: 'UnaryExpr';
  readonly op: '+' | '-';
  readonly expr: Expr;
  readonly pos: PosRange;
}

/** Wraps a subtree whose value does not change across steps (Prometheus's step-invariant optimisation). */
export interface StepInvariantExpr {
  readonly type: 'StepInvariantExpr';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | AggregateExpr
  | BinaryExpr
  | Call
  | ParenExpr
  | UnaryExpr
  | StepInvariantExpr;

/** A node's operands, in the order Prometheus's parser.Children lists them. */
export function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
      return [];
    case 'MatrixSelector':
      return [e.vectorSelector];
    case 'AggregateExpr':
      return e.param ? [e.expr, e.param] : [e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    case 'Call':
      return [...e.args];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'StepInvariantExpr':
      return [e.expr];
  }
}

/** A parse error in Prometheus's shape; String() is "1:5: parse error: unexpected ..." for single-line queries. */
export interface ParseErrorPosition {
  readonly pos: PosRange;
  readonly err: string;
  readonly query: string;
}
