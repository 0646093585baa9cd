// OFREP (OpenFeature Remote Evaluation Protocol, open-feature/protocol) evaluation over flagd-core:
// POST /ofrep/v1/evaluate/flags/{key} and the bulk POST /ofrep/v1/evaluate/flags. Pure functions
// from request body to status and JSON, so the HTTP layer only routes.
import { randomUUID } from 'node:crypto';
import type { FeatureFlag, FlagdCore } from '@openfeature/flagd-core';
import type { JsonValue } from './definitions.js';

export type OfrepErrorCode = 'FLAG_NOT_FOUND' | 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL';

export interface OfrepSuccess {
  key: string;
  value: JsonValue;
  reason: string;
  variant?: string;
  metadata: Record<string, string | number | boolean>;
}

export interface OfrepFailure {
  key: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

export interface OfrepResponse {
  status: number;
  body:
    | OfrepSuccess
    | OfrepFailure
    | { flags: Array<OfrepSuccess | OfrepFailure> }
    | { errorCode: OfrepErrorCode; errorDetails: string };
}

type EvalContext = Parameters<FeatureFlag['evaluate']>[0];

/** Parse `{"context": {...}}`; an empty body means an empty context. */
function parseContext(
  body: string,
): { ok: true; context: EvalContext } | { ok: false; errorCode: OfrepErrorCode; errorDetails: string } {
  let raw: unknown = {};
  if (body.trim() !== '') {
    try {
      raw = JSON.parse(body);
    } catch (e) {
      return {
        ok: false,
        errorCode: 'PARSE_ERROR',
        errorDetails: `request body is not valid JSON: ${(e as Error).message}`,
      };
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      errorCode: 'INVALID_CONTEXT',
      errorDetails: 'request body must be an object {"context": {...}}',
    };
  }
  const ctx = (raw as { context?: unknown }).context ?? {};
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: 'context must be an object' };
  }
  const context = { ...(ctx as EvalContext) };
  if (context.targetingKey !== undefined && typeof context.targetingKey !== 'string') {
    return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: 'targetingKey must be a string' };
  }
  // contracts.md: every evaluation gets a fresh targeting key, so a fractional rule splits per
  // request. A client that sends its own key (a user id) keeps sticky bucketing.
  if (!context.targetingKey) context.targetingKey = randomUUID();
  return { ok: true, context };
}

function statusOf(code: OfrepErrorCode): number {
  if (code === 'FLAG_NOT_FOUND') return 404;
  if (code === 'GENERAL') return 500;
  return 400;
}

function evaluateFlag(core: FlagdCore, key: string, context: EvalContext): OfrepSuccess | OfrepFailure {
  const flag = core.getFlag(key);
  if (!flag) return { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag '${key}' not found` };
  const metadata = flag.metadata as Record<string, string | number | boolean>;
  if (flag.state === 'DISABLED') {
    // A disabled flag serves its default variant with reason DISABLED.
    const variant = flag.defaultVariant;
    const value = variant === undefined ? null : ((flag.variants.get(variant) as JsonValue | undefined) ?? null);
    return { key, value, reason: 'DISABLED', variant, metadata };
  }
  const r = flag.evaluate(context);
  if (r.reason === 'ERROR') {
    const known: readonly string[] = [
      'FLAG_NOT_FOUND',
      'PARSE_ERROR',
      'TARGETING_KEY_MISSING',
      'INVALID_CONTEXT',
      'GENERAL',
    ];
    const code = (r.errorCode && known.includes(r.errorCode) ? r.errorCode : 'GENERAL') as OfrepErrorCode;
    return { key, errorCode: code, errorDetails: r.errorMessage ?? 'evaluation failed' };
  }
  if (r.value === undefined) return { key, errorCode: 'GENERAL', errorDetails: `flag '${key}' has no default variant` };
  return { key, value: r.value as JsonValue, reason: r.reason, variant: r.variant, metadata };
}

export function evaluateSingle(core: FlagdCore, key: string, body: string): OfrepResponse {
  const parsed = parseContext(body);
  if (!parsed.ok)
    return {
      status: statusOf(parsed.errorCode),
      body: { key, errorCode: parsed.errorCode, errorDetails: parsed.errorDetails },
    };
  const result = evaluateFlag(core, key, parsed.context);
  return { status: 'errorCode' in result ? statusOf(result.errorCode) : 200, body: result };
}

export function evaluateBulk(core: FlagdCore, body: string): OfrepResponse {
  const parsed = parseContext(body);
  if (!parsed.ok) return { status: 400, body: { errorCode: parsed.errorCode, errorDetails: parsed.errorDetails } };
  const flags = [...core.getFlags().keys()].map((key) => evaluateFlag(core, key, parsed.context));
  return { status: 200, body: { flags } };
}
