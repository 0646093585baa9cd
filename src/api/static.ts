// Serves the console's built files (console/dist) at '/': exact files with their content types,
// index.html for client-side routes (paths without a file extension), no way out of the root
// (the resolved path must stay inside it; dot-segments and NUL are refused), and a page saying how
// to build the console when it is absent. Hashed assets under /assets/ are cached for a year.
import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Router } from './http.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const NOT_BUILT = `<!doctype html>
<html><head><meta charset="utf-8"><title>Orrery: console not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>console not built: run npm run build</h1>
<p>The backend is running (OTLP, <a href="/api/services">Jaeger API</a>,
<a href="/api/v1/status/buildinfo">Prometheus API</a>, <a href="/metrics">/metrics</a>),
but the web console's files were not found. Run <code>npm run build</code> and reload.</p>
</body></html>
`;

/**
 * Resolves a URL path to a file inside root, or undefined when the path is unsafe (encoded
 * separators, dot-segments, NUL) or escapes the root.
 */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return undefined;
  const absRoot = path.resolve(root);
  const file = path.resolve(absRoot, ...segments);
  if (file !== absRoot && !file.startsWith(absRoot + path.sep)) return undefined;
  return file;
}

export interface StaticOptions {
  /** the console's build directory */
  readonly root: string;
}

export function registerStatic(router: Router, opts: StaticOptions): void {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(opts.root, req, res);
  };
  // Fallbacks: any route of an API wins over the console's files and client-side routes.
  router.raw('GET', '/', handler, { fallback: true });
  router.raw('GET', '/*', handler, { fallback: true });
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headOnly = req.method === 'HEAD';
  const rawPath = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
  if (rawPath === '/api' || rawPath.startsWith('/api/')) {
    // Unknown API paths get a JSON 404, not the console's index.html.
    send(res, 404, 'application/json', JSON.stringify({ status: 'error', error: `no route for ${rawPath}` }), headOnly);
    return;
  }
  const file = resolveInside(root, rawPath);
  if (file === undefined) {
    send(res, 400, 'text/plain; charset=utf-8', 'bad path\n', headOnly);
    return;
  }
  const index = path.join(path.resolve(root), 'index.html');
  const stat = await fs.stat(file).catch(() => undefined);
  let target: string | undefined;
  if (stat?.isFile()) target = file;
  else if (stat?.isDirectory())
    target = (await isFile(path.join(file, 'index.html'))) ? path.join(file, 'index.html') : undefined;
  else if (path.extname(file) === '' || rawPath.endsWith('/')) target = index; // a client route
  if (target === undefined || !(await isFile(target))) {
    if (!(await isFile(index))) {
      send(res, rawPath === '/' || target === index ? 503 : 404, 'text/html; charset=utf-8', NOT_BUILT, headOnly);
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n', headOnly);
    return;
  }
  const size = (await fs.stat(target)).size;
  const headers: Record<string, string> = {
    'content-type': contentTypeFor(target),
    'content-length': String(size),
    'x-content-type-options': 'nosniff',
    'cache-control': rawPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  res.writeHead(200, headers);
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(target);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly: boolean): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
  res.end(headOnly ? undefined : body);
}
