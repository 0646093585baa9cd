// Control API of the load generator, reached by the console and the CLI through the backend's
// /api/load proxy: GET /api/load (state and Locust-like stats), PUT /api/load {users?, spawnRate?,
// running?}, DELETE /api/load/stats (reset the statistics).
import http from 'node:http';
import { validateUpdate, type LoadRunner } from './runner.js';

const MAX_BODY = 16 * 1024;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createLoadServer(runner: LoadRunner, log: (l: string) => void = (l) => console.error(l)): http.Server {
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const p = new URL(req.url ?? '/', 'http://load').pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (p === '/api/load' && method === 'GET') return send(res, 200, runner.snapshot());
    if (p === '/api/load' && (method === 'PUT' || method === 'POST')) {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (e) {
        return send(res, 400, { error: `body must be JSON {users?, spawnRate?, running?}: ${(e as Error).message}` });
      }
      const v = validateUpdate(body);
      if (!v.ok) return send(res, 400, { error: v.error });
      runner.configure(v.update);
      log(`[loadgenerator] ${JSON.stringify(v.update)}`);
      return send(res, 200, runner.snapshot());
    }
    if (p === '/api/load/stats' && method === 'DELETE') {
      runner.stats.reset();
      return send(res, 200, runner.snapshot());
    }
    if (p === '/healthz') return send(res, 200, { status: 'ok' });
    return send(res, 404, { error: `no route for ${method} ${p}` });
  };
  return http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
}
