// Asset: a candlestick chart with volume, moving-average and Bollinger overlays and RSI/MACD
// panes (TradingView's lightweight-charts, bundled), updated live over /ws/assets/{symbol};
// the asset's statistics with their method, window and data points.
import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type UTCTimestamp,
} from 'lightweight-charts';
import { api, type Candle, type Indicators } from '../api';
import { LiveTopic } from '../live';
import type { PageModule } from '../router';
import { marketTime, setState } from '../shell';
import { day, field, frac, h, minute, pct, price, section, select, sign, table } from '../ui';
import { renderSignals } from './asset-signals';

const TIMEFRAMES: [string, string][] = [
  ['1h', '1 hour'],
  ['4h', '4 hours'],
  ['1d', '1 day'],
  ['1w', '1 week'],
];
const SECONDS: Record<string, number> = { '1h': 3600, '4h': 14_400, '1d': 86_400, '1w': 604_800 };
const BARS = 300;
const COLORS = {
  up: '#26a269',
  down: '#e5534b',
  text: '#c9d1d9',
  grid: '#30363d',
  sma: '#f0b429',
  ema: '#79c0ff',
  bb: '#a371f7',
  rsi: '#f0b429',
  macd: '#79c0ff',
  signal: '#f78166',
};

const t = (iso: string) => Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;

