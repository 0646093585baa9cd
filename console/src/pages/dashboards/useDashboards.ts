import { useQuery } from '@tanstack/react-query';
import { fetchDashboards } from '../../api/backend.js';
import { errorMessage } from '../../api/queryClient.js';
import { formatValidationErrors, validateDashboard, type Dashboard } from '../../model/dashboard.js';

export interface DashboardEntry {
  readonly file: string;
  readonly dashboard?: Dashboard;
  /** why the file cannot be shown, naming the field */
  readonly error?: string;
}

/** Validates every dashboard file on its own, so one broken file hides nothing else. */
export function toEntries(files: Awaited<ReturnType<typeof fetchDashboards>>): DashboardEntry[] {
  return files.map((f): DashboardEntry => {
    if (f.parseError !== undefined) return { file: f.file, error: `not valid JSON: ${f.parseError}` };
    const r = validateDashboard(f.json);
    return r.ok ? { file: f.file, dashboard: r.dashboard } : { file: f.file, error: formatValidationErrors(r.errors) };
  });
}

/** Every dashboard file, fetched once and shared by the list and the dashboard pages. */
export function useDashboards(): { entries: DashboardEntry[] | undefined; error: string | undefined } {
  const q = useQuery({
    queryKey: ['dashboards'],
    queryFn: async ({ signal }) => toEntries(await fetchDashboards(signal)),
  });
  return { entries: q.data, error: q.error ? errorMessage(q.error) : undefined };
}
