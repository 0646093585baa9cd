// A generic uPlot chart for time-series and bar panels: lines or stacked areas or bars, unit-aware
// axes, a legend whose entries hide/show series on click (uPlot's own), a hover tooltip with the
// time and every value, and vertical markers for annotations (flag changes, restarts).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { Annotation } from '../api/backend.js';
import type { Unit } from '../model/dashboard.js';
import { stackValues, type Frame } from '../model/frames.js';
import { formatValue } from '../model/units.js';

const PALETTE = [
  '#73bf69',
  '#f2cc0c',
  '#8ab8ff',
  '#ff780a',
  '#f2495c',
  '#5794f2',
  '#b877d9',
  '#fade2a',
  '#37872d',
  '#e0b400',
];

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
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
}

export function TimeSeriesChart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);

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

    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height,
      legend: { show: true, live: true },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: {
          range: (_u, dmin, dmax) => {
            const lo = props.min ?? (dmin === null ? 0 : Math.min(0, dmin));
            let hi = props.max ?? (dmax === null ? 1 : dmax);
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
            // Annotation markers: a dashed vertical line per event inside the range.
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = '#ff9830';
            ctx.setLineDash([4, 4]);
            ctx.lineWidth = 1;
            for (const a of annotations) {
              const x = u.valToPos(a.time / 1000, 'x', true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
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
            frame.series.forEach((s, i) => {
              if (!u.series[i + 1]?.show) return;
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
            const step = frame.times.length > 1 ? frame.times[1]! - frame.times[0]! : 60;
            for (const a of annotations) {
              if (Math.abs(a.time / 1000 - t) <= step / 2) {
                const note = document.createElement('div');
                note.className = 'tooltip-annotation';
                note.textContent = `${a.tags.join(', ')}: ${a.text}`;
                tip.appendChild(note);
              }
            }
            tip.style.display = 'block';
            const left = u.cursor.left + u.bbox.left / devicePixelRatio;
            tip.style.left = `${Math.min(left + 12, el.clientWidth - 240)}px`;
            tip.style.top = `${(u.cursor.top ?? 0) + 8}px`;
          },
        ],
      },
    };
    const plot = new uPlot(opts, data, el);
    // The room for plot and legend together is the panel body's height (or `height` outside a
    // panel): give the plot what the legend leaves.
    const body = el.closest<HTMLElement>('.panel-body');
    const fit = (): void => {
      const legend = plot.root.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? 0;
      const room = body ? body.clientHeight - 8 : props.height;
      plot.setSize({ width: Math.max(200, el.clientWidth), height: Math.max(100, room - legend) });
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
      plot.destroy();
    };
  }, [props.frame, props.unit, props.mode, props.height, props.min, props.max, props.decimals, props.annotations]);

  return (
    <div className="chart" data-series-count={props.frame.series.length}>
      <div ref={host} />
      <div ref={tooltip} className="tooltip" role="tooltip" style={{ display: 'none' }} />
    </div>
  );
}
