// Attribute values as the span detail shows them: by type (booleans, numbers, strings), arrays and
// JSON pretty-printed, long text folded behind a preview. Always text: the view renders it as such.
import type { JaegerKeyValue } from '../../api/traces.js';

export type ValueKind = 'bool' | 'number' | 'string' | 'json' | 'binary';

export interface DisplayValue {
  readonly kind: ValueKind;
  /** the full text (pretty-printed for JSON) */
  readonly text: string;
  /** a one-line preview when the text is long or spans lines; undefined when shown whole */
  readonly preview?: string;
}

const FOLD_CHARS = 200;
const FOLD_LINES = 6;

/** A JSON object or array hiding in a string (OTLP arrays and maps arrive as JSON text). */
function asJson(s: string): unknown {
  const t = s.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

function fold(kind: ValueKind, text: string): DisplayValue {
  const lines = text.split('\n');
  if (text.length <= FOLD_CHARS && lines.length <= FOLD_LINES) return { kind, text };
  const first = lines[0]!;
  const preview = first.length > 80 ? `${first.slice(0, 80)}…` : `${first}…`;
  return { kind, text, preview: `${preview} (${text.length} characters)` };
}

export function displayValue(kv: Pick<JaegerKeyValue, 'type' | 'value'>): DisplayValue {
  const v = kv.value;
  switch (kv.type) {
    case 'bool':
      return { kind: 'bool', text: String(v) };
    case 'int64':
    case 'float64':
      return { kind: 'number', text: String(v) };
    case 'binary':
      return fold('binary', String(v));
  }
  if (typeof v === 'boolean') return { kind: 'bool', text: String(v) };
  if (typeof v === 'number') return { kind: 'number', text: String(v) };
  const parsed = asJson(v);
  if (parsed !== undefined) return fold('json', JSON.stringify(parsed, null, 2));
  return fold('string', v);
}
