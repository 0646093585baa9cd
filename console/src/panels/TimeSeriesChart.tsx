// A generic uPlot chart for time-series and bar panels: lines or stacked areas or bars, unit-aware
// axes, a legend whose entries hide/show series on click (uPlot's own), a hover tooltip with the
// time and every value, vertical markers for annotations (flag changes, restarts) and findings (a
// link to each finding's comparison above the plot), exemplars as small diamonds, and a click on a
// point or an exemplar that opens its traces.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import type { Annotation } from '../api/backend.js';
import type { Unit } from '../model/dashboard.js';
import {
  exemplarAt,
  exemplarHref,
  exemplarMax,
  placeExemplars,
  type Exemplar,
  type PlacedExemplar,
} from '../model/exemplars.js';
import type { FindingMarker } from '../model/findingMarkers.js';
import { stackValues, type Frame } from '../model/frames.js';
import { countKinds, groupMarkers, type MarkerEvent } from '../model/markers.js';
import { nearestSeries } from '../model/pointLinks.js';
import { MARKER_STYLES, markerKind, seriesColor } from '../model/palette.js';
import { placeTooltip } from '../model/tooltip.js';
import { formatValue } from '../model/units.js';
import './chart-links.css';

export { seriesColor };

/** A tooltip lists at most this many series; the rest are counted. */
const TOOLTIP_ROWS = 25;
/** …and at most this many of the events at the hovered time. */
const TOOLTIP_EVENTS = 5;
/** how near (CSS pixels) the cursor must be to an exemplar to hover or click it */
const EXEMPLAR_RADIUS = 6;
const NO_FINDINGS: readonly FindingMarker[] = [];
const NO_EXEMPLARS: readonly Exemplar[] = [];

/** Where a click on a series' point leads, and how the tooltip announces it. */
export interface PointLink {
  readonly href: string;
  readonly label: string;
}

export interface ChartProps {
  readonly frame: Frame;
  readonly unit: Unit;
  readonly mode: 'lines' | 'stacked' | 'bars';
  readonly height: number;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  readonly annotations: readonly Annotation[];
  /** the legend's height limit in pixels before it scrolls */
  readonly legendMaxHeight?: number;
  /** findings drawn as markers with a link to their comparison */
  readonly findings?: readonly FindingMarker[];
  /** exemplars drawn at (time, value); a click opens the trace */
  readonly exemplars?: readonly Exemplar[];
  /** the link of series `seriesIndex`'s point `idx`, if it has one */
  readonly pointLink?: (seriesIndex: number, idx: number) => PointLink | undefined;
  /** follows an in-console address (the router's navigate) */
  readonly onNavigate?: (href: string) => void;
}

