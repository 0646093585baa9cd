// The PromQL function table of Prometheus 2.42 (promql/parser/functions.go), as data: the parser
// type-checks calls against it and the engine imports it to know every function's signature.
import type { ValueType } from './ast.js';

export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /** 0: fixed arity; -1: the last argument type repeats without limit; n > 0: up to n optional trailing arguments */
  readonly variadic: number;
  readonly returnType: ValueType;
}

function fn(name: string, argTypes: ValueType[], variadic: number, returnType: ValueType): FunctionSignature {
  return { name, argTypes, variadic, returnType };
}

const LIST: readonly FunctionSignature[] = [
  fn('abs', ['vector'], 0, 'vector'),
  fn('absent', ['vector'], 0, 'vector'),
  fn('absent_over_time', ['matrix'], 0, 'vector'),
  fn('acos', ['vector'], 0, 'vector'),
  fn('acosh', ['vector'], 0, 'vector'),
  fn('asin', ['vector'], 0, 'vector'),
  fn('asinh', ['vector'], 0, 'vector'),
  fn('atan', ['vector'], 0, 'vector'),
  fn('atanh', ['vector'], 0, 'vector'),
  fn('avg_over_time', ['matrix'], 0, 'vector'),
  fn('ceil', ['vector'], 0, 'vector'),
  fn('changes', ['matrix'], 0, 'vector'),
  fn('clamp', ['vector', 'scalar', 'scalar'], 0, 'vector'),
  fn('clamp_max', ['vector', 'scalar'], 0, 'vector'),
  fn('clamp_min', ['vector', 'scalar'], 0, 'vector'),
  fn('cos', ['vector'], 0, 'vector'),
  fn('cosh', ['vector'], 0, 'vector'),
  fn('count_over_time', ['matrix'], 0, 'vector'),
  fn('days_in_month', ['vector'], 1, 'vector'),
  fn('day_of_month', ['vector'], 1, 'vector'),
  fn('day_of_week', ['vector'], 1, 'vector'),
  fn('day_of_year', ['vector'], 1, 'vector'),
  fn('deg', ['vector'], 0, 'vector'),
  fn('delta', ['matrix'], 0, 'vector'),
  fn('deriv', ['matrix'], 0, 'vector'),
  fn('exp', ['vector'], 0, 'vector'),
  fn('floor', ['vector'], 0, 'vector'),
  fn('histogram_count', ['vector'], 0, 'vector'),
  fn('histogram_sum', ['vector'], 0, 'vector'),
  fn('histogram_fraction', ['scalar', 'scalar', 'vector'], 0, 'vector'),
  fn('histogram_quantile', ['scalar', 'vector'], 0, 'vector'),
  fn('holt_winters', ['matrix', 'scalar', 'scalar'], 0, 'vector'),
  fn('hour', ['vector'], 1, 'vector'),
  fn('idelta', ['matrix'], 0, 'vector'),
  fn('increase', ['matrix'], 0, 'vector'),
  fn('irate', ['matrix'], 0, 'vector'),
  fn('label_replace', ['vector', 'string', 'string', 'string', 'string'], 0, 'vector'),
  fn('label_join', ['vector', 'string', 'string', 'string'], -1, 'vector'),
  fn('last_over_time', ['matrix'], 0, 'vector'),
  fn('ln', ['vector'], 0, 'vector'),
  fn('log10', ['vector'], 0, 'vector'),
  fn('log2', ['vector'], 0, 'vector'),
  fn('max_over_time', ['matrix'], 0, 'vector'),
  fn('min_over_time', ['matrix'], 0, 'vector'),
  fn('minute', ['vector'], 1, 'vector'),
  fn('month', ['vector'], 1, 'vector'),
  fn('pi', [], 0, 'scalar'),
  fn('predict_linear', ['matrix', 'scalar'], 0, 'vector'),
  fn('present_over_time', ['matrix'], 0, 'vector'),
  fn('quantile_over_time', ['scalar', 'matrix'], 0, 'vector'),
  fn('rad', ['vector'], 0, 'vector'),
  fn('rate', ['matrix'], 0, 'vector'),
  fn('resets', ['matrix'], 0, 'vector'),
  fn('round', ['vector', 'scalar'], 1, 'vector'),
  fn('scalar', ['vector'], 0, 'scalar'),
  fn('sgn', ['vector'], 0, 'vector'),
  fn('sin', ['vector'], 0, 'vector'),
  fn('sinh', ['vector'], 0, 'vector'),
  fn('sort', ['vector'], 0, 'vector'),
  fn('sort_desc', ['vector'], 0, 'vector'),
  fn('sqrt', ['vector'], 0, 'vector'),
  fn('stddev_over_time', ['matrix'], 0, 'vector'),
  fn('stdvar_over_time', ['matrix'], 0, 'vector'),
  fn('sum_over_time', ['matrix'], 0, 'vector'),
  fn('tan', ['vector'], 0, 'vector'),
  fn('tanh', ['vector'], 0, 'vector'),
  fn('time', [], 0, 'scalar'),
  fn('timestamp', ['vector'], 0, 'vector'),
  fn('vector', ['scalar'], 0, 'vector'),
  fn('year', ['vector'], 1, 'vector'),
];

/**
 * Every function of Prometheus 2.42 by name. histogram_count/histogram_sum/histogram_fraction
 * exist in 2.42 for native histograms; they parse, and the engine decides what they return.
 */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = Object.freeze(
  Object.fromEntries(LIST.map((f) => [f.name, f])),
);

export function getFunction(name: string): FunctionSignature | undefined {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}
