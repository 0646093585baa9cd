// GET /api/dashboards: the dashboard JSON documents of the dashboards/ folder, read on each request
// so an edited file shows on the next reload. Documents are returned as parsed JSON and validated
// by the console, which names the offending field; a file that is not JSON is reported, not skipped.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { json, type Router } from './http.js';

const MAX_DASHBOARD_BYTES = 1024 * 1024;

export interface DashboardFile {
  readonly file: string;
  readonly json?: unknown;
  readonly parseError?: string;
}

export async function readDashboards(dir: string): Promise<DashboardFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return Promise.all(
    names.map(async (file): Promise<DashboardFile> => {
      const path = join(dir, file);
      try {
        if ((await stat(path)).size > MAX_DASHBOARD_BYTES)
          return { file, parseError: `file is larger than ${MAX_DASHBOARD_BYTES} bytes` };
        return { file, json: JSON.parse(await readFile(path, 'utf8')) as unknown };
      } catch (e) {
        return { file, parseError: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}

export function registerDashboardsApi(router: Router, dir: string): void {
  router.route('GET', '/api/dashboards', async () => json(200, { status: 'success', data: await readDashboards(dir) }));
}
