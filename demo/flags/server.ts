// HTTP side of the flag service: OFREP evaluation for the services, a management API for the
// console and the CLI (through the backend's /api/flags proxy), and a tiny page to flip flags.
import http from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { evaluateBulk, evaluateSingle } from './ofrep.js';
import { FlagValueError } from './definitions.js';
import { UnknownFlagError, type FlagStore } from './store.js';

export interface FlagServerOptions {
  store: FlagStore;
  /** backend annotations endpoint, e.g. http://127.0.0.1:8080/api/annotations */
  annotationsUrl?: string;
  log?: (line: string) => void;
}

const MAX_BODY = 64 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Post a chart marker to the backend; a failure is logged, never fatal. */
export async function postAnnotation(
  url: string | undefined,
  tags: string[],
  text: string,
  log: (l: string) => void,
): Promise<void> {
  if (!url) return;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ time: Date.now(), tags, text }),
      signal: AbortSignal.timeout(10_000), // a busy backend can be slow; the marker still matters
    });
    if (!res.ok) log(`[featureflagservice] error: annotation not recorded: ${url} answered ${res.status}`);
  } catch (e) {
    log(`[featureflagservice] error: annotation not recorded (${url}): ${(e as Error).message}`);
  }
}

/** Names the HTTP server span "<METHOD> <route>" (the instrumentation reads the route at the end). */
function setRoute(route: string): void {
  const meta = getRPCMetadata(context.active());
  if (meta?.type === RPCType.HTTP) meta.route = route;
}

export function createFlagServer(opts: FlagServerOptions): http.Server {
  const { store } = opts;
  const log = opts.log ?? ((l: string) => console.error(l));

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://flags');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';

    if (p === '/ofrep/v1/evaluate/flags' && method === 'POST') {
      setRoute('/ofrep/v1/evaluate/flags');
      const r = evaluateBulk(store.core, await readBody(req));
      return send(res, r.status, r.body);
    }
    const single = /^\/ofrep\/v1\/evaluate\/flags\/([^/]+)$/.exec(p);
    if (single && method === 'POST') {
      setRoute('/ofrep/v1/evaluate/flags/{key}');
      const key = decodeURIComponent(single[1]!);
      const r = evaluateSingle(store.core, key, await readBody(req));
      // The feature-flag semantic conventions, so a trace shows which flag answered what.
      const span = trace.getActiveSpan();
      if (span) {
        span.setAttribute('feature_flag.key', key);
        if ('variant' in r.body && r.body.variant !== undefined)
          span.setAttribute('feature_flag.result.variant', r.body.variant);
        if ('reason' in r.body) span.setAttribute('feature_flag.result.reason', r.body.reason);
        if ('errorCode' in r.body) span.setAttribute('error.type', r.body.errorCode);
      }
      return send(res, r.status, r.body);
    }

    if (p.startsWith('/api/flags')) setRoute(p === '/api/flags' || p === '/api/flags/status' ? p : '/api/flags/{key}');
    const status = store.status();
    // The flag list stays an array; a broken file is also flagged in a header and in /status.
    const errHeader: Record<string, string> = status.error
      ? { 'x-flags-error': encodeURIComponent(status.error.message) }
      : {};
    if (p === '/api/flags' && method === 'GET') return send(res, 200, store.list(), errHeader);
    if (p === '/api/flags/status' && method === 'GET') return send(res, 200, status);
    const one = /^\/api\/flags\/([^/]+)$/.exec(p);
    if (one) {
      const key = decodeURIComponent(one[1]!);
      if (method === 'GET') {
        const f = store.get(key);
        return f ? send(res, 200, f, errHeader) : send(res, 404, { error: `unknown flag ${JSON.stringify(key)}` });
      }
      if (method === 'PUT' || method === 'POST') {
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch (e) {
          return send(res, 400, { error: `body must be JSON {"value": "on"|"off"|0..1}: ${(e as Error).message}` });
        }
        if (typeof body !== 'object' || body === null || !('value' in body)) {
          return send(res, 400, { error: 'body must be {"value": "on"|"off"|0..1}' });
        }
        try {
          const { flag, changed } = await store.set(key, (body as { value: unknown }).value);
          if (changed) {
            const shown =
              typeof flag.value === 'number' ? `${Math.round(flag.value * 1000) / 10}% on` : String(flag.value);
            log(`[featureflagservice] ${key} → ${shown}`);
            void postAnnotation(opts.annotationsUrl, ['flag', key], `${key} → ${shown}`, log);
          }
          return send(res, 200, flag);
        } catch (e) {
          if (e instanceof UnknownFlagError || e instanceof FlagValueError) return send(res, 400, { error: e.message });
          throw e;
        }
      }
      return send(res, 405, { error: `${method} not allowed on ${p}` }, { allow: 'GET, PUT' });
    }
    if ((p === '/' || p === '/index.html') && method === 'GET') return send(res, 200, PAGE);
    if (p === '/healthz') return send(res, 200, { status: 'ok' });
    return send(res, 404, { error: `no route for ${method} ${p}` });
  };

  return http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`[featureflagservice] error handling ${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
}

// A minimal page for using the flag service on its own; the console has the real flags page.
// Values are inserted with textContent, never as HTML.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Feature flags</title>
<style>body{font:14px system-ui;margin:2em}td{padding:4px 10px}#err{color:#b00}</style></head>
<body><h1>Feature flags</h1><p id="err"></p><table id="t"></table><script>
async function load(){
  const [flags,status]=await Promise.all([fetch('api/flags').then(r=>r.json()),fetch('api/flags/status').then(r=>r.json())]);
  document.getElementById('err').textContent=status.error?('Flag file error: '+status.error.message):'';
  const t=document.getElementById('t');t.replaceChildren();
  for(const f of flags){
    const tr=t.insertRow();
    tr.insertCell().textContent=f.key;tr.insertCell().textContent=f.description;
    tr.insertCell().textContent=String(f.value);
    const c=tr.insertCell();
    for(const v of ['on','off','0.5']){const b=document.createElement('button');b.textContent=v;
      b.onclick=async()=>{const r=await fetch('api/flags/'+encodeURIComponent(f.key),{method:'PUT',headers:{'content-type':'application/json'},body:JSON.stringify({value:v==='0.5'?0.5:v})});
        if(!r.ok)alert((await r.json()).error);load();};c.append(b);}
  }
}
load();setInterval(load,3000);
</script></body></html>`;
