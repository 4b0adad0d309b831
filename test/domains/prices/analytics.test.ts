import { beforeAll, describe, expect, it } from 'vitest';
import { macd, rsi, supportResistance } from '../../../src/quant';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';

type Envelope<T> = { data: T };
type Candle = { timestamp: string; open: number; high: number; low: number; close: number };

beforeAll(async () => {
  await seedMarket(['BTC', 'WTI']);
});

async function btcDaily(limit: number): Promise<Candle[]> {
  const { body } = await callJson<Envelope<{ candles: Candle[] }>>(
    `/api/v1/assets/BTC/price-history?limit=${limit}`,
  );
  return body.data.candles;
}

describe('technical indicators (000)', () => {
  it('returns the chosen indicators, latest and series, equal to the library over the full history', async () => {
    const { res, body } = await callJson<
      Envelope<{
        latest: { rsi: number; macd: { line: number; signal: number; histogram: number } };
        series: { timestamps: string[]; rsi: (number | null)[] };
        parameters: Record<string, unknown>;
        warmup_bars: Record<string, number | null>;
        data_points_used: number;
        as_of: string;
        method: string;
      }>
    >('/api/v1/price-data/BTC/technical-indicators?indicators=rsi,macd&points=10&rsi_period=7');
    expect(res.status).toBe(200);
    const candles = await btcDaily(10_000);
    const closes = candles.map((c) => c.close);
    const expectedRsi = rsi(closes, 7);
    const expectedMacd = macd(closes);
    expect(body.data.latest.rsi).toBeCloseTo(expectedRsi.at(-1) ?? 0, 9);
    expect(body.data.latest.macd.line).toBeCloseTo(expectedMacd.macd.at(-1) ?? 0, 6);
    expect(body.data.series.timestamps).toHaveLength(10);
    expect(body.data.series.timestamps.at(-1)).toBe(candles.at(-1)?.timestamp);
    const warmup = Math.max(body.data.warmup_bars.rsi ?? 0, body.data.warmup_bars.macd ?? 0);
    expect(body.data).toMatchObject({
      data_points_used: 10 + warmup,
      as_of: candles.at(-1)?.timestamp,
      parameters: { rsi_period: 7 },
    });
    expect(body.data.method).toMatch(/TA-Lib/);
  });

  it('rejects unknown indicators and bad parameters', async () => {
    const unknown = await callJson('/api/v1/price-data/BTC/technical-indicators?indicators=rsi,magic');
    expectError(unknown.res, unknown.body, 400, 'VALIDATION_ERROR');
    const bad = await callJson('/api/v1/price-data/BTC/technical-indicators?rsi_period=0');
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });
});

describe('support and resistance (000)', () => {
  it('clusters swing pivots into levels on either side of the last close', async () => {
    const { body } = await callJson<
      Envelope<{
        last_close: number;
        support_levels: { price: number; touches: number }[];
        resistance_levels: { price: number }[];
        data_points_used: number;
      }>
    >('/api/v1/price-data/BTC/support-resistance?lookback=200');
    const candles = await btcDaily(200);
    const expected = supportResistance(
      candles.map((c) => c.high),
      candles.map((c) => c.low),
      candles.map((c) => c.close),
    );
    expect(body.data.data_points_used).toBe(200);
    expect(body.data.support_levels.length + body.data.resistance_levels.length).toBe(expected.levels.length);
    for (const s of body.data.support_levels) expect(s.price).toBeLessThan(body.data.last_close);
    for (const r of body.data.resistance_levels) expect(r.price).toBeGreaterThanOrEqual(body.data.last_close);
  });
});

describe('asset statistics (000)', () => {
  it('reports returns, volatility, ranges, volume trend and the 2021-2022 BTC drawdown', async () => {
    const { body } = await callJson<
      Envelope<{
        returns: Record<string, number>;
        volatility: Record<string, number>;
        ranges: { last_close: number; high_52w: number };
        drawdown: { max_drawdown: number; peak_date: string; trough_date: string };
        annualization_periods: number;
      }>
    >('/api/v1/assets/BTC/statistics?days=1500');
    const candles = await btcDaily(8);
    const last = candles.at(-1)?.close ?? 0;
    expect(body.data.returns['7d']).toBeCloseTo(last / (candles[0]?.close ?? 1) - 1, 9);
    expect(body.data.annualization_periods).toBe(365);
    expect(body.data.volatility.annualized_30d).toBeGreaterThan(0.1);
    expect(body.data.drawdown.peak_date).toBe('2021-11-08');
    expect(body.data.drawdown.trough_date).toBe('2022-11-21');
    expect(body.data.drawdown.max_drawdown).toBeCloseTo(0.766, 2);
  });

  it('leaves drawdown out for a series that went negative (WTI, April 2020)', async () => {
    const { res, body } = await callJson<Envelope<{ drawdown: unknown; annualization_periods: number }>>(
      '/api/v1/assets/WTI/statistics?days=3000',
    );
    expect(res.status).toBe(200);
    expect(body.data.drawdown).toBeNull();
    expect(body.data.annualization_periods).toBe(252);
  });
});
