// The reference of bench:ingest's decode-only comparison (issue 14's speed goal): an OTLP/HTTP
// receiver that does nothing but decode. POST /v1/traces bodies are read whole, decoded with
// protobufjs over the project's OTLP schema (src/otlp/testing/protobufjs-schema.ts, as
// bench/decode.ts uses it), their spans counted and thrown away; the answer is an empty
// ExportTraceServiceResponse. No limits, no stores, no self-metrics: what any receiver must at
// least spend per span.
//
// startDecodeOnlyReceiver() runs it as its own process pinned like the backend;
// `node dist/bench/decode-only-receiver.js --port 0` runs it here: it prints {"port": N} once
// listening and {"spans": N}, the spans it decoded, when stopped (SIGTERM).
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../src/cli/args.js';
import { otlpRoot, TYPES } from '../src/otlp/testing/protobufjs-schema.js';
import { stopProcess } from './backend-process.js';

export interface RunningReference {
  readonly port: number;
  readonly pid: number;
  /** stops it; resolves with the spans it decoded */
  stop(): Promise<number>;
}

const SELF = fileURLToPath(import.meta.url);

/** The decode-only receiver as a process pinned to `cpu` (default 0), listening. */
export async function startDecodeOnlyReceiver(cpu = 0): Promise<RunningReference> {
  const child = spawn(
    'taskset',
    ['-c', String(cpu), process.execPath, '--max-old-space-size=8192', SELF, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  // stdio closes after the last line is read, whether the process is asked to stop or fails
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  for (let i = 0; lines.length === 0; i++) {
    if (child.exitCode !== null || i > 200) {
      await stopProcess(child);
      throw new Error(`decode-only receiver did not start (exit code ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const port = (JSON.parse(lines[0]!) as { port: number }).port;
  const stop = async (): Promise<number> => {
    await stopProcess(child);
    await closed;
    const last = lines.length > 1 ? (JSON.parse(lines[lines.length - 1]!) as { spans?: number }) : {};
    return last.spans ?? NaN;
  };
  return { port, pid: child.pid!, stop };
}

interface DecodedRequest {
  readonly resourceSpans?: readonly { readonly scopeSpans?: readonly { readonly spans?: readonly unknown[] }[] }[];
}

function serve(port: number): Promise<{ port: number; spans: () => number }> {
  const request = otlpRoot().lookupType(TYPES.traceRequest);
  let spans = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const decoded = request.decode(body) as DecodedRequest;
        for (const rs of decoded.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(err instanceof Error ? err.message : String(err));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({ port: (server.address() as AddressInfo).port, spans: () => spans }),
    ),
  );
}

if (process.argv[1] === SELF) {
  const { flags } = parseArgs(process.argv.slice(2), {
    port: { type: 'int', default: 0, help: 'port to listen on (0: a free one)' },
  });
  const { port, spans } = await serve(flags.port);
  process.stdout.write(JSON.stringify({ port }) + '\n');
  const stop = (): void => {
    process.stdout.write(JSON.stringify({ spans: spans() }) + '\n', () => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
