// The data-source status line of the top bar: which engine answers metrics and traces, and
// whether it answers at all. External engines are named with their URL (never credentials: the
// backend strips them); an unreachable one is marked and says why.
import { useQuery } from '@tanstack/react-query';
import { describeDataSource, fetchDataSources } from '../api/datasources.js';

export function DataSourceStatus() {
  const sources = useQuery({
    queryKey: ['datasources'],
    queryFn: ({ signal }) => fetchDataSources(signal),
    refetchInterval: 15_000,
  });
  if (!sources.data) return null;
  return (
    <div className="datasources" aria-label="Data sources">
      {sources.data.map((s) => (
        <span
          key={s.signal}
          className={`datasource ${s.healthy ? 'healthy' : 'unhealthy'}`}
          data-signal={s.signal}
          data-engine={s.engine}
          title={s.error ?? s.description}
        >
          {describeDataSource(s)}
        </span>
      ))}
    </div>
  );
}
