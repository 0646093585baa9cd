// `orrery flags list|set`: the demo's feature flags through the backend's /api/flags proxy, so
// the CLI needs only the console port (--port) of the running demo.
import { formatFlags, parseArgs, UsageError, type FlagSpecs } from '../../src/cli/args.js';

const FLAGS = {
  port: { type: 'port', env: 'ORRERY_PORT', default: 8080, help: 'console port of the running demo', metavar: 'PORT' },
  host: { type: 'string', env: 'ORRERY_HOST', default: '127.0.0.1', help: 'host of the running demo', metavar: 'HOST' },
  json: { type: 'bool', default: false, help: "print the API's JSON" },
} as const satisfies FlagSpecs;

export function usage(): string {
  return [
    'Usage: orrery flags list [options]',
    '       orrery flags set <flag> on|off|<probability 0..1> [options]',
    '',
    'Reads or sets the feature flags of a running demo (e.g. orrery flags set recommendationCache on).',
    '',
    'Options:',
    formatFlags(FLAGS),
    '',
  ].join('\n');
}

/** A failed call to the demo, with a message meant for the user. */
export class DemoApiError extends Error {}

/** JSON request to the running demo's backend; errors carry the API's reason. */
export async function demoApi(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new DemoApiError(
      `no demo answering on ${base} (${cause ?? (e as Error).message}); start one with: orrery demo --port ${new URL(base).port}`,
    );
  }
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // keep the text (a proxy error page, say)
  }
  if (!res.ok) {
    const reason =
      typeof json === 'object' && json !== null && 'error' in json
        ? String((json as { error: unknown }).error)
        : text.trim() || res.statusText;
    throw new DemoApiError(`${method} ${path}: ${res.status} ${reason}`);
  }
  return { status: res.status, json, headers: res.headers };
}

interface FlagRow {
  key: string;
  description: string;
  state: string;
  value: string | number;
  customTargeting?: boolean;
}

function showValue(v: string | number, custom?: boolean): string {
  if (typeof v === 'number') return `${Math.round(v * 1000) / 10}% on`;
  return custom ? `${v} (+targeting)` : v;
}

/** "on" | "off" stay strings, numbers become numbers; anything else goes as is for the service to refuse. */
export function flagValueArg(text: string): string | number {
  if (text === 'on' || text === 'off') return text;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, FLAGS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`orrery flags: ${err.message}\n\n${usage()}`);
    return 2;
  }
  if (parsed.help) {
    console.log(usage());
    return 0;
  }
  const [sub, ...args] = parsed.positionals;
  const f = parsed.flags;
  const base = `http://${f.host.includes(':') ? `[${f.host}]` : f.host}:${f.port}`;
  try {
    if (sub === 'list' && args.length === 0) {
      const { json, headers } = await demoApi(base, 'GET', '/api/flags');
      if (f.json) {
        console.log(JSON.stringify(json, null, 2));
        return 0;
      }
      const rows = json as FlagRow[];
      const width = Math.max(4, ...rows.map((r) => r.key.length)) + 2;
      console.log(`${'FLAG'.padEnd(width)}${'VALUE'.padEnd(14)}DESCRIPTION`);
      for (const r of rows) {
        const value = r.state === 'DISABLED' ? 'disabled' : showValue(r.value, r.customTargeting);
        console.log(`${r.key.padEnd(width)}${value.padEnd(14)}${r.description}`);
      }
      const err = headers.get('x-flags-error');
      if (err)
        console.error(
          `warning: the flag file has an error, the flags above are the last good ones: ${decodeURIComponent(err)}`,
        );
      return 0;
    }
    if (sub === 'set' && args.length === 2) {
      const [key, value] = args as [string, string];
      const { json } = await demoApi(base, 'PUT', `/api/flags/${encodeURIComponent(key)}`, {
        value: flagValueArg(value),
      });
      if (f.json) console.log(JSON.stringify(json, null, 2));
      else {
        const r = json as FlagRow;
        console.log(`${r.key} → ${showValue(r.value, r.customTargeting)}`);
      }
      return 0;
    }
  } catch (e) {
    if (!(e instanceof DemoApiError)) throw e;
    console.error(`orrery flags: ${e.message}`);
    return 1;
  }
  console.error(
    `orrery flags: ${sub === undefined ? 'missing subcommand' : `bad arguments for "${[sub, ...args].join(' ')}"`}\n\n${usage()}`,
  );
  return 2;
}
