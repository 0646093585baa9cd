// The shell: the top bar with the main navigation, and one route per page. Unknown addresses get a
// not-found page instead of silently showing another page.
import { lazy, Suspense } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { DashboardPage } from './pages/dashboards/DashboardPage.js';
import { DashboardsPage } from './pages/dashboards/DashboardsPage.js';
import { FlagsPage } from './pages/flags/FlagsPage.js';
import { HomePage } from './pages/home/HomePage.js';
import { LoadPage } from './pages/load/LoadPage.js';
import { ServiceMapPage } from './pages/map/ServiceMapPage.js';
import { MonitorPage } from './pages/monitor/MonitorPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { SearchPage } from './pages/search/SearchPage.js';
import { TraceIdLookup } from './pages/trace/TraceIdLookup.js';
import { TracePage } from './pages/trace/TracePage.js';
import { ComparePage } from './pages/compare/ComparePage.js';
import { CompareAttributesPage } from './pages/diagnosis/compare/CompareAttributesPage.js';
import { FindingsPage } from './pages/diagnosis/findings/FindingsPage.js';
import { ScenarioPage, ScenariosPage } from './pages/scenarios/ScenariosPage.js';
import { useRecordVisits } from './pages/scenarios/visits.js';
import { DataSourceStatus } from './components/DataSourceStatus.js';

// Explore carries the PromQL editor (CodeMirror and Prometheus's grammar): loaded when first opened.
const ExplorePage = lazy(() => import('./pages/explore/ExplorePage.js').then((m) => ({ default: m.ExplorePage })));

const NAV = [
  { path: '/dashboards', label: 'Dashboards', also: ['/d/'] },
  { path: '/explore', label: 'Explore', also: [] },
  { path: '/search', label: 'Traces', also: ['/trace/', '/compare'] },
  { path: '/map', label: 'Service Map', also: [] },
  { path: '/monitor', label: 'Monitor', also: [] },
  { path: '/diagnosis/findings', label: 'Diagnosis', also: ['/diagnosis/'] },
  { path: '/flags', label: 'Flags', also: [] },
  { path: '/load', label: 'Load', also: [] },
  { path: '/scenarios', label: 'Scenarios', also: [] },
] as const;

export function App() {
  const { pathname } = useLocation();
  // the scenarios' visit checks read what the console opened
  useRecordVisits();
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">
          Orrery
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <NavLink
              key={n.path}
              to={n.path}
              className={({ isActive }) =>
                isActive || n.also.some((prefix) => pathname.startsWith(prefix)) ? 'active' : ''
              }
            >
              {n.label}
            </NavLink>
          ))}
        </nav>
        <TraceIdLookup />
        <DataSourceStatus />
      </header>
      <main className="content">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/dashboards" element={<DashboardsPage />} />
            <Route path="/d/:uid" element={<DashboardPage />} />
            <Route path="/explore" element={<ExplorePage />} />
            <Route path="/search" element={<SearchPage />} />
            <Route path="/traces" element={<TracesRedirect />} />
            <Route path="/trace/:id" element={<TracePage />} />
            <Route path="/compare" element={<ComparePage />} />
            <Route path="/map" element={<ServiceMapPage />} />
            <Route path="/monitor" element={<MonitorPage />} />
            <Route path="/diagnosis/findings" element={<FindingsPage />} />
            <Route path="/diagnosis/compare" element={<CompareAttributesPage />} />
            <Route path="/flags" element={<FlagsPage />} />
            <Route path="/load" element={<LoadPage />} />
            <Route path="/scenarios" element={<ScenariosPage />} />
            <Route path="/scenarios/:id" element={<ScenarioPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}

/** /traces is the old address of the trace search; keep its query string. */
function TracesRedirect() {
  const { search } = useLocation();
  return <Navigate to={`/search${search}`} replace />;
}
