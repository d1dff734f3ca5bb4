import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import type uPlotType from 'uplot';

/**
 * A chart over categories (days, fleets) drawn by uPlot, loaded as a chunk of its own when a
 * page first draws one. The x axis is the category's index, labelled with `labels`; a series is
 * a line or bars (one bar series per chart); `band` shades between two series (an interval) and hides them from the legend.
 * The figure carries its title for screen readers; the page shows the same numbers in a table.
 */
export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  kind: 'line' | 'bar';
}

export interface ChartProps {
  id: string;
  title: string;
  labels: string[];
  series: ChartSeries[];
  /** indexes into `series` of the band's upper and lower bounds */
  band?: [number, number];
  yRange?: [number, number];
  height?: number;
  formatY?: (v: number) => string;
}

let uPlotChunk: Promise<typeof uPlotType> | undefined;
const loadUPlot = () => (uPlotChunk ??= import('uplot').then((m) => m.default));

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let plot: uPlotType | undefined;
    let gone = false;
    let observer: ResizeObserver | undefined;
    void loadUPlot().then((UPlot) => {
      if (gone || !box.current) return;
      const width = () => Math.max(240, box.current?.clientWidth ?? 320);
      const n = props.labels.length;
      const bars = UPlot.paths.bars!({ size: [0.6, 64] });
      const hidden = new Set(props.band ?? []);
      const opts: uPlotType.Options = {
        width: width(),
        height: props.height ?? 220,
        scales: {
          x: { time: false, range: () => [-0.5, n - 0.5] },
          y: props.yRange ? { range: () => props.yRange! } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          { splits: () => props.labels.map((_, i) => i), values: (_u, splits) => splits.map((i) => props.labels[i] ?? '') },
          { values: (_u, splits) => splits.map((v) => (props.formatY ? props.formatY(v) : String(v))), size: 56 },
        ],
        series: [
          { label: '#' },
          ...props.series.map((s): uPlotType.Series => {
            if (s.kind === 'line') return { label: s.label, stroke: s.color, width: 2, points: { show: true, size: 6 }, show: true, ...(hidden.has(props.series.indexOf(s)) ? { stroke: 'transparent', points: { show: false } } : {}) };
            return { label: s.label, fill: s.color, stroke: s.color, width: 0, points: { show: false }, paths: bars };
          }),
        ],
        ...(props.band ? { bands: [{ series: [props.band[0] + 1, props.band[1] + 1], fill: 'rgba(33,102,172,0.18)' }] } : {}),
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
      };
      const data: uPlotType.AlignedData = [props.labels.map((_, i) => i), ...props.series.map((s) => s.values.map((v) => (v === null ? null : v)))];
      plot = new UPlot(opts, data, box.current);
      observer = new ResizeObserver(() => plot?.setSize({ width: width(), height: props.height ?? 220 }));
      observer.observe(box.current);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [JSON.stringify([props.labels, props.series, props.band, props.yRange])]);
  return html`<figure class="chart" id=${props.id} aria-label=${props.title}>
    <figcaption>${props.title}</figcaption>
    <div class="chart-box" ref=${box}></div>
  </figure>`;
}
