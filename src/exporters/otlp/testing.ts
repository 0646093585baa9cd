// A fake upstream on loopback for the exporters' fault tests: it answers as told (accept, 500,
// 503, 429 with Retry-After, slowly, by resetting the connection, or not at all when stopped) and
// keeps every request body it accepted, gunzipped and snappy-decoded as sent (or, for benchmarks,
// only counts them). It can stop and start again on the same port, as an upstream that goes down
// and comes back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const snappy = require('snappyjs') as { uncompress(input: Uint8Array): Uint8Array };

export type UpstreamBehaviour =
  | { readonly kind: 'accept'; readonly body?: Uint8Array; readonly contentType?: string }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'reset' };

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** the body after Content-Encoding is undone */
  readonly body: Uint8Array;
  /** the body as it came */
  readonly raw: Uint8Array;
}

export class FakeUpstream {
  /** accepted requests, in arrival order */
  readonly accepted: ReceivedRequest[] = [];
  /** every request that arrived, whatever the answer */
  attempts = 0;
  behaviour: UpstreamBehaviour | ((attempt: number) => UpstreamBehaviour) = { kind: 'accept' };
  /** false: accepted requests are counted in acceptedRequests, neither decoded nor kept (a benchmark's sink) */
  keepBodies = true;
  acceptedRequests = 0;
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  /** stops listening and drops every open connection (the upstream is down) */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const attempt = ++this.attempts;
    const b = typeof this.behaviour === 'function' ? this.behaviour(attempt) : this.behaviour;
    const chunks: Buffer[] = [];
    if (this.keepBodies) req.on('data', (c: Buffer) => chunks.push(c));
    else req.resume();
    req.on('end', () => {
      if (b.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (b.kind === 'slow') {
        // never answers in time; the connection is dropped when the exporter gives up
        const t = setTimeout(() => res.end(), b.delayMs);
        res.on('close', () => clearTimeout(t));
        return;
      }
      if (b.kind === 'status') {
        res.writeHead(b.status, {
          'content-type': 'text/plain',
          ...(b.retryAfter !== undefined ? { 'retry-after': b.retryAfter } : {}),
        });
        res.end(b.body ?? '');
        return;
      }
      this.acceptedRequests++;
      if (!this.keepBodies) {
        res.writeHead(200, { 'content-type': b.contentType ?? 'application/x-protobuf' });
        res.end(b.body ?? Buffer.alloc(0));
        return;
      }
      const raw = Buffer.concat(chunks);
      const enc = req.headers['content-encoding'];
      const body = enc === 'gzip' ? gunzipSync(raw) : enc === 'snappy' ? snappy.uncompress(raw) : raw;
      this.accepted.push({ path: req.url ?? '', headers: req.headers, body, raw });
      res.writeHead(200, { 'content-type': b.contentType ?? 'application/x-protobuf' });
      res.end(b.body ?? Buffer.alloc(0));
    });
  }
}
