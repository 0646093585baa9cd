import { useEffect, useState } from 'react';
import { fetchDashboards } from '../api/backend.js';
import { formatValidationErrors, validateDashboard, type Dashboard } from '../model/dashboard.js';

export interface DashboardEntry {
  readonly file: string;
  readonly dashboard?: Dashboard;
  /** why the file cannot be shown, naming the field */
  readonly error?: string;
}

/** Loads every dashboard file and validates each on its own, so one broken file hides nothing else. */
export function useDashboards(): { entries: DashboardEntry[] | undefined; error: string | undefined } {
  const [entries, setEntries] = useState<DashboardEntry[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const abort = new AbortController();
    fetchDashboards(abort.signal).then(
      (files) =>
        setEntries(
          files.map((f): DashboardEntry => {
            if (f.parseError !== undefined) return { file: f.file, error: `not valid JSON: ${f.parseError}` };
            const r = validateDashboard(f.json);
            return r.ok
              ? { file: f.file, dashboard: r.dashboard }
              : { file: f.file, error: formatValidationErrors(r.errors) };
          }),
        ),
      (e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => abort.abort();
  }, []);
  return { entries, error };
}
