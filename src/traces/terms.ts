// The search index's terms: what a stored span adds to the index (the encoder) and what a
// search looks up (search.ts) must hash alike, so both take them from here. Attribute terms are
// mix(hash(key), hash(value text)); the others are salted so they cannot meet an attribute's.
import { hashString, mix } from './intern.js';
import { JAEGER_SPAN_KINDS } from './storage.js';

const T_SERVICE = 0x5e5e1ce;
const T_OPERATION = 0x0be7a71;
const T_DURATION = 0x0d0a7105;

/**
 * Duration thresholds (µs) indexed per service: a span adds a term for every threshold it
 * reaches, so a minDuration search walks only traces with a long enough span of that service
 * (within a factor of ~3) instead of every trace of the service.
 */
export const DURATION_THRESHOLDS_US = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7, 1e8];

// Jaeger's derived tags (how it shows OTLP fields), searchable like attributes.
export const K_SPAN_KIND = 'span.kind';
export const K_STATUS_CODE = 'otel.status_code';
export const K_STATUS_DESC = 'otel.status_description';
export const K_ERROR = 'error';
export const K_SCOPE_NAME = 'otel.scope.name';
export const K_SCOPE_VERSION = 'otel.scope.version';
export const K_TRACE_STATE = 'w3c.tracestate';
/** otel.status_code's text per OTLP status code ('' for unset) */
export const STATUS_TEXT = ['', 'OK', 'ERROR'];

export const H_TRUE = hashString('true');
export const H_FALSE = hashString('false');
export const H_EMPTY = hashString('');
export const H_STATUS_DESC = hashString(K_STATUS_DESC);
export const H_TRACE_STATE = hashString(K_TRACE_STATE);

export function attrTerm(key: string, text: string): number {
  return mix(hashString(key), hashString(text));
}

export function serviceTerm(serviceId: number): number {
  return mix(T_SERVICE, serviceId);
}

export function operationTerm(serviceId: number, nameId: number): number {
  return mix(mix(T_OPERATION, serviceId), nameId);
}

/** The base that durationTerm mixes threshold k into (hoisted out of the encoder's loop). */
export function durationBase(serviceId: number): number {
  return mix(T_DURATION, serviceId);
}

/** The term of a span of this service reaching DURATION_THRESHOLDS_US[k]. */
export function durationTerm(serviceId: number, k: number): number {
  return mix(durationBase(serviceId), k);
}

/** span.kind terms per OTLP kind (-1: unspecified, not indexed) */
export const KIND_TERMS = JAEGER_SPAN_KINDS.map((k) => (k === '' ? -1 : attrTerm(K_SPAN_KIND, k)));
/** otel.status_code terms per OTLP status code (-1: unset, not indexed) */
export const STATUS_TERMS = STATUS_TEXT.map((s) => (s === '' ? -1 : attrTerm(K_STATUS_CODE, s)));
export const ERROR_TERM = attrTerm(K_ERROR, 'true');