export function TimeSeriesChart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot>(null);
  // Series hidden from the legend, by name, kept across refreshes of the same chart.
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set());
  const hiddenRef = useRef(hidden);
  hiddenRef.current = hidden;

  useEffect(() => {
    const el = host.current;
    const tip = tooltip.current;
    if (!el || !tip) return;
    const { frame, unit, mode } = props;
    const columns = mode === 'stacked' ? stackValues(frame.series) : frame.series.map((s) => s.values);
    const data: uPlot.AlignedData = [frame.times, ...columns];
    const fmt = (v: number | null): string => formatValue(v, unit, props.decimals);
    const bars = mode === 'bars' ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined;
    const annotations = props.annotations;
    const findings = props.findings ?? NO_FINDINGS;
    const exemplars = props.exemplars ?? NO_EXEMPLARS;
    const events: readonly MarkerEvent[] = findings.length > 0 ? [...annotations, ...findings] : annotations;
    const { pointLink, onNavigate } = props;
    const highestExemplar = exemplarMax(exemplars);
    // exemplars where the last draw put them, in CSS pixels of the plotting area
    let placed: PlacedExemplar[] = [];
    const markerLayer = document.createElement('div');
    markerLayer.className = 'finding-markers';

    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height,
      // The legend is drawn by React below (every series, scrolling); values show in the tooltip.
      legend: { show: false },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: {
          range: (_u, dmin, dmax) => {
            const lo = props.min ?? (dmin === null ? 0 : Math.min(0, dmin));
            let hi = props.max ?? Math.max(dmax ?? 1, highestExemplar ?? -Infinity);
            if (hi <= lo) hi = lo + 1;
            return [lo, hi + (props.max === undefined ? (hi - lo) * 0.05 : 0)];
          },
        },
      },
      axes: [
        { stroke: '#aaa', grid: { stroke: '#2c3235' }, ticks: { stroke: '#2c3235' } },
        {
          stroke: '#aaa',
          grid: { stroke: '#2c3235' },
          ticks: { stroke: '#2c3235' },
          size: 80,
          values: (_u, splits) => splits.map((v) => fmt(v)),
        },
      ],
      series: [
        { value: (_u, v) => (v === null ? '' : new Date(v * 1000).toLocaleTimeString()) },
        ...frame.series.map((s, i) => ({
          label: s.name,
          show: !hiddenRef.current.has(s.name),
          stroke: seriesColor(i),
          width: 1.5,
          fill: mode === 'lines' ? undefined : `${seriesColor(i)}55`,
          paths: bars,
          points: { show: frame.times.length < 60 },
          spanGaps: false,
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) =>
            idx === null ? '' : fmt(frame.series[i]!.values[idx] ?? null),
        })),
      ],
      hooks: {
        draw: [
          (u) => {
            // Annotation markers: a vertical line per group of nearby events, coloured by kind,
            // with the number of events when a group holds several.
            const ctx = u.ctx;
            const groups = groupMarkers(events, (t) => u.valToPos(t / 1000, 'x', true), 6 * devicePixelRatio);
            ctx.save();
            ctx.lineWidth = Math.max(1, devicePixelRatio);
            ctx.font = `${10 * devicePixelRatio}px sans-serif`;
            for (const g of groups) {
              if (g.x < u.bbox.left || g.x > u.bbox.left + u.bbox.width) continue;
              const style = MARKER_STYLES[g.kind];
              ctx.strokeStyle = style.color;
              ctx.fillStyle = style.color;
              ctx.setLineDash(style.dash.map((d) => d * devicePixelRatio));
              ctx.beginPath();
              ctx.moveTo(g.x, u.bbox.top);
              ctx.lineTo(g.x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              if (g.events.length > 1) {
                const label = `×${g.events.length}`;
                const w = ctx.measureText(label).width;
                const tx = g.x + 3 + w > u.bbox.left + u.bbox.width ? g.x - 3 - w : g.x + 3;
                ctx.fillText(label, tx, u.bbox.top + 10 * devicePixelRatio);
              }
            }
            ctx.restore();
            drawExemplars(u);
            placeFindingLinks(u);
          },
        ],
        setCursor: [
          (u) => {
            const idx = u.cursor.idx;
            if (idx === null || idx === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
              tip.style.display = 'none';
              return;
            }
            const t = frame.times[idx]!;
            tip.replaceChildren();
            const head = document.createElement('div');
            head.className = 'tooltip-time';
            head.textContent = new Date(t * 1000).toLocaleString();
            tip.appendChild(head);
            let shown = 0;
            let more = 0;
            frame.series.forEach((s, i) => {
              if (!u.series[i + 1]?.show) return;
              if (shown >= TOOLTIP_ROWS) {
                more++;
                return;
              }
              shown++;
              const row = document.createElement('div');
              row.className = 'tooltip-row';
              const swatch = document.createElement('span');
              swatch.className = 'swatch';
              swatch.style.background = seriesColor(i);
              const name = document.createElement('span');
              name.className = 'tooltip-name';
              name.textContent = s.name;
              const val = document.createElement('span');
              val.className = 'tooltip-value';
              val.textContent = fmt(s.values[idx] ?? null);
              row.append(swatch, name, val);
              tip.appendChild(row);
            });
            if (more > 0) {
              const rest = document.createElement('div');
              rest.className = 'tooltip-more';
              rest.textContent = `and ${more} more series`;
              tip.appendChild(rest);
            }
            const target = clickTarget(u);
            if (target) {
              const hint = document.createElement('div');
              hint.className = target.exemplar ? 'tooltip-exemplar' : 'tooltip-link';
              hint.textContent = `Click: ${target.label}`;
              tip.appendChild(hint);
            }
            const step = frame.times.length > 1 ? frame.times[1]! - frame.times[0]! : 60;
            const near = events.filter((a) => Math.abs(a.time / 1000 - t) <= step / 2);
            for (const a of near.slice(0, TOOLTIP_EVENTS)) {
              const note = document.createElement('div');
              note.className = 'tooltip-annotation';
              note.style.color = MARKER_STYLES[markerKind(a.tags)].color;
              note.textContent = `${a.tags.join(', ')}: ${a.text}`;
              tip.appendChild(note);
            }
            if (near.length > TOOLTIP_EVENTS) {
              const rest = document.createElement('div');
              rest.className = 'tooltip-more';
              rest.textContent = `and ${near.length - TOOLTIP_EVENTS} more events`;
              tip.appendChild(rest);
            }
            // Fixed to the viewport, placed beside the cursor and kept inside the window.
            tip.style.display = 'block';
            const over = (u.root.querySelector('.u-over') ?? u.root).getBoundingClientRect();
            const place = placeTooltip({
              cursorX: over.left + u.cursor.left,
              cursorY: over.top + (u.cursor.top ?? 0),
              tipWidth: tip.offsetWidth,
              tipHeight: tip.offsetHeight,
              viewportWidth: document.documentElement.clientWidth,
              viewportHeight: document.documentElement.clientHeight,
            });
            tip.style.left = `${place.left}px`;
            tip.style.top = `${place.top}px`;
          },
        ],
      },
    };
    /** The exemplar under the cursor, else the point of the series drawn nearest it. */
    function clickTarget(u: uPlot): { href: string; label: string; exemplar: boolean } | undefined {
      const left = u.cursor.left;
      const top = u.cursor.top;
      if (left === undefined || top === undefined || left < 0) return undefined;
      const hit = exemplarAt(placed, left, top, EXEMPLAR_RADIUS);
      if (hit) {
        const e = hit.exemplar;
        return {
          href: exemplarHref(e),
          label: `exemplar ${fmt(e.value)} at ${new Date(e.timeS * 1000).toLocaleTimeString()}, trace ${e.traceId}`,
          exemplar: true,
        };
      }
      const idx = u.cursor.idx;
      if (!pointLink || idx === null || idx === undefined) return undefined;
      const ys = frame.series.map((_s, i) => {
        const v = u.series[i + 1]?.show ? (data[i + 1]![idx] ?? null) : null;
        return v === null ? null : u.valToPos(v, 'y');
      });
      const si = nearestSeries(ys, top);
      const link = si < 0 ? undefined : pointLink(si, idx);
      return link ? { ...link, exemplar: false } : undefined;
    }

    function drawExemplars(u: uPlot): void {
      if (exemplars.length === 0) return;
      placed = placeExemplars(
        exemplars,
        (t) => u.valToPos(t, 'x'),
        (v) => u.valToPos(v, 'y'),
        4,
      ).filter((p) => p.x >= 0 && p.x <= u.bbox.width / devicePixelRatio && p.y >= 0);
      const ctx = u.ctx;
      const r = 3.5 * devicePixelRatio;
      ctx.save();
      ctx.fillStyle = EXEMPLAR_COLOR;
      ctx.strokeStyle = '#111217';
      ctx.lineWidth = devicePixelRatio;
      ctx.setLineDash([]);
      for (const p of placed) {
        const x = u.bbox.left + p.x * devicePixelRatio;
        const y = u.bbox.top + p.y * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, y - r);
        ctx.lineTo(x + r, y);
        ctx.lineTo(x, y + r);
        ctx.lineTo(x - r, y);
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
      }
      ctx.restore();
    }

    /** One link per finding above the plot, at its marker line; several at one place stack. */
    function placeFindingLinks(u: uPlot): void {
      markerLayer.replaceChildren();
      const width = u.bbox.width / devicePixelRatio;
      const stacked = new Map<number, number>();
      for (const f of findings) {
        const x = u.valToPos(f.time / 1000, 'x');
        if (!(x >= 0 && x <= width)) continue;
        const slot = Math.round(x / 6);
        const level = stacked.get(slot) ?? 0;
        stacked.set(slot, level + 1);
        const a = document.createElement('a');
        a.className = 'finding-marker';
        a.dataset['service'] = f.service;
        a.dataset['kind'] = f.kind;
        a.title = f.text;
        a.setAttribute('aria-label', `Finding: ${f.text}`);
        a.style.left = `${x}px`;
        a.style.top = `${level * 12}px`;
        if (f.href !== undefined) {
          const href = f.href;
          a.href = href;
          a.addEventListener('click', (ev) => {
            ev.stopPropagation();
            if (!onNavigate || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
            ev.preventDefault();
            onNavigate(href);
          });
        }
        markerLayer.appendChild(a);
      }
    }

    const plot = new uPlot(opts, data, el);
    plotRef.current = plot;
    // uPlot's typings leave out `over`, the element above the canvas that takes the mouse
    const over = plot.root.querySelector<HTMLElement>('.u-over') ?? plot.root;
    over.appendChild(markerLayer);
    const onClick = (ev: MouseEvent): void => {
      if (!onNavigate || (ev.target instanceof Element && ev.target.closest('.finding-marker'))) return;
      const target = clickTarget(plot);
      if (target) onNavigate(target.href);
    };
    over.addEventListener('click', onClick);
    if (pointLink || exemplars.length > 0) over.classList.add('has-links');
    // The room for plot and legend together is the panel body's height (or `height` outside a
    // panel): give the plot what the legend leaves.
    const body = el.closest<HTMLElement>('.panel-body');
    const fit = (): void => {
      const legendHeight = legend.current?.offsetHeight ?? 0;
      const room = body ? body.clientHeight - 8 : props.height;
      plot.setSize({ width: Math.max(200, el.clientWidth), height: Math.max(100, room - legendHeight) });
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(body ?? el);
    const hide = (): void => {
      tip.style.display = 'none';
    };
    el.addEventListener('mouseleave', hide);
    return () => {
      ro.disconnect();
      el.removeEventListener('mouseleave', hide);
      over.removeEventListener('click', onClick);
      plot.destroy();
      plotRef.current = null;
    };
  }, [
    props.frame,
    props.unit,
    props.mode,
    props.height,
    props.min,
    props.max,
    props.decimals,
    props.annotations,
    props.findings,
    props.exemplars,
    props.pointLink,
    props.onNavigate,
  ]);

  const toggle = (i: number, name: string): void => {
    const next = new Set(hidden);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setHidden(next);
    plotRef.current?.setSeries(i + 1, { show: !next.has(name) });
  };
  const markerCounts = countKinds(
    [...props.annotations, ...(props.findings ?? NO_FINDINGS)].filter((a) => inRange(a.time / 1000, props.frame.times)),
  );
  const exemplarCount = props.exemplars?.filter((e) => inRange(e.timeS, props.frame.times)).length ?? 0;

  return (
    <div className="chart" data-series-count={props.frame.series.length} data-exemplar-count={exemplarCount}>
      <div ref={host} />
      <div
        ref={legend}
        className="chart-legend"
        style={{ maxHeight: props.legendMaxHeight ?? 66 }}
        aria-label="Legend"
        role="group"
      >
        {props.frame.series.map((s, i) => (
          <button
            type="button"
            key={`${i}-${s.name}`}
            className={`legend-item ${hidden.has(s.name) ? 'off' : ''}`}
            aria-pressed={!hidden.has(s.name)}
            title={s.name}
            onClick={() => toggle(i, s.name)}
          >
            <span className="swatch" style={{ background: seriesColor(i) }} />
            <span className="legend-label">{s.name}</span>
          </button>
        ))}
        {[...markerCounts].map(([kind, n]) => (
          <span key={kind} className="legend-marker" data-marker={kind}>
            <span
              className="marker-swatch"
              style={{
                borderColor: MARKER_STYLES[kind].color,
                borderLeftStyle: kind === 'restart' ? 'dotted' : kind === 'finding' ? 'solid' : 'dashed',
              }}
            />
            {MARKER_STYLES[kind].label}
            {n > 1 ? ` (${n})` : ''}
          </span>
        ))}
        {exemplarCount > 0 && (
          <span className="legend-marker" data-marker="exemplar">
            <span className="exemplar-swatch" style={{ background: EXEMPLAR_COLOR }} />
            exemplar{exemplarCount > 1 ? `s (${exemplarCount})` : ''}
          </span>
        )}
      </div>
      <div ref={tooltip} className="tooltip" role="tooltip" style={{ display: 'none' }} />
    </div>
  );
}

const EXEMPLAR_COLOR = '#fade2a';

/** Whether an event falls on the chart: from its first point to one step past its last. */
function inRange(t: number, times: readonly number[]): boolean {
  if (times.length === 0) return false;
  const step = times.length > 1 ? times[1]! - times[0]! : 0;
  return t >= times[0]! && t <= times[times.length - 1]! + step;
}
