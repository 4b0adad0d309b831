import { beforeAll, describe, expect, it } from 'vitest';
import { sma } from '../../../src/quant';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

type Envelope<T> = { data: T };
type Candle = { timestamp: string; open: number; high: number; low: number; close: number; volume: number };

// Eight real histories (~40,000 candles) take longer than the default hook timeout on a busy machine.
beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'SPY', 'QQQ', 'VTI', 'DXY', 'GOLD', 'WTI']);
}, 60_000);

describe('price history (000)', () => {
  it('serves five years of real BTC daily candles, oldest first', async () => {
    const { res, body } = await callJson<
      Envelope<{ count: number; candles: Candle[]; start: string; end: string }>
    >('/api/v1/assets/BTC/price-history?timeframe=1d&start_date=2018-12-31&end_date=2023-12-31&limit=5000');
    expect(res.status).toBe(200);
    expect(body.data.count).toBe(1827);
    expect(body.data.start).toBe('2018-12-31T00:00:00.000Z');
    expect(body.data.end).toBe('2023-12-31T00:00:00.000Z');
    // The last day the market clock (2024-01-01) has seen close.
    expect(body.data.candles.at(-1)).toMatchObject({ close: 42265.1875, high: 42860.9375 });
  });

  it('keeps the most recent candles when the range holds more than the limit', async () => {
    const { body } = await callJson<Envelope<{ candles: Candle[] }>>(
      '/api/v1/assets/BTC/price-history?limit=3',
    );
    expect(body.data.candles.map((c) => c.timestamp.slice(0, 10))).toEqual([
      '2023-12-29',
      '2023-12-30',
      '2023-12-31',
    ]);
  });

  it('adjusts for splits on request (QQQ 2:1 on 2000-03-20)', async () => {
    const path = '/api/v1/assets/QQQ/price-history?start_date=2000-03-17&end_date=2000-03-17';
    const raw = await callJson<Envelope<{ candles: Candle[] }>>(path);
    const adjusted = await callJson<Envelope<{ candles: Candle[] }>>(`${path}&adjusted=true`);
    const r = raw.body.data.candles[0];
    const a = adjusted.body.data.candles[0];
    expect(r && a?.close).toBeCloseTo((r?.close ?? 0) / 2, 9);
    expect(a?.volume).toBeCloseTo((r?.volume ?? 0) * 2, 3);
  });

  it('rejects a reversed range and an unknown timeframe', async () => {
    const reversed = await callJson(
      '/api/v1/assets/BTC/price-history?start_date=2024-01-02&end_date=2024-01-01',
    );
    expectError(reversed.res, reversed.body, 400, 'VALIDATION_ERROR');
    const tf = await callJson('/api/v1/assets/BTC/price-history?timeframe=2d');
    expectError(tf.res, tf.body, 400, 'VALIDATION_ERROR');
  });

  it('adds SMA(20), EMA(50) and RSI(14) to each candle of /price-data, warmed up before the range', async () => {
    const { body } = await callJson<
      Envelope<{
        candles: (Candle & { technical_indicators: { sma_20: number; ema_50: number; rsi_14: number } })[];
      }>
    >('/api/v1/price-data/BTC?limit=5');
    expect(body.data.candles).toHaveLength(5);
    const history = await callJson<Envelope<{ candles: Candle[] }>>(
      '/api/v1/assets/BTC/price-history?limit=24',
    );
    const expected = sma(
      history.body.data.candles.map((c) => c.close),
      20,
    );
    expect(body.data.candles.at(-1)?.technical_indicators.sma_20).toBeCloseTo(expected[23] ?? 0, 6);
    expect(body.data.candles[0]?.technical_indicators.rsi_14).toBeGreaterThan(0);
  });
});

describe('markets (002)', () => {
  it('lists crypto pairs and answers a pair price and candles in any pair spelling', async () => {
    const markets = await callJson<{ symbol: string; price: number }[]>('/api/markets');
    expect(markets.body.map((m) => m.symbol)).toEqual(['BTC/USD', 'ETH/USD']);
    for (const pair of ['BTC-USD', 'BTC%2FUSD', 'BTCUSDT']) {
      const price = await callJson<{ symbol: string; price: number; source: string }>(
        `/api/markets/${pair}/price`,
      );
      expect(price.body).toMatchObject({ price: 42265.1875, source: 'history' });
    }
    const ohlcv = await callJson<Candle[]>('/api/markets/BTC-USD/ohlcv?timeframe=1d&limit=2');
    expect(ohlcv.body.map((c) => c.timestamp.slice(0, 10))).toEqual(['2023-12-30', '2023-12-31']);
    const v2 = await callJson<{ success: boolean; data: unknown[] }>('/api/v2/markets');
    expect(v2.body.success).toBe(true);
    const unknown = await callJson('/api/markets/NOPE-USD/price');
    expectError(unknown.res, unknown.body, 400, 'INVALID_SYMBOL');
  });
});

