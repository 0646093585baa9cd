import { Link } from 'react-router';
import { useDashboards } from './useDashboards.js';

/** The list of dashboards; an invalid file is listed with the field at fault. */
export function DashboardList() {
  const { entries, error } = useDashboards();
  return (
    <>
      {error && (
        <p className="panel-error" role="alert">
          Could not load dashboards: {error}
        </p>
      )}
      {!entries && !error && <p className="muted">Loading…</p>}
      <ul className="dashboard-list">
        {entries?.map((e) =>
          e.dashboard ? (
            <li key={e.file}>
              <Link to={`/d/${encodeURIComponent(e.dashboard.uid)}`}>{e.dashboard.title}</Link>
              <span className="muted"> {e.dashboard.description}</span>
            </li>
          ) : (
            <li key={e.file} className="invalid" data-file={e.file}>
              <span className="file">{e.file}</span>
              <span className="panel-error" role="alert">
                {' '}
                invalid dashboard: {e.error}
              </span>
            </li>
          ),
        )}
      </ul>
    </>
  );
}

export function DashboardsPage() {
  return (
    <section className="page">
      <h1>Dashboards</h1>
      <DashboardList />
    </section>
  );
}
