// The PromQL parser's public surface, for the engine and the HTTP API.
export * from './ast.js';
export { FUNCTIONS, getFunction, type FunctionSignature } from './functions.js';
export {
  parseExpr,
  parseMetricSelector,
  ParseError,
  exprType,
  parseDuration,
  formatDuration,
  exprToString,
} from './parser.js';
export { DurationError } from './format.js';
