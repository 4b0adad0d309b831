// Line charts for the pages that plot a series over time (bots' equity, backtests' equity and
// drawdown), on TradingView's lightweight-charts with the app's colours.
import {
  AreaSeries,
  ColorType,
  createChart,
  type IChartApi,
  LineSeries,
  type UTCTimestamp,
} from 'lightweight-charts';

export interface Line {
  title: string;
  color: string;
  points: { time: string; value: number }[];
  /** 0: the main pane; 1: a pane below it. */
  pane?: number;
  /** Filled below the line (drawdown). */
  area?: boolean;
}

const time = (iso: string) => Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;

/** Seconds, strictly increasing: the library refuses two points at one time. */
function increasing(points: { time: string; value: number }[]) {
  const out: { time: UTCTimestamp; value: number }[] = [];
  for (const p of points) {
    const t = time(p.time);
    if (!Number.isFinite(t)) continue;
    const last = out.at(-1);
    if (last && t <= last.time) last.value = p.value;
    else out.push({ time: t, value: p.value });
  }
  return out;
}

/** Draws `lines` into `box` (emptied first) and returns the chart, to remove or update later. */
export function lineChart(box: HTMLElement, lines: Line[]): IChartApi {
  box.replaceChildren();
  const chart = createChart(box, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: '#0d1117' },
      textColor: '#c9d1d9',
      attributionLogo: false,
    },
    grid: { vertLines: { color: '#30363d' }, horzLines: { color: '#30363d' } },
    timeScale: { timeVisible: true },
  });
  for (const l of lines) {
    const series = l.area
      ? chart.addSeries(
          AreaSeries,
          {
            lineColor: l.color,
            topColor: `${l.color}10`,
            bottomColor: `${l.color}60`,
            lineWidth: 1,
            title: l.title,
          },
          l.pane ?? 0,
        )
      : chart.addSeries(LineSeries, { color: l.color, lineWidth: 2, title: l.title }, l.pane ?? 0);
    series.setData(increasing(l.points));
  }
  if (lines.some((l) => (l.pane ?? 0) > 0)) chart.panes()[1]?.setStretchFactor(0.4);
  chart.timeScale().fitContent();
  return chart;
}
