// GET /api/scenarios: the guided scenarios of the scenarios/ folder (one JSON document per
// scenario: steps, each with an explanation, a link and a live check), read on each request like
// the dashboards. The console validates each document on its own and names the field at fault; a
// file that is not JSON is reported here, not skipped.
import { readDashboards, type DashboardFile } from './dashboards.js';
import { json, type Router } from './http.js';

/** One file of the folder: its parsed JSON, or why it does not parse. */
export type ScenarioFile = DashboardFile;

/** The folder's *.json files, sorted by name (the dashboards' reader: same bounds, same errors). */
export function readScenarios(dir: string): Promise<ScenarioFile[]> {
  return readDashboards(dir);
}

export function registerScenariosApi(router: Router, dir: string): void {
  router.route('GET', '/api/scenarios', async () => json(200, { status: 'success', data: await readScenarios(dir) }));
}
