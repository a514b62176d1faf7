// The uPlot side of the metrics chart, in its own module so it is a lazily loaded chunk.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { MetricsPoint } from "../api/queries.ts";

const ratio = (used: number, total: number) => (total > 0 ? (used / total) * 100 : null);

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The time span a chart shows, in ms since the epoch: always its title's window. */
export interface ChartWindow {
  from: number;
  to: number;
}

/**
 * Draws CPU / memory / storage percentages into `el` over `window`, following its width; returns
 * a disposer. The x axis is the window itself, not the span of the samples: uPlot would
 * otherwise stretch one sample over years and two over a minute.
 */
export function drawMetrics(el: HTMLElement, items: MetricsPoint[], window: ChartWindow): () => void {
  const data: uPlot.AlignedData = [
    items.map((p) => new Date(p.at).getTime() / 1000),
    items.map((p) => p.cpu * 100),
    items.map((p) => ratio(p.memUsed, p.memTotal)),
    items.map((p) => ratio(p.diskUsed, p.diskTotal)),
  ];
  const axis = {
    stroke: cssVar("--muted", "#5b6476"),
    grid: { stroke: cssVar("--border", "#d7dbe3"), width: 1 },
  };
  // Floor, not clientWidth (which rounds up): a half pixel too wide widens the page at phone width.
  const width = () => Math.max(240, Math.floor(el.getBoundingClientRect().width));
  const plot = new uPlot(
    {
      width: width(),
      height: 220,
      // What the x axis shows, for whoever checks it (the browser tests): seconds since the epoch.
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== "x") return;
            el.dataset.xMin = String(u.scales.x?.min ?? "");
            el.dataset.xMax = String(u.scales.x?.max ?? "");
          },
        ],
      },
      scales: {
        x: { time: true, range: (): uPlot.Range.MinMax => [window.from / 1000, window.to / 1000] },
        y: { range: [0, 100] },
      },
      axes: [axis, { ...axis, values: (_u, vals) => vals.map((v) => `${v} %`) }],
      series: [
        {},
        {
          label: "CPU",
          stroke: cssVar("--accent", "#3454d1"),
          width: 2,
          value: (_u, v) => (v == null ? "—" : `${v.toFixed(0)} %`),
        },
        {
          label: "Memory",
          stroke: cssVar("--good", "#1d7a46"),
          width: 2,
          value: (_u, v) => (v == null ? "—" : `${v.toFixed(0)} %`),
        },
        {
          label: "Storage",
          stroke: cssVar("--warn", "#8a5a00"),
          width: 2,
          value: (_u, v) => (v == null ? "—" : `${v.toFixed(0)} %`),
        },
      ],
    },
    data,
    el,
  );
  const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
  ro.observe(el);
  return () => {
    ro.disconnect();
    plot.destroy();
  };
}
