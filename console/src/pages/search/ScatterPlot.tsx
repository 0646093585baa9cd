// The scatter plot above the search results: a dot per trace (start × duration, size by span
// count, errors in red); click opens the trace, dragging a rectangle narrows the list to it.
import { useRef, useState, type PointerEvent } from 'react';
import { formatDuration } from './duration.js';
import type { TraceSummary } from './results.js';
import { brushRegion, dotAt, scatterLayout, tracesInBrush, type Brush, type BrushRegion } from './scatter.js';

const WIDTH = 900;
const HEIGHT = 200;

export function ScatterPlot(props: {
  traces: readonly TraceSummary[];
  brushed: ReadonlySet<string> | undefined;
  onBrush: (ids: Set<string> | undefined) => void;
  onOpen: (traceID: string) => void;
  /** also told the brushed rectangle's start-time and duration ranges (the comparison page) */
  onBrushRegion?: (region: BrushRegion) => void;
  caption?: string;
}) {
  const layout = scatterLayout(props.traces, { width: WIDTH, height: HEIGHT });
  const svg = useRef<SVGSVGElement>(null);
  const [brush, setBrush] = useState<Brush | undefined>(undefined);
  const point = (e: PointerEvent): { x: number; y: number } => {
    const r = svg.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * WIDTH, y: ((e.clientY - r.top) / r.height) * HEIGHT };
  };
  const down = (e: PointerEvent<SVGSVGElement>): void => {
    const p = point(e);
    if (dotAt(layout.dots, p.x, p.y)) return; // a click on a dot opens it
    svg.current!.setPointerCapture(e.pointerId);
    setBrush({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
  };
  const move = (e: PointerEvent<SVGSVGElement>): void => {
    if (!brush) return;
    const p = point(e);
    setBrush({ ...brush, x1: p.x, y1: p.y });
  };
  const up = (): void => {
    if (!brush) return;
    const big = Math.abs(brush.x1 - brush.x0) > 4 && Math.abs(brush.y1 - brush.y0) > 4;
    props.onBrush(big ? tracesInBrush(layout.dots, brush) : undefined);
    if (big) props.onBrushRegion?.(brushRegion(layout, brush));
    setBrush(undefined);
  };
  if (props.traces.length === 0) return null;
  const { plot } = layout;
  return (
    <figure className="scatter">
      <svg
        ref={svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Scatter plot of ${props.traces.length} traces: start time and duration`}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
      >
        <line x1={plot.left} x2={plot.left} y1={plot.top} y2={plot.bottom} className="axis" />
        <line x1={plot.left} x2={plot.right} y1={plot.bottom} y2={plot.bottom} className="axis" />
        {layout.yTicks.map((t) => (
          <g key={`y${t.label}`}>
            <line x1={plot.left} x2={plot.right} y1={t.at} y2={t.at} className="grid-line" />
            <text x={plot.left - 6} y={t.at + 4} textAnchor="end" className="tick">
              {t.label}
            </text>
          </g>
        ))}
        {layout.xTicks.map((t) => (
          <text key={`x${t.at}`} x={t.at} y={HEIGHT - 8} textAnchor="middle" className="tick">
            {t.label}
          </text>
        ))}
        {layout.dots.map((d) => (
          <circle
            key={d.traceID}
            cx={d.x}
            cy={d.y}
            r={d.r}
            className={`dot${d.error ? ' error' : ''}${props.brushed && !props.brushed.has(d.traceID) ? ' dim' : ''}`}
            data-trace-id={d.traceID}
            data-duration-us={d.durationUs}
            onClick={() => props.onOpen(d.traceID)}
          >
            <title>
              {d.traceID.slice(0, 7)}: {formatDuration(d.durationUs)}
            </title>
          </circle>
        ))}
        {brush && (
          <rect
            className="brush"
            x={Math.min(brush.x0, brush.x1)}
            y={Math.min(brush.y0, brush.y1)}
            width={Math.abs(brush.x1 - brush.x0)}
            height={Math.abs(brush.y1 - brush.y0)}
          />
        )}
      </svg>
      <figcaption className="muted">
        {props.caption ?? 'Drag a rectangle to narrow the list; click a dot to open its trace.'}
      </figcaption>
    </figure>
  );
}
