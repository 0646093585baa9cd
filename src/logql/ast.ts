// The LogQL syntax tree: log queries (a stream selector and a pipeline) and metric queries
// (range aggregations over a log query, vector aggregations, arithmetic) as Loki defines them.
import type { Matcher } from '../labels/matcher.js';

export type LineFilterOp = '|=' | '!=' | '|~' | '!~';

export type Stage =
  /** `|= "a" or "b"`: the line contains (|=, |~) or lacks (!=, !~) one of the values */
  | { readonly kind: 'lineFilter'; readonly op: LineFilterOp; readonly values: readonly string[] }
  /** `| json` or `| json name="path.to[0]"` */
  | { readonly kind: 'json'; readonly params: readonly ExtractionParam[] }
  /** `| logfmt` or `| logfmt name="key"` */
  | { readonly kind: 'logfmt'; readonly params: readonly ExtractionParam[] }
  | { readonly kind: 'labelFilter'; readonly filter: LabelFilter }
  | { readonly kind: 'lineFormat'; readonly template: string }
  /** `| drop a, b="v"` and `| keep a, b` */
  | { readonly kind: 'drop' | 'keep'; readonly labels: readonly LabelRef[] }
  | { readonly kind: 'decolorize' };

export interface ExtractionParam {
  readonly name: string;
  /** the JSON path or logfmt key to read ('' = the name itself) */
  readonly source: string;
}

export interface LabelRef {
  readonly name: string;
  /** for drop: only when the label also satisfies this */
  readonly matcher?: Matcher;
}

export type NumberOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

export type LabelFilter =
  | { readonly kind: 'and' | 'or'; readonly left: LabelFilter; readonly right: LabelFilter }
  | { readonly kind: 'string'; readonly matcher: Matcher }
  /** a numeric comparison; `unit` says how the label's value is read (number, duration, bytes) */
  | {
      readonly kind: 'number';
      readonly name: string;
      readonly op: NumberOp;
      readonly value: number;
      readonly unit: 'number' | 'duration' | 'bytes';
    };

export interface LogQuery {
  readonly type: 'log';
  readonly matchers: readonly Matcher[];
  readonly stages: readonly Stage[];
}

export type RangeOp = 'count_over_time' | 'rate' | 'bytes_over_time' | 'bytes_rate' | 'absent_over_time';
export const RANGE_OPS: readonly RangeOp[] = [
  'count_over_time',
  'rate',
  'bytes_over_time',
  'bytes_rate',
  'absent_over_time',
];

export type VectorOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'stddev' | 'stdvar' | 'topk' | 'bottomk';
export const VECTOR_OPS: readonly VectorOp[] = [
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
];

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^';

export interface Grouping {
  readonly without: boolean;
  readonly labels: readonly string[];
}

export type SampleQuery =
  | {
      readonly type: 'range';
      readonly op: RangeOp;
      readonly log: LogQuery;
      readonly rangeNs: number;
      readonly offsetNs: number;
    }
  | {
      readonly type: 'vectorAgg';
      readonly op: VectorOp;
      /** k of topk/bottomk */
      readonly param?: number;
      readonly grouping?: Grouping;
      readonly expr: SampleQuery;
    }
  | { readonly type: 'binary'; readonly op: BinaryOp; readonly lhs: SampleQuery; readonly rhs: SampleQuery }
  | { readonly type: 'literal'; readonly value: number }
  /** vector(1): one sample without labels at every step */
  | { readonly type: 'vector'; readonly value: number };

export type Query = LogQuery | SampleQuery;

export function isLogQuery(q: Query): q is LogQuery {
  return q.type === 'log';
}
