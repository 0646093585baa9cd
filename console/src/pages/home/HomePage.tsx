import { Link } from 'react-router';
import { DashboardList } from '../dashboards/DashboardsPage.js';

/** Where a newcomer lands: the scenario in three steps, then every dashboard. */
export function HomePage() {
  return (
    <section className="page home">
      <h1>Orrery</h1>
      <p>A shop that you can watch from the inside. To follow the memory-leak scenario:</p>
      <ol className="start-steps">
        <li>
          <Link to="/d/demo">Demo Dashboard</Link>: the recommendation service's memory, latency and error rate, live.
        </li>
        <li>
          <Link to="/flags">Flags</Link>: switch <code>recommendationCache</code> on, then watch memory and p99 latency
          climb on the dashboard.
        </li>
        <li>
          <Link to="/search?service=recommendationservice">Traces</Link>: search the recommendation service with the tag{' '}
          <code>app.cache_hit=false</code>, sort Longest First and open a trace to see why.
        </li>
      </ol>
      <h2>Dashboards</h2>
      <DashboardList />
    </section>
  );
}
