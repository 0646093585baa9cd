// The annotation store's file under the data directory, read on start and written on shutdown
// (moved out of the composition root unchanged; a write-through log replaces it).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AnnotationStore } from './store.js';

export const ANNOTATIONS_JSON = 'annotations.json';

export async function loadAnnotations(file: string, store: AnnotationStore): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return;
  }
  try {
    const items = JSON.parse(text) as unknown;
    if (!Array.isArray(items)) return;
    for (const a of items as { time?: unknown; timeEnd?: unknown; tags?: unknown; text?: unknown }[]) {
      if (typeof a.text !== 'string' || typeof a.time !== 'number') continue;
      store.add({
        text: a.text,
        time: a.time,
        timeEnd: typeof a.timeEnd === 'number' ? a.timeEnd : undefined,
        tags: Array.isArray(a.tags) ? a.tags.filter((t): t is string => typeof t === 'string') : [],
      });
    }
  } catch (err) {
    console.error(`orrery: ignoring unreadable ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function saveAnnotations(file: string, store: AnnotationStore): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(store.query({ limit: Number.MAX_SAFE_INTEGER }).reverse()));
  await fs.rename(tmp, file);
}
