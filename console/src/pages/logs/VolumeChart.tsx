// The log volume over time as stacked bars, one colour per level (uPlot, like the other charts):
// each bar is the lines per step; the legend names the levels with their totals.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { LEVEL_COLORS, type VolumeFrame } from './model.js';

export function VolumeChart(props: { frame: VolumeFrame; height: number }) {
  const host = useRef<HTMLDivElement>(null);
  const { frame } = props;
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    // Stacked by hand: series k holds the sum of levels 0..k, drawn from the tallest down so
    // every level's own segment shows in its colour.
    const cumulative: number[][] = [];
    frame.series.forEach((s, k) => {
      cumulative.push(s.counts.map((c, i) => c + (k > 0 ? cumulative[k - 1]![i]! : 0)));
    });
    const order = frame.series.map((_, k) => k).reverse();
    const bars = uPlot.paths.bars!({ size: [0.8, 30], align: 1 });
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: props.height,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1) * 1.05] } },
        axes: [
          { stroke: '#aaa', grid: { stroke: '#2c3235' }, ticks: { stroke: '#2c3235' } },
          { stroke: '#aaa', grid: { stroke: '#2c3235' }, ticks: { stroke: '#2c3235' }, size: 50 },
        ],
        series: [
          {},
          ...order.map((k) => {
            const color = LEVEL_COLORS[frame.series[k]!.level];
            return {
              label: frame.series[k]!.level,
              stroke: color,
              fill: color,
              width: 0,
              paths: bars,
              points: { show: false },
            };
          }),
        ],
      },
      [frame.times, ...order.map((k) => cumulative[k]!)],
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: props.height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [frame, props.height]);
  return (
    <div className="logs-volume" data-levels={frame.series.map((s) => s.level).join(',')}>
      <div ref={host} />
      <div className="logs-volume-legend" aria-label="Levels">
        {frame.series.map((s) => (
          <span key={s.level} data-level={s.level}>
            <span className="swatch" style={{ background: LEVEL_COLORS[s.level] }} />
            {s.level} {s.counts.reduce((a, b) => a + b, 0)}
          </span>
        ))}
      </div>
    </div>
  );
}
