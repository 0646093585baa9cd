// The trace timeline: a minimap of the whole trace with a draggable view window, and the
// waterfall below it, virtualized (only the rows in view are in the DOM, so 5,000 spans scroll
// smoothly). Each row is a focusable button named by its service and operation; a click opens the
// span's detail under it. Service colours are the search page's; error spans and the critical
// path are marked.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { serviceColor } from '../../model/serviceColor.js';
import { formatDuration } from '../search/duration.js';
import { criticalPath, type Section } from './criticalPath.js';
import { SpanDetail } from './SpanDetail.js';
import { barPosition, clampWindow, FULL_WINDOW, moveWindow, timeTicks, type ViewWindow } from './timeline.js';
import { ancestors, parentIds, visibleRows, type SpanNode, type TraceTree } from './tree.js';

const ROW_HEIGHT = 28;

export function Waterfall(props: {
  tree: TraceTree;
  matches: readonly number[];
  focus: number | undefined;
  selected: string | undefined;
  onSelect: (spanID: string | undefined) => void;
}) {
  const { tree } = props;
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [view, setView] = useState<ViewWindow>(FULL_WINDOW);
  const cp = useMemo(() => criticalPath(tree), [tree]);
  const matchSet = useMemo(() => new Set(props.matches), [props.matches]);
  // a found span is shown: its ancestors are expanded
  useEffect(() => {
    if (props.focus === undefined) return;
    const up = ancestors(tree, props.focus).map((i) => tree.nodes[i]!.span.spanID);
    setCollapsed((c) => (up.some((id) => c.has(id)) ? new Set([...c].filter((id) => !up.includes(id))) : c));
  }, [props.focus, tree]);
  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // the open row (with its detail) is measured; its key changes on close so its height resets
    getItemKey: (i) => `${rows[i]}${tree.nodes[rows[i]!]!.span.spanID === props.selected ? ':open' : ''}`,
  });
  useEffect(() => {
    if (props.focus === undefined) return;
    const at = rows.indexOf(props.focus);
    if (at >= 0) virtualizer.scrollToIndex(at, { align: 'center' });
  }, [props.focus, rows, virtualizer]);
  const toggle = useCallback(
    (id: string): void =>
      setCollapsed((c) => {
        const next = new Set(c);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  // keyboard: ↑/↓ move between rows (scrolling the virtual list), ←/→ collapse and expand
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const target = e.target as HTMLElement;
    if (!target.classList.contains('span-name')) return;
    const at = Number(target.closest('[data-index]')?.getAttribute('data-index'));
    if (!Number.isInteger(at)) return;
    const spanID = tree.nodes[rows[at]!]!.span.spanID;
    let next = at;
    if (e.key === 'ArrowDown') next = Math.min(rows.length - 1, at + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = rows.length - 1;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      if (tree.nodes[rows[at]!]!.children.length > 0 && collapsed.has(spanID) === (e.key === 'ArrowRight'))
        toggle(spanID);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    virtualizer.scrollToIndex(next);
    const focus = (tries: number): void => {
      const el = scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"] .span-name`);
      if (el) el.focus();
      else if (tries > 0) requestAnimationFrame(() => focus(tries - 1));
    };
    // a neighbour is usually rendered already (overscan); a far row after the list scrolled to it
    focus(10);
  };
  const ticks = timeTicks(tree.durationUs, view);
  return (
    <div className="timeline">
      <Minimap tree={tree} view={view} onView={setView} />
      <div className="waterfall-head">
        <div className="name-col">
          <span>Service &amp; Operation</span>
          <button type="button" onClick={() => setCollapsed(parentIds(tree))} aria-label="Collapse all">
            ⇤
          </button>
          <button type="button" onClick={() => setCollapsed(new Set())} aria-label="Expand all">
            ⇥
          </button>
        </div>
        <div className="bar-col ticks">
          {ticks.map((t, i) => (
            <span key={i} className="tick-label" style={{ left: `${t.at}%` }}>
              {t.label}
            </span>
          ))}
        </div>
      </div>
      <div className="waterfall" ref={scroller} role="tree" aria-label="Spans of the trace" onKeyDown={onKey}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const node = tree.nodes[rows[item.index]!]!;
            const open = props.selected === node.span.spanID;
            return (
              <WaterfallRow
                key={item.key}
                index={item.index}
                start={item.start}
                tree={tree}
                node={node}
                open={open}
                match={matchSet.has(node.index)}
                focus={props.focus === node.index}
                collapsed={collapsed.has(node.span.spanID)}
                view={view}
                sections={cp.get(node.index)}
                measure={open ? virtualizer.measureElement : undefined}
                onToggle={toggle}
                onSelect={props.onSelect}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

const NO_SECTIONS: readonly Section[] = [];

/** One waterfall row (memoized: scrolling re-renders only the rows that come into view). */
const WaterfallRow = memo(function WaterfallRow(props: {
  index: number;
  start: number;
  tree: TraceTree;
  node: SpanNode;
  open: boolean;
  match: boolean;
  focus: boolean;
  collapsed: boolean;
  view: ViewWindow;
  sections: readonly Section[] | undefined;
  measure: ((el: Element | null) => void) | undefined;
  onToggle: (spanID: string) => void;
  onSelect: (spanID: string | undefined) => void;
}) {
  const { tree, node, open, view } = props;
  const span = node.span;
  const bar = barPosition(node.offsetUs, span.duration, tree.durationUs, view);
  const color = serviceColor(node.service);
  return (
    <div
      data-index={props.index}
      ref={props.measure}
      className={`span-row-wrap${props.match ? ' match' : ''}${props.focus ? ' focus' : ''}`}
      style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${props.start}px)` }}
    >
      <div
        className={`span-row${open ? ' open' : ''}`}
        data-span-id={span.spanID}
        data-service={node.service}
        data-operation={span.operationName}
      >
        <div className="name-col" style={{ paddingLeft: node.depth * 14 }}>
          {node.children.length > 0 ? (
            <button
              type="button"
              className="twisty"
              aria-label={props.collapsed ? 'Expand' : 'Collapse'}
              aria-expanded={!props.collapsed}
              onClick={() => props.onToggle(span.spanID)}
            >
              {props.collapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span className="twisty" />
          )}
          <span className="service-stripe" style={{ background: color }} />
          <button
            type="button"
            role="treeitem"
            aria-level={node.depth + 1}
            aria-selected={open}
            className="span-name"
            aria-label={`${node.service} ${span.operationName} ${formatDuration(span.duration)}${node.error ? ' error' : ''}`}
            onClick={() => props.onSelect(open ? undefined : span.spanID)}
          >
            {node.error && (
              <span className="error-mark" aria-hidden="true">
                !
              </span>
            )}
            <span className="svc">{node.service}</span> <span className="op">{span.operationName}</span>
          </button>
        </div>
        <div className="bar-col">
          <div
            className={`span-bar${node.error ? ' error' : ''}`}
            style={{ left: `${bar.left}%`, width: `max(${bar.width}%, 1px)`, background: color }}
          >
            {(props.sections ?? NO_SECTIONS).map(([s, e], i) => {
              const p = barPosition(s - tree.startUs, e - s, tree.durationUs, view);
              return (
                <span
                  key={i}
                  className="cp"
                  style={{
                    left: `${((p.left - bar.left) / Math.max(bar.width, 1e-9)) * 100}%`,
                    width: `${(p.width / Math.max(bar.width, 1e-9)) * 100}%`,
                  }}
                />
              );
            })}
          </div>
          <span className="span-duration" style={{ left: `calc(${Math.min(95, bar.left + bar.width)}% + 4px)` }}>
            {formatDuration(span.duration)}
          </span>
        </div>
      </div>
      {open && <SpanDetail tree={tree} node={node} />}
    </div>
  );
});

/** The whole trace in miniature; drag the window to move it, drag elsewhere to draw a new one. */
function Minimap(props: { tree: TraceTree; view: ViewWindow; onView: (w: ViewWindow) => void }) {
  const { tree, view } = props;
  const ref = useRef<HTMLDivElement>(null);
  const drag = useRef<{ mode: 'move' | 'draw'; from: number; start: ViewWindow } | undefined>(undefined);
  const frac = (e: PointerEvent): number => {
    const r = ref.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
  };
  const down = (e: PointerEvent<HTMLDivElement>): void => {
    const f = frac(e);
    ref.current!.setPointerCapture(e.pointerId);
    drag.current = {
      mode: f >= view.start && f <= view.end && view !== FULL_WINDOW ? 'move' : 'draw',
      from: f,
      start: view,
    };
  };
  const move = (e: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current;
    if (!d) return;
    const f = frac(e);
    props.onView(d.mode === 'move' ? moveWindow(d.start, f - d.from) : clampWindow({ start: d.from, end: f }));
  };
  const up = (): void => {
    const d = drag.current;
    drag.current = undefined;
    if (d?.mode === 'draw' && Math.abs(view.end - view.start) < 0.005) props.onView(FULL_WINDOW);
  };
  // at most ~200 lines: spans share a line when there are more
  const lines = Math.min(200, tree.nodes.length);
  const per = tree.nodes.length / Math.max(1, lines);
  const d = tree.durationUs > 0 ? tree.durationUs : 1;
  return (
    <div className="minimap-wrap">
      <div
        ref={ref}
        className="minimap"
        role="slider"
        tabIndex={0}
        aria-label="Visible part of the trace"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(view.start * 100)}
        aria-valuetext={`${Math.round(view.start * 100)}% to ${Math.round(view.end * 100)}%`}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onKeyDown={(e) => {
          if (e.key === 'ArrowLeft') props.onView(moveWindow(view, -0.05));
          if (e.key === 'ArrowRight') props.onView(moveWindow(view, 0.05));
          if (e.key === 'Escape') props.onView(FULL_WINDOW);
        }}
      >
        {tree.nodes.map((n, i) =>
          i % Math.max(1, Math.round(per)) === 0 ? (
            <span
              key={n.span.spanID + i}
              className="mini-span"
              style={{
                left: `${(n.offsetUs / d) * 100}%`,
                width: `max(${(n.span.duration / d) * 100}%, 1px)`,
                top: `${(Math.floor(i / Math.max(1, per)) / lines) * 100}%`,
                background: serviceColor(n.service),
              }}
            />
          ) : null,
        )}
        <div
          className="mini-window"
          style={{ left: `${view.start * 100}%`, width: `${(view.end - view.start) * 100}%` }}
        />
      </div>
      {view !== FULL_WINDOW && (
        <button type="button" onClick={() => props.onView(FULL_WINDOW)}>
          Reset zoom
        </button>
      )}
    </div>
  );
}
