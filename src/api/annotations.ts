// Grafana-shaped annotation API: POST /api/annotations {time?, timeEnd?, tags?, text} → {id, message},
// GET /api/annotations?from=&to=&tags=&limit= → [{id, time, timeEnd?, tags, text}]. Input is
// validated strictly (JSON object, finite numbers, bounded strings and tag counts): bad → 400.
import { isAnnotationTime as isTime, type AnnotationStore } from '../annotations/store.js';
import { json, type ApiRequest, type ApiResponse, type Router } from './http.js';

const MAX_TEXT = 4096;
const MAX_TAGS = 32;
const MAX_TAG_LEN = 128;

function bad(message: string): ApiResponse {
  return json(400, { message });
}

export function registerAnnotationsApi(router: Router, store: AnnotationStore): void {
  router.route('POST', '/api/annotations', (req: ApiRequest) => {
    if (req.body.length === 0) return bad('request body must be a JSON object');
    if (req.body.length > 64 * 1024) return bad('annotation body exceeds 65536 bytes');
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch (e) {
      return bad(`malformed JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return bad('request body must be a JSON object');
    const b = body as Record<string, unknown>;
    if (typeof b['text'] !== 'string' || b['text'] === '') return bad('"text" must be a non-empty string');
    if (b['text'].length > MAX_TEXT) return bad(`"text" exceeds ${MAX_TEXT} characters`);
    if (b['time'] !== undefined && !isTime(b['time'])) return bad('"time" must be milliseconds since the epoch');
    if (b['timeEnd'] !== undefined && !isTime(b['timeEnd']))
      return bad('"timeEnd" must be milliseconds since the epoch');
    const tagsIn = b['tags'] ?? [];
    if (!Array.isArray(tagsIn) || tagsIn.length > MAX_TAGS)
      return bad(`"tags" must be an array of at most ${MAX_TAGS} strings`);
    const tags: string[] = [];
    for (const t of tagsIn) {
      if (typeof t !== 'string' || t === '' || t.length > MAX_TAG_LEN) {
        return bad(`each tag must be a non-empty string of at most ${MAX_TAG_LEN} characters`);
      }
      tags.push(t);
    }
    const time = b['time'] as number | undefined;
    const timeEnd = b['timeEnd'] as number | undefined;
    if (time !== undefined && timeEnd !== undefined && timeEnd < time) return bad('"timeEnd" is before "time"');
    const a = store.add({
      text: b['text'],
      tags,
      time: time === undefined ? undefined : Math.round(time),
      timeEnd: timeEnd === undefined ? undefined : Math.round(timeEnd),
    });
    return json(200, { id: a.id, message: 'Annotation added' });
  });

  router.route('GET', '/api/annotations', (req: ApiRequest) => {
    const num = (name: string): number | undefined | null => {
      const v = req.query.get(name);
      if (v === null || v === '') return undefined;
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    };
    const from = num('from');
    const to = num('to');
    const limit = num('limit');
    if (from === null) return bad('"from" must be a number (ms)');
    if (to === null) return bad('"to" must be a number (ms)');
    if (limit === null || (limit !== undefined && (limit < 1 || limit > 10_000)))
      return bad('"limit" must be 1 to 10000');
    // Grafana accepts tags repeated (tags=a&tags=b) or comma-separated.
    const tags = req.query
      .getAll('tags')
      .flatMap((t) => t.split(','))
      .map((t) => t.trim())
      .filter((t) => t !== '');
    return json(200, store.query({ from, to, tags, limit: limit ?? 1000 }));
  });
}
