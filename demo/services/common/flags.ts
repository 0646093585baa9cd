// Feature flags through the OpenFeature server SDK with the OFREP provider: every evaluation is a
// POST to the flag service (http://$OFREP_ADDR/ofrep/v1/evaluate/flags/{key}) made with global
// fetch, so it shows in the trace as an undici client span joined to the flag service's server span.
import { randomUUID } from 'node:crypto';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import {
  ErrorCode,
  OpenFeature,
  type Client,
  type EvaluationDetails,
  type FlagValue,
  type Logger,
} from '@openfeature/server-sdk';
import { peerAddr, serviceName } from './env.js';
import { log } from './log.js';
import type { FLAGS } from '../../../src/names/contract.js';

export type FlagKey = (typeof FLAGS)[keyof typeof FLAGS];

// generous: when the leak blocks the event loop for seconds, a short timer fires before the answer is read
const EVALUATION_TIMEOUT_MS = 10_000;

// The SDK logs every failed evaluation; when the flag service restarts that is one line per
// request, so repeat messages are kept to one per 10 s.
const lastLogged = new Map<string, number>();
function throttled(level: 'warn' | 'error') {
  return (...args: unknown[]) => {
    const msg = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
    const now = Date.now();
    if ((lastLogged.get(msg) ?? 0) > now - 10_000) return;
    lastLogged.set(msg, now);
    log(level, `openfeature: ${msg}`);
  };
}
const quietLogger: Logger = { error: throttled('error'), warn: throttled('warn'), info: () => {}, debug: () => {} };

let client: Client | undefined;

function flagClient(): Client {
  if (!client) {
    OpenFeature.setLogger(quietLogger);
    OpenFeature.setProvider(
      new OFREPProvider({
        baseUrl: `http://${peerAddr('OFREP_ADDR')}`,
        // the provider sets no timeout of its own: a hung flag service must not hang the shop
        fetchImplementation: (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
          fetch(input, { ...init, signal: AbortSignal.timeout(EVALUATION_TIMEOUT_MS) }),
      }),
    );
    client = OpenFeature.getClient(serviceName());
  }
  return client;
}

/**
 * Whether a boolean flag is on for this request. A fresh targeting key per evaluation lets a
 * `fractional` rule split requests (contracts.md "Flags"). A flag whose variant is a probability
 * (a number from 0 to 1) is on with that probability. Any failure counts as off.
 */
export async function flagOn(key: FlagKey): Promise<boolean> {
  const c = flagClient();
  const details = await c.getBooleanDetails(key, false, { targetingKey: randomUUID() });
  if (details.errorCode !== ErrorCode.TYPE_MISMATCH) {
    logEvaluation(c, details, details.value);
    return details.value;
  }
  const numeric = await c.getNumberDetails(key, 0, { targetingKey: randomUUID() });
  const on = Math.random() < numeric.value;
  logEvaluation(c, numeric, on);
  return on;
}

/** The semantic conventions' feature_flag.evaluation event, one record per evaluation. */
export function evaluationRecord(
  providerName: string,
  details: EvaluationDetails<FlagValue>,
  on: boolean,
): { readonly message: string; readonly attributes: Record<string, string | number | boolean> } {
  const value = typeof details.value === 'object' ? JSON.stringify(details.value) : details.value;
  const attributes: Record<string, string | number | boolean> = {
    'feature_flag.key': details.flagKey,
    'feature_flag.provider.name': providerName,
    'feature_flag.result.value': value,
    'app.feature_flag.on': on,
  };
  // a failed evaluation has no variant: the SDK answered with the caller's default
  if (details.variant) attributes['feature_flag.result.variant'] = details.variant;
  if (details.reason) attributes['feature_flag.result.reason'] = details.reason.toLowerCase();
  if (details.errorCode) attributes['error.type'] = details.errorCode.toLowerCase();
  const error = details.errorCode ? ` (${details.errorCode}: ${details.errorMessage ?? 'no message'})` : '';
  const outcome = details.variant ? `variant ${details.variant}` : `value ${String(value)}`;
  return { message: `flag ${details.flagKey} evaluated: ${outcome}, ${on ? 'on' : 'off'}${error}`, attributes };
}

function logEvaluation(c: Client, details: EvaluationDetails<FlagValue>, on: boolean): void {
  const r = evaluationRecord(c.metadata.providerMetadata.name, details, on);
  log(details.errorCode ? 'warn' : 'info', r.message, r.attributes, {
    stdout: false,
    eventName: 'feature_flag.evaluation',
  });
}
