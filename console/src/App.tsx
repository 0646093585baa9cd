import { DashboardPage } from './pages/DashboardPage.js';
import { DashboardsPage } from './pages/DashboardsPage.js';
import { ExplorePage } from './pages/ExplorePage.js';
import { PlaceholderPage } from './pages/PlaceholderPage.js';
import { Link } from './components/Link.js';
import { useLocation } from './router.js';

const NAV = [
  { path: '/dashboards', label: 'Dashboards' },
  { path: '/explore', label: 'Explore' },
  { path: '/traces', label: 'Traces' },
  { path: '/flags', label: 'Flags' },
  { path: '/load', label: 'Load' },
] as const;

export function App() {
  const loc = useLocation();
  const page = pageFor(loc.path);
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/dashboards" className="brand">
          Orrery
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link
              key={n.path}
              to={n.path}
              className={
                loc.path.startsWith(n.path) || (n.path === '/dashboards' && loc.path.startsWith('/d/')) ? 'active' : ''
              }
            >
              {n.label}
            </Link>
          ))}
        </nav>
      </header>
      <main className="content">{page}</main>
    </div>
  );
}

function pageFor(path: string) {
  const dash = /^\/d\/([^/]+)/.exec(path);
  if (dash) return <DashboardPage uid={decodeURIComponent(dash[1]!)} />;
  if (path.startsWith('/explore')) return <ExplorePage />;
  if (path.startsWith('/traces'))
    return <PlaceholderPage title="Traces" what="Jaeger-style trace search, scatter plot and waterfall" />;
  if (path.startsWith('/flags')) return <PlaceholderPage title="Flags" what="feature flags with switches" />;
  if (path.startsWith('/load'))
    return <PlaceholderPage title="Load" what="the load generator's users and per-endpoint statistics" />;
  return <DashboardsPage />;
}
