// Parsed JSON from the network or disk is `unknown` until checked: the one guard for "a JSON
// object" (not null, not an array), used by every reader of such answers and files.
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