describe('tracker prices (003)', () => {
  it('answers a batch keyed by TYPE:SYMBOL, with nulls for unknown symbols', async () => {
    const { body } = await callJson<{
      results: Record<string, { price: number | null; date: string | null; error?: string }>;
    }>('/api/prices/batch', {
      method: 'POST',
      body: {
        tokens: [{ symbol: 'BTC', type: 'crypto' }, { symbol: 'spy', type: 'us-equity' }, { symbol: 'ZZZ' }],
      },
    });
    expect(body.results['CRYPTO:BTC']).toMatchObject({
      price: 42265.1875,
      date: '2023-12-31T00:00:00.000Z',
    });
    expect(body.results['US-EQUITY:SPY']?.price).toBe(475.31);
    expect(body.results['AUTO:ZZZ']).toEqual({ price: null, date: null, error: 'unknown symbol' });
  });

  it('answers historical closes per symbol over a range', async () => {
    const { body } = await callJson<Record<string, { time: string; close: number }[]>>(
      '/api/historical-data',
      {
        method: 'POST',
        body: { symbols: ['BTC', 'ETH', 'SPY'], range: '1M' },
      },
    );
    expect(body.BTC).toHaveLength(30);
    // The same 30 calendar days for an equity: its exchange days in them, not 30 of them.
    const spy = await callJson<Envelope<{ candles: Candle[] }>>('/api/v1/assets/SPY/price-history?limit=40');
    const spyDays = spy.body.data.candles.map((c) => Date.parse(c.timestamp));
    const lastSpy = spyDays.at(-1) ?? 0;
    expect(body.SPY).toHaveLength(spyDays.filter((t) => t > lastSpy - 30 * 86_400_000).length);
    expect(body.SPY?.length).toBeLessThan(30);
    expect(body.BTC?.at(-1)).toEqual({ time: '2023-12-31', close: 42265.1875 });
    const bad = await callJson('/api/historical-data', {
      method: 'POST',
      body: { symbols: ['BTC', 'NOPE'] },
    });
    expectError(bad.res, bad.body, 404, 'NOT_FOUND');
  });

  it('answers index and commodity prices with units and 52-week ranges, refusing the wrong kind', async () => {
    const dxy = await callJson<{ price: number; high52Week: number; low52Week: number; unit: string }>(
      '/api/indices/price?symbol=DXY',
    );
    expect(dxy.res.status).toBe(200);
    expect(dxy.body.high52Week).toBeGreaterThanOrEqual(dxy.body.low52Week);
    const gold = await callJson<{ unit: string; price: number }>('/api/commodities/price?symbol=gold');
    expect(gold.body.unit).toBe('USD/oz');
    const wrong = await callJson('/api/commodities/price?symbol=BTC');
    expectError(wrong.res, wrong.body, 400, 'INVALID_SYMBOL');
  });
});

describe('data (004)', () => {
  it('answers historical prices with statistics, newest first, for signed-in users only', async () => {
    const guest = await callJson('/api/v1/data/prices/historical/SPY');
    expectError(guest.res, guest.body, 401, 'AUTHENTICATION_ERROR');
    const user = await signUp();
    const { body } = await callJson<{
      symbol: string;
      data_points: number;
      prices: { date: string; close: number; adjusted_close: number }[];
      statistics: { period_return: number; volatility: number; annualization_periods: number };
    }>('/api/v1/data/prices/historical/SPY?days=30', { as: user.as });
    expect(body.data_points).toBe(30);
    expect(body.prices[0]?.date).toBe('2023-12-29');
    const closes = [...body.prices].reverse().map((p) => p.close);
    expect(body.statistics.period_return).toBeCloseTo((closes.at(-1) ?? 0) / (closes[0] ?? 1) - 1, 6);
    expect(body.statistics.annualization_periods).toBe(252);
    expect(body.statistics.volatility).toBeGreaterThan(0.03);
    const pos = await callJson('/api/v1/data/prices/historical/pos_unknown', { as: user.as });
    expectError(pos.res, pos.body, 404, 'NOT_FOUND');
  });

  it('answers quotes with 52-week ranges and lists missing symbols', async () => {
    const user = await signUp();
    const { body } = await callJson<{
      quotes: { symbol: string; high_52_week: number; bid: null }[];
      missing: string[];
      market_status: string;
    }>('/api/v1/data/prices/quotes?symbols=BTC,SPY,NOPE', { as: user.as });
    expect(body.quotes.map((q) => q.symbol)).toEqual(['BTC', 'SPY']);
    expect(body.missing).toEqual(['NOPE']);
    // BTC's highest high of 2023, the calendar year before the clock.
    expect(body.quotes[0]?.high_52_week).toBe(44705.515625);
    expect(body.quotes[0]?.bid).toBeNull();
  });

  it('answers factor ETF prices with history and coverage', async () => {
    const user = await signUp();
    const { body } = await callJson<{
      factor_etfs: {
        symbol: string;
        factor_type: string;
        current_price: number | null;
        historical_prices: unknown[];
      }[];
      summary: { total_etfs: number; data_coverage: string };
    }>('/api/v1/data/factors/etf-prices?days=5', { as: user.as });
    const vti = body.factor_etfs.find((e) => e.symbol === 'VTI');
    expect(vti).toMatchObject({ factor_type: 'market' });
    expect(vti?.historical_prices).toHaveLength(5);
    // The catalog's factor ETFs (issue 16 added the adjusted factor set to 004's seven).
    expect(body.summary.total_etfs).toBe(18);
    // This file seeded three of them (QQQ, VTI, SPY).
    expect(body.summary.data_coverage).toBe('17%');
  });
});
