import { formatFloatF as goFormatFloatF } from '../../gocompat/float.js';
// OTLP → Prometheus metric and label names, following Prometheus's own OTLP translator
// (storage/remote/otlptranslator, "BuildCompliantName" with metric suffixes on): the name is split
// into alphanumeric tokens joined by '_', the unit is appended as a word (ms → milliseconds,
// s → seconds, By → bytes, …; units in braces dropped; "a/b" → "a_per_b"), monotonic sums end in
// `_total`, gauges of unit `1` end in `_ratio`, and a leading digit gets a '_' prefix.

/** Prometheus's unitMap: OTel (UCUM) unit → Prometheus word. Unknown units pass through. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

/** Prometheus's perUnitMap, for the part after '/'. */
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

export type OtlpMetricKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

const NON_ALNUM = /[^\p{L}\p{N}]+/u;

function tokens(s: string): string[] {
  return s.split(NON_ALNUM).filter((t) => t !== '');
}

/** Prometheus's cleanUpString: alphanumeric tokens joined by '_'. */
function cleanUp(s: string): string {
  return tokens(s).join('_');
}

/** The Prometheus word for an OTel unit ('' when the unit adds no suffix). */
export function unitWord(unit: string): string {
  const [main = '', per] = unit.split('/', 2) as [string?, string?];
  const m = main.trim();
  let out = m !== '' && !/[{}]/.test(m) ? cleanUp(UNIT_WORDS[m] ?? m) : '';
  const p = per?.trim() ?? '';
  if (p !== '' && !/[{}]/.test(p)) {
    const pw = cleanUp(PER_UNIT_WORDS[p] ?? p);
    if (pw !== '') out = out === '' ? `per_${pw}` : `${out}_per_${pw}`;
  }
  return out;
}

/**
 * The Prometheus metric name of an OTLP metric (for histograms and summaries, the family name to
 * which `_bucket`/`_sum`/`_count` are appended).
 */
export function prometheusMetricName(name: string, unit: string, kind: OtlpMetricKind, isMonotonic: boolean): string {
  let nameTokens = tokens(name);
  const [main = '', per] = unit.split('/', 2) as [string?, string?];
  const mainUnit = main.trim();
  if (mainUnit !== '' && !/[{}]/.test(mainUnit)) {
    const word = cleanUp(UNIT_WORDS[mainUnit] ?? mainUnit);
    if (word !== '' && !nameTokens.includes(word)) nameTokens.push(word);
  }
  const perUnit = per?.trim() ?? '';
  if (perUnit !== '' && !/[{}]/.test(perUnit)) {
    const word = cleanUp(PER_UNIT_WORDS[perUnit] ?? perUnit);
    if (word !== '' && !nameTokens.includes(word)) nameTokens.push('per', word);
  }
  if (kind === 'sum' && isMonotonic) nameTokens = [...nameTokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') nameTokens = [...nameTokens.filter((t) => t !== 'ratio'), 'ratio'];
  let out = nameTokens.join('_');
  if (out !== '' && /^[0-9]/.test(out)) out = '_' + out;
  return out;
}

/**
 * Prometheus's NormalizeLabel: invalid characters become '_', a leading digit gets `key_`, a single
 * leading '_' gets `key` (names starting with `__` are reserved and kept as they are).
 */
export function prometheusLabelName(name: string): string {
  if (name === '') return name;
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = 'key_' + out;
  else if (out.startsWith('_') && !out.startsWith('__')) out = 'key' + out;
  return out;
}

/**
 * Go's strconv.FormatFloat(x, 'f', -1, 64) for `le` and `quantile`, except that -0 prints as "0"
 * (this exporter always wrote it so; Go would write "-0").
 */
export function formatFloatF(x: number): string {
  return goFormatFloatF(x === 0 ? 0 : x);
}
