// Loki's mapping of OTLP logs onto its data model ("Format considerations" of Loki's OpenTelemetry
// page), so that LogQL written for Loki works unchanged here:
//  - the resource attributes Loki indexes by default become stream labels, the attribute name
//    with every character outside [a-zA-Z0-9_] turned into '_' (service.name → service_name);
//    a resource without service.name gets service_name="unknown_service", as Loki gives it;
//  - everything else becomes structured metadata: log attributes, observed_timestamp,
//    severity_number, severity_text, span_id, trace_id, scope_name, scope_version, scope
//    attributes and the other resource attributes; map values are flattened into one entry per
//    leaf (a.b → a_b), other non-string values are written as pcommon's AsString does;
//  - the body is the line (non-string bodies as their JSON text);
//  - detected_level comes from the severity number (text when the number is unset).
import { anyValueToString, type AnyValue, type KeyValue } from '../otlp/model.js';
import type { Label } from '../labels/labels.js';

/** Loki's default_resource_attributes_as_index_labels. */
export const DEFAULT_INDEX_LABEL_ATTRIBUTES: readonly string[] = [
  'cloud.availability_zone',
  'cloud.region',
  'container.name',
  'deployment.environment',
  'deployment.environment.name',
  'k8s.cluster.name',
  'k8s.container.name',
  'k8s.cronjob.name',
  'k8s.daemonset.name',
  'k8s.deployment.name',
  'k8s.job.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.replicaset.name',
  'k8s.statefulset.name',
  'service.instance.id',
  'service.name',
  'service.namespace',
];

const INDEXED = new Set(DEFAULT_INDEX_LABEL_ATTRIBUTES);

/** Prometheus-style label name: invalid characters to '_', a leading digit prefixed with "key_". */
export function normalizeLabelName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out === '') return '_';
  if (out.charCodeAt(0) >= 48 && out.charCodeAt(0) <= 57) out = 'key_' + out;
  return out;
}

/** Appends one metadata entry per leaf of an attribute (maps flattened with '_'). */
export function pushAttribute(out: Label[], prefix: string, value: AnyValue, depth = 0): void {
  if (value.kind === 'kvlist' && depth < 8) {
    for (const kv of value.value) pushAttribute(out, `${prefix}_${normalizeLabelName(kv.key)}`, kv.value, depth + 1);
    return;
  }
  out.push({ name: prefix, value: attributeText(value) });
}

export function pushAttributes(out: Label[], attrs: readonly KeyValue[]): void {
  for (const kv of attrs) pushAttribute(out, normalizeLabelName(kv.key), kv.value);
}

/** pcommon.Value.AsString: doubles without exponent, the rest as the model prints them. */
export function attributeText(v: AnyValue): string {
  if (v.kind === 'double')
    return Number.isInteger(v.value) && Math.abs(v.value) < 1e21 ? String(v.value) : fmtFloat(v.value);
  return anyValueToString(v);
}

function fmtFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  // strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, written out without an exponent
  return v.toLocaleString('en-US', { useGrouping: false, maximumSignificantDigits: 17 });
}

export interface StreamMapping {
  /** the stream labels, sorted by name */
  readonly labels: Label[];
  /** the resource attributes that are not labels, as structured metadata */
  readonly resourceMetadata: Label[];
}

/** A resource's stream labels and the rest of its attributes as structured metadata. */
export function mapResource(attrs: readonly KeyValue[]): StreamMapping {
  const labels: Label[] = [];
  const resourceMetadata: Label[] = [];
  let hasService = false;
  for (const kv of attrs) {
    if (INDEXED.has(kv.key)) {
      const value = attributeText(kv.value);
      if (value === '') continue;
      if (kv.key === 'service.name') hasService = true;
      labels.push({ name: normalizeLabelName(kv.key), value });
    } else {
      pushAttribute(resourceMetadata, normalizeLabelName(kv.key), kv.value);
    }
  }
  if (!hasService) labels.push({ name: 'service_name', value: 'unknown_service' });
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // duplicate names (two attributes normalizing to one label): the first wins
  const unique = labels.filter((l, i) => i === 0 || labels[i - 1]!.name !== l.name);
  return { labels: unique, resourceMetadata };
}

/** The detected levels, in severity order (the index a chunk stores). */
export const LEVELS = ['unknown', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** The OTLP severity number's level, as Loki's detected_level names it. */
export function levelFromSeverity(severityNumber: number, severityText: string): Level {
  if (severityNumber > 0) {
    if (severityNumber <= 4) return 'trace';
    if (severityNumber <= 8) return 'debug';
    if (severityNumber <= 12) return 'info';
    if (severityNumber <= 16) return 'warn';
    if (severityNumber <= 20) return 'error';
    if (severityNumber <= 24) return 'fatal';
    return 'unknown';
  }
  const t = severityText.toLowerCase();
  if (t === '') return 'unknown';
  if (t.startsWith('trace')) return 'trace';
  if (t.startsWith('debug') || t === 'dbg') return 'debug';
  if (t.startsWith('info') || t === 'inf' || t === 'notice') return 'info';
  if (t.startsWith('warn') || t === 'wrn') return 'warn';
  if (t.startsWith('err') || t === 'eror') return 'error';
  if (t.startsWith('fatal') || t === 'critical' || t === 'crit' || t === 'panic' || t === 'emergency') return 'fatal';
  return 'unknown';
}

/** The log line: a string body as is, anything else as its text (JSON for maps and arrays). */
export function bodyLine(body: AnyValue): string {
  return attributeText(body);
}
