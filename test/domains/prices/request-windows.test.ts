import { beforeAll, describe, expect, it } from 'vitest';
import btcCsv from '../../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import spyCsv from '../../../../shared/data/prices/etf-alphavantage/SPY.csv?raw';
import {
  adx,
  annualizedVolatility,
  atr,
  bollinger,
  cci,
  donchian,
  ema,
  ichimoku,
  macd,
  obv,
  roc,
  rsi,
  sma,
  stochastic,
  supportResistance,
  vwap,
} from '../../../src/quant';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

// "A figure does not depend on how it was asked for": an indicator or statistic at a bar
// equals the one computed from the asset's full history up to that bar, whatever `limit`,
// `points`, range or `days` the request used. The reference is the shipped CSV, parsed here
// independently of the importer, and the quant library run over all of it.

type Envelope<T> = { data: T };
interface Bar {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const DAY = 86_400_000;

/** Daily bars of a shipped CSV (Yahoo's or Alpha Vantage's columns), oldest first. */
function parseCsv(text: string): Bar[] {
  const [header = '', ...lines] = text.trim().split(/\r?\n/);
  const cols = header.split(',').map((c) => c.toLowerCase().replace(/^\d+\.\s*/, ''));
  const at = (name: string) => cols.indexOf(name);
  const bars = lines.map((line) => {
    const f = line.split(',');
    const num = (name: string) => Number(f[at(name)]);
    return {
      t: Date.parse(`${(f[at('date')] ?? '').slice(0, 10)}T00:00:00Z`),
      open: num('open'),
      high: num('high'),
      low: num('low'),
      close: num('close'),
      volume: num('volume'),
    };
  });
  return bars.sort((a, b) => a.t - b.t);
}

const HISTORY = { BTC: parseCsv(btcCsv), SPY: parseCsv(spyCsv) };
type Symbol = keyof typeof HISTORY;
const upTo = (symbol: Symbol, t: number) => HISTORY[symbol].filter((b) => b.t <= t);
const day = (iso: string) => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);

/**
 * |served - expected| within 1e-9 of the series' scale (its largest |value| in the compared
 * bars): plain relative error is meaningless for values that cross zero (MACD, ROC, CCI).
 */
function expectSameSeries(label: string, served: (number | null)[], expected: number[]) {
  expect(served.length, label).toBe(expected.length);
  const scale = Math.max(...expected.filter(Number.isFinite).map(Math.abs), Number.MIN_VALUE);
  served.forEach((v, i) => {
    const e = expected[i] as number;
    if (Number.isNaN(e)) {
      expect(v, `${label}[${i}] is warm-up over the full history`).toBeNull();
      return;
    }
    expect(v, `${label}[${i}]`).not.toBeNull();
    expect(Math.abs((v as number) - e), `${label}[${i}]: ${v} vs ${e}`).toBeLessThanOrEqual(1e-9 * scale);
  });
}

beforeAll(async () => {
  await seedMarket(['BTC', 'SPY']);
});

// Bars on or before 2023-12-31 (the day before the replay starts), so the test holds whether
// the database is seeded to the replay start or beyond it. 2023-12-29 is a Friday (SPY trades).
const BARS = ['2023-12-29', '2023-06-30'];

describe('per-candle indicators of /api/v1/price-data/{id}', () => {
  type Row = {
    timestamp: string;
    technical_indicators: Record<'sma_20' | 'ema_50' | 'rsi_14', number | null>;
  };

  for (const symbol of ['BTC', 'SPY'] as const) {
    it(`${symbol}: SMA(20), EMA(50) and RSI(14) at each candle equal the full-history values for any limit or range`, async () => {
      const closes = HISTORY[symbol].map((b) => b.close);
      const reference = { sma_20: sma(closes, 20), ema_50: ema(closes, 50), rsi_14: rsi(closes, 14) };
      const index = new Map(HISTORY[symbol].map((b, i) => [b.t, i]));
      const queries = [
        ...[1, 3, 60, 400].flatMap((limit) => BARS.map((end) => `limit=${limit}&end_date=${end}`)),
        'start_date=2023-03-01&end_date=2023-03-10',
        'start_date=2020-03-01&end_date=2020-04-15&limit=5',
      ];
      for (const query of queries) {
        const { res, body } = await callJson<Envelope<{ candles: Row[]; warmup_bars: number }>>(
          `/api/v1/price-data/${symbol}?${query}`,
        );
        expect(res.status, query).toBe(200);
        expect(body.data.candles.length, query).toBeGreaterThan(0);
        for (const name of ['sma_20', 'ema_50', 'rsi_14'] as const) {
          const at = body.data.candles.map((c) => index.get(day(c.timestamp)) ?? -1);
          expect(at, `${query}: candles are bars of the history`).not.toContain(-1);
          expectSameSeries(
            `${symbol} ${query} ${name}`,
            body.data.candles.map((c) => c.technical_indicators[name]),
            at.map((i) => reference[name][i] as number),
          );
        }
      }
    }, 60_000);
  }
});

