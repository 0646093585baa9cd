// A dashboard's logs panel: the newest lines of its LogQL log query over the dashboard's range
// (variables interpolated), drawn by the Logs page's line list, with a link that opens the same
// query on the Logs page. A failing query shows Loki's error text; no lines says so.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { queryRange } from '../api/loki.js';
import { errorMessage } from '../api/queryClient.js';
import type { Panel } from '../model/dashboard.js';
import { interpolate } from '../model/variables.js';
import { LogLines } from '../pages/logs/LogLines.js';
import { linesOf, logsHref } from '../pages/logs/model.js';
import type { PanelContext } from './PanelView.js';

const ROW_PX = 30;
/** lines a panel shows: the newest, enough to fill a tall panel */
export const LOGS_PANEL_LIMIT = 100;

export function LogsPanel(props: { panel: Panel; ctx: PanelContext }) {
  const { panel, ctx } = props;
  const expr = interpolate(panel.queries[0]!.expr, ctx.variables);
  const query = useQuery({
    queryKey: ['logs-panel', panel.id, expr, ctx.fromMs, ctx.toMs],
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      const data = await queryRange(
        expr,
        ctx.fromMs,
        ctx.toMs,
        { limit: LOGS_PANEL_LIMIT, direction: 'backward' },
        signal,
      );
      return data.resultType === 'streams' ? linesOf(data) : [];
    },
  });
  const state = query.error ? 'error' : query.data ? 'data' : 'loading';
  const heightPx = panel.gridPos.h * ROW_PX;
  return (
    <section
      className="panel panel-logs"
      data-panel-id={panel.id}
      data-panel-title={panel.title}
      data-panel-type="logs"
      data-state={state}
      style={{
        gridColumn: `${panel.gridPos.x + 1} / span ${panel.gridPos.w}`,
        gridRow: `${panel.gridPos.y + 1} / span ${panel.gridPos.h}`,
      }}
    >
      <header className="panel-header">
        <h2 title={panel.description}>{interpolate(panel.title, ctx.variables)}</h2>
        <Link
          to={logsHref({ query: expr, from: ctx.fromText, to: ctx.toText })}
          className="panel-explore"
          title="Open this panel's query on the Logs page"
        >
          Logs
        </Link>
      </header>
      <div className="panel-body logs-panel-body" style={{ height: heightPx - 40 }}>
        {state === 'loading' && <div className="panel-note">Loading…</div>}
        {query.error && (
          <div className="panel-error" role="alert">
            <strong>Query failed:</strong> {errorMessage(query.error)}
          </div>
        )}
        {query.data && query.data.length === 0 && <div className="panel-note">No lines in this time range.</div>}
        {query.data && query.data.length > 0 && <LogLines lines={query.data} label={`${panel.title} lines`} />}
      </div>
    </section>
  );
}