export const page: PageModule = {
  title: 'Asset',
  async render({ root, params, signal }) {
    const id = params[0] ?? 'BTC';
    const asset = await api.market.asset(id);
    document.title = `${asset.symbol} · Meridian`;
    const heading = root.querySelector('h1');
    if (heading) heading.textContent = `${asset.symbol} · ${asset.name}`;

    const livePrice = h('strong', { id: 'asset-price', class: 'big' }, price(asset.current_price));
    const change = h(
      'span',
      { id: 'asset-change', class: sign(asset.price_change_percentage_24h) },
      pct(asset.price_change_percentage_24h),
    );
    const fresh = h(
      'span',
      { id: 'asset-asof', class: asset.stale ? 'stale' : '' },
      asset.stale ? `stale: ${asset.stale_reason ?? ''}` : `as of ${minute(asset.as_of)}`,
    );
    const tf = select('timeframe', TIMEFRAMES, '1d');
    const checks = {
      sma: h('input', { type: 'checkbox', name: 'sma', checked: true }),
      ema: h('input', { type: 'checkbox', name: 'ema' }),
      bbands: h('input', { type: 'checkbox', name: 'bbands', checked: true }),
      rsi: h('input', { type: 'checkbox', name: 'rsi', checked: true }),
      macd: h('input', { type: 'checkbox', name: 'macd', checked: true }),
    };
    const chartBox = h('div', {
      id: 'chart',
      class: 'chart',
      role: 'img',
      'aria-label': `${asset.symbol} candlestick chart`,
    });
    const legend = h('p', { id: 'chart-legend', class: 'note' });
    const stats = h('div', { id: 'stats' });
    const signalsBox = h('div', { id: 'signals' });
    root.append(
      h(
        'p',
        { class: 'quote' },
        livePrice,
        ' USD ',
        change,
        ' ',
        fresh,
        ' · ',
        h('a', { href: `#/alerts?asset=${encodeURIComponent(asset.symbol)}` }, 'Set an alert'),
      ),
      h(
        'form',
        { class: 'controls', id: 'chart-controls' },
        field('Timeframe', tf),
        h(
          'fieldset',
          {},
          h('legend', {}, 'Overlays'),
          field('SMA 20', checks.sma),
          field('EMA 50', checks.ema),
          field('Bollinger 20, 2σ', checks.bbands),
        ),
        h(
          'fieldset',
          {},
          h('legend', {}, 'Panes'),
          field('RSI 14', checks.rsi),
          field('MACD 12/26/9', checks.macd),
        ),
      ),
      chartBox,
      legend,
      section('stats-section', 'Statistics', stats),
      section('signals-section', 'Signals and track record', signalsBox),
    );

    let chart: IChartApi | undefined;
    let candles: ISeriesApi<'Candlestick'> | undefined;
    let volume: ISeriesApi<'Histogram'> | undefined;
    let last: { time: UTCTimestamp; open: number; high: number; low: number; close: number } | undefined;
    let bars = 0;

    const mark = () => {
      chartBox.dataset.bars = String(bars);
      chartBox.dataset.lastClose = String(last?.close ?? '');
      chartBox.dataset.lastTime = String(last?.time ?? '');
    };

    const draw = async () => {
      const timeframe = tf.value;
      const wanted = Object.entries(checks)
        .filter(([, c]) => c.checked)
        .map(([k]) => k);
      const [history, ind] = await Promise.all([
        api.market.history(asset.id, { timeframe, limit: BARS }),
        wanted.length
          ? api.market.indicators(asset.id, { timeframe, indicators: wanted.join(','), points: BARS })
          : Promise.resolve(null),
      ]);
      chart?.remove();
      chart = createChart(chartBox, {
        autoSize: true,
        layout: {
          background: { type: ColorType.Solid, color: '#0d1117' },
          textColor: COLORS.text,
          attributionLogo: false,
          panes: { separatorColor: COLORS.grid },
        },
        grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
        timeScale: { timeVisible: timeframe !== '1d' && timeframe !== '1w', borderColor: COLORS.grid },
        rightPriceScale: { borderColor: COLORS.grid },
      });
      candles = chart.addSeries(CandlestickSeries, {
        upColor: COLORS.up,
        downColor: COLORS.down,
        wickUpColor: COLORS.up,
        wickDownColor: COLORS.down,
        borderVisible: false,
      });
      volume = chart.addSeries(HistogramSeries, {
        priceScaleId: 'volume',
        priceFormat: { type: 'volume' },
        lastValueVisible: false,
        priceLineVisible: false,
      });
      chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
      const rows = history.candles;
      candles.setData(
        rows.map((c) => ({ time: t(c.timestamp), open: c.open, high: c.high, low: c.low, close: c.close })),
      );
      volume.setData(
        rows.map((c) => ({
          time: t(c.timestamp),
          value: c.volume,
          color: c.close >= c.open ? '#26a26966' : '#e5534b66',
        })),
      );
      const tail: Candle | undefined = rows.at(-1);
      last = tail
        ? { time: t(tail.timestamp), open: tail.open, high: tail.high, low: tail.low, close: tail.close }
        : undefined;
      bars = rows.length;
      if (ind) overlay(chart, ind);
      chart.timeScale().fitContent();
      legend.textContent = `${rows.length} ${timeframe} candles to ${minute(history.as_of)}${ind ? `; indicators: ${ind.method}, ${ind.data_points_used} data points` : ''}.`;
      mark();
    };

    const overlay = (c: IChartApi, ind: Indicators) => {
      const times = ind.series.timestamps.map(t);
      const line = (key: string, color: string, pane = 0, width: 1 | 2 = 1) => {
        const values = ind.series[key] as (number | null)[] | undefined;
        if (!values) return;
        const s = c.addSeries(
          LineSeries,
          {
            color,
            lineWidth: width,
            priceLineVisible: false,
            lastValueVisible: false,
            title:
              key === 'bbands_upper' || key === 'bbands_lower'
                ? ''
                : key.replace('_', ' ').replace('bbands middle', 'bollinger'),
          },
          pane,
        );
        s.setData(
          times.flatMap((time, i) => (values[i] == null ? [] : [{ time, value: values[i] as number }])),
        );
      };
      line('sma', COLORS.sma, 0, 2);
      line('ema', COLORS.ema, 0, 2);
      line('bbands_upper', COLORS.bb);
      line('bbands_middle', COLORS.bb);
      line('bbands_lower', COLORS.bb);
      let pane = 1;
      if (ind.series.rsi) line('rsi', COLORS.rsi, pane++, 2);
      if (ind.series.macd_line) {
        const values = ind.series.macd_histogram as (number | null)[];
        const hist = c.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, pane);
        hist.setData(
          times.flatMap((time, i) =>
            values[i] == null
              ? []
              : [
                  {
                    time,
                    value: values[i] as number,
                    color: (values[i] as number) >= 0 ? '#26a26999' : '#e5534b99',
                  },
                ],
          ),
        );
        line('macd_line', COLORS.macd, pane);
        line('macd_signal', COLORS.signal, pane);
      }
      for (const [i, p] of c.panes().entries()) if (i > 0) p.setStretchFactor(0.35);
    };

    /** A live price: moves the last bar, or opens the next one when the tick is past its period. */
    const tick = (value: number, at: string) => {
      if (!candles || !last) return;
      const step = SECONDS[tf.value] ?? 86_400;
      const bucket = (Math.floor(Date.parse(at) / 1000 / step) * step) as UTCTimestamp;
      if (bucket > last.time) {
        last = {
          time: bucket,
          open: last.close,
          high: Math.max(last.close, value),
          low: Math.min(last.close, value),
          close: value,
        };
        bars++;
      } else if (bucket === last.time || tf.value === '1w') {
        last = { ...last, high: Math.max(last.high, value), low: Math.min(last.low, value), close: value };
      } else return;
      candles.update(last);
      mark();
    };

    tf.addEventListener('change', () => void draw());
    for (const c of Object.values(checks)) c.addEventListener('change', () => void draw());
    await Promise.all([
      draw(),
      loadStats(asset.id, stats),
      renderSignals(signalsBox, asset.id).catch((err) =>
        signalsBox.replaceChildren(
          h('p', { class: 'failure' }, err instanceof Error ? err.message : String(err)),
        ),
      ),
    ]);

    const link = new LiveTopic({
      path: `/ws/assets/${encodeURIComponent(asset.symbol)}`,
      onMessage: (m) => {
        if (m.type === 'price_update' && typeof m.price === 'number') {
          livePrice.textContent = price(m.price);
          if (typeof m.change_pct_24h === 'number') {
            change.textContent = pct(m.change_pct_24h);
            change.className = sign(m.change_pct_24h);
          }
          const at = typeof m.market_time === 'string' ? m.market_time : new Date().toISOString();
          fresh.textContent = `as of ${minute(at)} (live)`;
          marketTime(at);
          tick(m.price, at);
        }
        if (m.type === 'candle' && tf.value === '1h' && candles && typeof m.time === 'string') {
          const bar = {
            time: t(m.time),
            open: Number(m.open),
            high: Number(m.high),
            low: Number(m.low),
            close: Number(m.close),
          };
          if (!last || bar.time >= last.time) {
            if (!last || bar.time > last.time) bars++;
            last = bar;
            candles.update(bar);
            volume?.update({ time: bar.time, value: Number(m.volume) });
            mark();
          }
        }
      },
      onReset: () => void draw(),
      onState: (state, detail) => setState('asset', state, detail),
    });
    const resize = () => chart?.resize(chartBox.clientWidth, chartBox.clientHeight);
    window.addEventListener('resize', resize, { signal });
    signal.addEventListener('abort', () => {
      link.stop();
      setState('asset', 'stopped');
      chart?.remove();
    });
  },
};