describe('/api/v1/price-data/{id}/technical-indicators', () => {
  type Response = {
    series: Record<string, (number | string | null)[]>;
    latest: Record<string, unknown>;
    warmup_bars: Record<string, number | null>;
    data_points_used: number;
  };
  const ALL = 'sma,ema,rsi,macd,bbands,atr,stoch,adx,cci,obv,vwap,roc,donchian,ichimoku';

  /** Every served series computed by the library over the full history, by series name. */
  function referenceSeries(bars: Bar[], p: Record<string, number>): Record<string, Float64Array> {
    const close = bars.map((b) => b.close);
    const high = bars.map((b) => b.high);
    const low = bars.map((b) => b.low);
    const volume = bars.map((b) => b.volume);
    const m = macd(close, { fast: p.macd_fast ?? 12, slow: p.macd_slow ?? 26, signal: p.macd_signal ?? 9 });
    const bb = bollinger(close, { period: p.bb_period ?? 20, multiplier: 2 });
    const st = stochastic(high, low, close, { fastK: p.stoch_k ?? 5, slowK: 3, slowD: 3 });
    const a = adx(high, low, close, p.adx_period ?? 14);
    const d = donchian(high, low, 20);
    const ich = ichimoku(high, low, close);
    return {
      sma: sma(close, p.sma_period ?? 20),
      ema: ema(close, p.ema_period ?? 50),
      rsi: rsi(close, p.rsi_period ?? 14),
      macd_line: m.macd,
      macd_signal: m.signal,
      macd_histogram: m.histogram,
      bbands_upper: bb.upper,
      bbands_middle: bb.middle,
      bbands_lower: bb.lower,
      atr: atr(high, low, close, p.atr_period ?? 14),
      stoch_k: st.k,
      stoch_d: st.d,
      adx_adx: a.adx,
      adx_plus_di: a.plusDI,
      adx_minus_di: a.minusDI,
      cci: cci(high, low, close, 14),
      obv: obv(close, volume),
      vwap: vwap(high, low, close, volume, { window: 20 }),
      roc: roc(close, 10),
      donchian_upper: d.upper,
      donchian_middle: d.middle,
      donchian_lower: d.lower,
      ichimoku_tenkan: ich.tenkan,
      ichimoku_kijun: ich.kijun,
      ichimoku_senkou_a: ich.senkouA,
      ichimoku_senkou_b: ich.senkouB,
    };
  }

  const cases: { symbol: Symbol; params: Record<string, number> }[] = [
    { symbol: 'BTC', params: {} },
    {
      symbol: 'BTC',
      params: { ema_period: 200, rsi_period: 30, macd_fast: 20, macd_slow: 60, adx_period: 30 },
    },
    // Periods beyond the old fixed 300-candle warm-up answered all-null.
    { symbol: 'BTC', params: { sma_period: 400, ema_period: 450, atr_period: 350 } },
    { symbol: 'SPY', params: {} },
  ];
  for (const { symbol, params } of cases) {
    const extra = Object.entries(params)
      .map(([k, v]) => `&${k}=${v}`)
      .join('');
    it(`${symbol}${extra || ' (defaults)'}: every series at every bar equals the full-history value for points 1, 7 and 120`, async () => {
      for (const end of BARS) {
        const bars = upTo(symbol, day(end));
        const reference = referenceSeries(bars, params);
        for (const points of [1, 7, 120]) {
          const path = `/api/v1/price-data/${symbol}/technical-indicators?indicators=${ALL}&points=${points}&end_date=${end}${extra}`;
          const { res, body } = await callJson<Envelope<Response>>(path);
          expect(res.status, path).toBe(200);
          const timestamps = body.data.series.timestamps as string[];
          expect(timestamps).toHaveLength(points);
          expect(timestamps.at(-1)).toBe(new Date(bars.at(-1)?.t ?? 0).toISOString());
          const from = bars.length - points;
          for (const [name, values] of Object.entries(reference)) {
            expectSameSeries(
              `${symbol} ${end} points=${points} ${name}`,
              (body.data.series[name] ?? []) as (number | null)[],
              Array.from(values.slice(from)),
            );
          }
          expect(body.data.warmup_bars.obv).toBeNull();
        }
      }
    }, 60_000);
  }

  it('states the warm-up each indicator used, from its period', async () => {
    const { body } = await callJson<Envelope<Response>>(
      '/api/v1/price-data/BTC/technical-indicators?indicators=sma,ema,rsi,macd&points=1&end_date=2023-12-29&ema_period=200',
    );
    const w = body.data.warmup_bars;
    expect(w.sma).toBe(19);
    // (1 - 2/201)^m <= 1e-12 after 199 seeding bars.
    expect(w.ema).toBe(199 + Math.ceil(Math.log(1e-12) / Math.log(1 - 2 / 201)));
    expect(w.rsi).toBe(14 + Math.ceil(Math.log(1e-12) / Math.log(1 - 1 / 14)));
    expect(body.data.data_points_used).toBe(1 + Math.max(...Object.values(w).map(Number)));
  });

  it('refuses MACD periods that are not fast < slow with a 400 naming the field, up front', async () => {
    for (const q of ['macd_fast=30', 'macd_fast=26', 'macd_fast=40&macd_slow=30']) {
      const { res, body } = await callJson<{ error: { message: string } }>(
        `/api/v1/price-data/BTC/technical-indicators?indicators=rsi&${q}`,
      );
      expectError(res, body, 400, 'VALIDATION_ERROR');
      expect(body.error.message).toMatch(/macd_fast \(\d+\) must be less than macd_slow/);
    }
  });
});

