import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { sameSeries } from './model.js';

/** Options of {@link Sparkline}. */
export interface SparklineProps {
  /** Accessible name, e.g. `calls/s`. */
  label: string;
  /** The last value as text, shown beside the chart. */
  value: string;
  /** x (epoch seconds), then one array per series; `null` for a gap. */
  data: [number[], ...(number | null)[][]];
  colors: string[];
}

/** A tiny uPlot line chart with its label and last value; the chart itself is decorative. */
export function Sparkline({ label, value, data, colors }: SparklineProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = new uPlot(
      {
        width: 110,
        height: 28,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false } },
        axes: [{ show: false }, { show: false }],
        series: [{}, ...colors.map((stroke) => ({ stroke, width: 1.5, spanGaps: false }))],
      },
      data as uPlot.AlignedData,
      box.current,
    );
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
  }, [colors.length]);
  const drawn = useRef(data);
  useEffect(() => {
    // A redraw only when a value changed: the page recomputes every server's series when any
    // call comes, and redrawing 300 canvases for a few new calls keeps the main thread busy.
    if (sameSeries(drawn.current, data)) return;
    drawn.current = data;
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);
  return (
    <div class="spark">
      <span class="spark-label">{label}</span>
      <div ref={box} aria-hidden="true" />
      <span class="spark-value">{value}</span>
    </div>
  );
}