async function loadStats(id: string, box: HTMLElement): Promise<void> {
  const s = await api.market.statistics(id);
  const label: Record<string, string> = {
    '1d': '1 day',
    '7d': '7 days',
    '30d': '30 days',
    '90d': '90 days',
    '365d': '365 days',
  };
  box.replaceChildren(
    table(
      'Returns',
      [['Window'], ['Return', true]],
      Object.entries(s.returns).map(([k, v]) => [label[k] ?? k, frac(v)]),
      'stats-returns',
    ),
    table(
      'Risk and range',
      [['Measure'], ['Value', true]],
      [
        ['Volatility, 30 days (annualized)', frac(s.volatility.annualized_30d)],
        ['Volatility, 90 days (annualized)', frac(s.volatility.annualized_90d)],
        ['Max drawdown', frac(-s.drawdown.max_drawdown)],
        ['Drawdown peak → trough', `${day(s.drawdown.peak_date)} → ${day(s.drawdown.trough_date)}`],
        ['52-week high', price(s.ranges.high_52w)],
        ['52-week low', price(s.ranges.low_52w)],
      ],
      'stats-risk',
    ),
    h(
      'p',
      { class: 'note' },
      `Method: ${s.method}. ${s.data_points_used} data points over ${s.period_days} days, as of ${minute(s.as_of)}.`,
    ),
  );
}