describe('/api/v1/price-data/{id}/support-resistance', () => {
  it('levels at a date equal the library over the `lookback` bars ending there', async () => {
    for (const lookback of [60, 365]) {
      const bars = upTo('BTC', day('2023-12-29')).slice(-lookback);
      const expected = supportResistance(
        bars.map((b) => b.high),
        bars.map((b) => b.low),
        bars.map((b) => b.close),
      );
      const { body } = await callJson<
        Envelope<{
          support_levels: { price: number; touches: number }[];
          resistance_levels: { price: number; touches: number }[];
          data_points_used: number;
          as_of: string;
        }>
      >(`/api/v1/price-data/BTC/support-resistance?lookback=${lookback}&end_date=2023-12-29`);
      expect(body.data.as_of).toBe('2023-12-29T00:00:00.000Z');
      expect(body.data.data_points_used).toBe(lookback);
      const served = [...body.data.support_levels, ...body.data.resistance_levels].sort(
        (a, b) => a.price - b.price,
      );
      const levels = [...expected.levels].sort((a, b) => a.price - b.price);
      expect(served.map((l) => l.touches)).toEqual(levels.map((l) => l.touches));
      served.forEach((l, i) => {
        expect(Math.abs(l.price / (levels[i]?.price ?? 0) - 1)).toBeLessThan(1e-12);
      });
    }
  });
});

