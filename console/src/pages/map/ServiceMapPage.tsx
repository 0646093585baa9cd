// Service map (Jaeger's System Architecture): services as nodes, calls between them as edges
// with their counts, over a lookback window; a service opens the trace search for it.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { fetchDependencies } from '../../api/dependencies.js';
import { errorMessage, pollEvery } from '../../api/queryClient.js';
import { parseDurationMs } from '../../model/time.js';
import { useQueryParams } from '../../url.js';
import { layoutServiceMap, searchHref, type MapNode, type ServiceMap } from './layout.js';

const LOOKBACKS = ['15m', '1h', '6h', '24h'] as const;
const NODE_W = 190;
const NODE_H = 46;
const COL_GAP = 90;
const ROW_GAP = 26;

export function ServiceMapPage() {
  const [params, update] = useQueryParams();
  const lookback = params.get('lookback') ?? '1h';
  const lookbackMs = parseDurationMs(lookback) ?? 3_600_000;
  const deps = useQuery({
    queryKey: ['dependencies', lookbackMs],
    queryFn: ({ signal }) => fetchDependencies(Date.now(), lookbackMs, signal),
    refetchInterval: pollEvery(30_000),
    placeholderData: keepPreviousData,
  });
  const map = deps.data ? layoutServiceMap(deps.data) : undefined;
  return (
    <section className="page service-map">
      <div className="dashboard-bar">
        <h1>Service Map</h1>
        <label className="variable">
          <span>Lookback</span>
          <select aria-label="Lookback" value={lookback} onChange={(e) => update({ lookback: e.target.value })}>
            {LOOKBACKS.map((l) => (
              <option key={l} value={l}>
                Last {l}
              </option>
            ))}
          </select>
        </label>
      </div>
      {deps.error && (
        <p className="panel-error" role="alert">
          Could not load the dependencies: {errorMessage(deps.error)}
        </p>
      )}
      {!deps.data && !deps.error && <p className="muted">Loading…</p>}
      {map && map.nodes.length === 0 && (
        <p className="muted">No calls between services in the last {lookback}: is the demo running?</p>
      )}
      {map && map.nodes.length > 0 && (
        <>
          <p className="muted">Select a service to search its traces.</p>
          <MapDrawing map={map} />
          <EdgeTable map={map} />
        </>
      )}
    </section>
  );
}

const nodeX = (n: MapNode): number => n.column * (NODE_W + COL_GAP) + 10;
const nodeY = (n: MapNode): number => n.row * (NODE_H + ROW_GAP) + 10;

function MapDrawing(props: { map: ServiceMap }) {
  const navigate = useNavigate();
  const { map } = props;
  const byName = new Map(map.nodes.map((n) => [n.name, n]));
  const width = map.columns * (NODE_W + COL_GAP) - COL_GAP + 20;
  const height = map.rows * (NODE_H + ROW_GAP) - ROW_GAP + 20;
  return (
    <div className="map-canvas">
      <svg width={width} height={height} role="group" aria-label="Services and their calls">
        <defs>
          <marker id="map-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="#8e8e8e" />
          </marker>
        </defs>
        {map.edges.map((e) => {
          const from = byName.get(e.parent)!;
          const to = byName.get(e.child)!;
          const x1 = nodeX(from) + NODE_W;
          const y1 = nodeY(from) + NODE_H / 2;
          const x2 = nodeX(to);
          const y2 = nodeY(to) + NODE_H / 2;
          // A call back to an earlier column loops below the boxes.
          const back = x2 <= x1;
          const d = back
            ? `M${x1},${y1} C${x1 + 60},${y1 + 80} ${x2 - 60},${y2 + 80} ${x2},${y2}`
            : `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
          return (
            <g key={`${e.parent}\u0000${e.child}`} className="map-edge" data-edge={`${e.parent} → ${e.child}`}>
              <path d={d} fill="none" stroke="#5a6066" strokeWidth={1.5} markerEnd="url(#map-arrow)" />
              <text x={(x1 + x2) / 2} y={(y1 + y2) / 2 - 4 + (back ? 60 : 0)} textAnchor="middle" className="map-count">
                {e.callCount}
              </text>
            </g>
          );
        })}
        {map.nodes.map((n) => {
          const href = searchHref(n.name);
          return (
            <a
              key={n.name}
              href={href}
              className="map-node"
              data-service={n.name}
              aria-label={n.name}
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                e.preventDefault();
                void navigate(href);
              }}
            >
              <rect x={nodeX(n)} y={nodeY(n)} width={NODE_W} height={NODE_H} rx={4} />
              <text x={nodeX(n) + 10} y={nodeY(n) + 19} className="map-name">
                {n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name}
              </text>
              <text x={nodeX(n) + 10} y={nodeY(n) + 36} className="map-calls">
                {n.callsIn} in · {n.callsOut} out
              </text>
              <title>{n.name}</title>
            </a>
          );
        })}
      </svg>
    </div>
  );
}

function EdgeTable(props: { map: ServiceMap }) {
  return (
    <table className="result-table map-edges" aria-label="Calls between services">
      <thead>
        <tr>
          <th>Caller</th>
          <th>Callee</th>
          <th>Calls</th>
        </tr>
      </thead>
      <tbody>
        {[...props.map.edges]
          .sort((a, b) => b.callCount - a.callCount)
          .map((e) => (
            <tr key={`${e.parent}\u0000${e.child}`}>
              <td>{e.parent}</td>
              <td>{e.child}</td>
              <td className="num">{e.callCount}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