describe('/api/v1/assets/{id}/statistics: calendar windows of the full history', () => {
  type Stats = {
    volatility: Record<'annualized_30d' | 'annualized_90d' | 'annualized_period', number | null>;
    ranges: Record<'high_52w' | 'low_52w' | 'period_high' | 'period_low' | 'last_close', number>;
    returns: Record<string, number | null>;
    as_of: string;
    data_points_used: number;
    annualization_periods: number;
  };
  const sampleVol = (closes: number[], ppy: number) =>
    annualizedVolatility(
      closes.slice(1).map((c, i) => c / (closes[i] as number) - 1),
      ppy,
    );
  /** Closes from the last one at or before `days` before the last bar, to the last bar. */
  const windowCloses = (bars: Bar[], days: number) => {
    const last = bars.at(-1)?.t ?? 0;
    const base = bars.findLastIndex((b) => b.t <= last - days * DAY);
    return bars.slice(Math.max(0, base)).map((b) => b.close);
  };

  for (const [symbol, ppy] of [
    ['BTC', 365],
    ['SPY', 252],
  ] as const) {
    it(`${symbol}: 30- and 90-day volatility do not depend on days; the period's does`, async () => {
      for (const days of [2, 30, 365, 1500]) {
        const { res, body } = await callJson<Envelope<Stats>>(
          `/api/v1/assets/${symbol}/statistics?days=${days}`,
        );
        expect(res.status).toBe(200);
        const bars = upTo(symbol, day(body.data.as_of));
        expect(bars.at(-1)?.close).toBe(body.data.ranges.last_close);
        expect(body.data.annualization_periods).toBe(ppy);
        const v = body.data.volatility;
        expect(v.annualized_30d).toBeCloseTo(sampleVol(windowCloses(bars, 30), ppy) ?? 0, 12);
        expect(v.annualized_90d).toBeCloseTo(sampleVol(windowCloses(bars, 90), ppy) ?? 0, 12);
        const period = windowCloses(bars, days);
        expect(body.data.data_points_used).toBe(period.length);
        if (period.length > 2) expect(v.annualized_period).toBeCloseTo(sampleVol(period, ppy) ?? 0, 12);
        else expect(v.annualized_period).toBeNull();
      }
    }, 30_000);
  }
});

describe('52-week ranges are the calendar year, for every asset class', () => {
  /** Highest high and lowest low of the bars after the same date a year before `t`, up to `t`. */
  function trueYearRange(symbol: Symbol, t: number) {
    const from = new Date(t);
    from.setUTCFullYear(from.getUTCFullYear() - 1);
    const year = HISTORY[symbol].filter((b) => b.t > from.getTime() && b.t <= t);
    return {
      high: Math.max(...year.map((b) => b.high)),
      low: Math.min(...year.map((b) => b.low)),
      bars: year.length,
    };
  }

  it("BTC's statistics, 004 quotes and 003 index quotes use the calendar year before the last candle", async () => {
    const stats = await callJson<Envelope<{ ranges: { high_52w: number; low_52w: number }; as_of: string }>>(
      '/api/v1/assets/BTC/statistics?days=30',
    );
    const at = day(stats.body.data.as_of);
    const btc = trueYearRange('BTC', at);
    // Crypto trades every day: the year is 365 or 366 bars, not the 252-261 rows it used to be.
    expect(btc.bars).toBeGreaterThanOrEqual(365);
    expect(stats.body.data.ranges.high_52w).toBe(btc.high);
    expect(stats.body.data.ranges.low_52w).toBe(btc.low);
    // The last 252 rows are a narrower range whenever the year's low is older than that.
    const last252 = upTo('BTC', at).slice(-252);
    expect(Math.min(...last252.map((b) => b.low))).toBeGreaterThanOrEqual(btc.low);

    const user = await signUp();
    const quotes = await callJson<{
      quotes: { symbol: string; high_52_week: number; low_52_week: number; timestamp: string }[];
    }>('/api/v1/data/prices/quotes?symbols=BTC,SPY', { as: user.as });
    for (const q of quotes.body.quotes) {
      const expected = trueYearRange(q.symbol as Symbol, day(q.timestamp));
      expect(q.high_52_week, q.symbol).toBe(expected.high);
      expect(q.low_52_week, q.symbol).toBe(expected.low);
    }

    const spy = await callJson<{ high52Week: number; low52Week: number; date: string }>(
      '/api/indices/price?symbol=SPY',
    );
    const expectedSpy = trueYearRange('SPY', day(spy.body.date));
    expect(spy.body.high52Week).toBe(expectedSpy.high);
    expect(spy.body.low52Week).toBe(expectedSpy.low);
  });
});
