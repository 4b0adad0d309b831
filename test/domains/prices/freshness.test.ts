import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import btcCsv from '../../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import wtiCsv from '../../../../shared/data/prices/macro/DCOILWTICO.csv?raw';
import goldCsv from '../../../../shared/data/prices/macro/gold_prices_historical.csv?raw';
import { marketNow } from '../../../src/core/market-clock';
import { judgeFreshness } from '../../../src/domains/prices/freshness';
import { callJson } from '../../helpers/api';
import { INTEL_TEXT, seedIntel } from '../../helpers/intel';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

const DAY = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/** The last dated row of a shipped CSV whose value column holds a number (FRED writes '.'). */
function lastObservation(csv: string): string {
  const rows = csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => Number.isFinite(Number.parseFloat(c[1] ?? '')));
  return (rows.at(-1)?.[0] ?? '').slice(0, 10);
}

beforeAll(async () => {
  await seedMarket(['BTC', 'SPY', 'WTI', 'GOLD']);
  await seedIntel();
}, 120_000);

describe('the freshness rule', () => {
  it('lets a trading-day series skip a weekend and one holiday, not two sessions', () => {
    const friday = day('2023-12-29');
    expect(judgeFreshness('trading_days', friday, day('2024-01-01') + 3_600_000).stale).toBe(false);
    expect(judgeFreshness('trading_days', friday, day('2024-01-02') + 3_600_000).stale).toBe(false);
    const late = judgeFreshness('trading_days', friday, day('2024-01-03') + 3_600_000);
    expect(late.stale).toBe(true);
    expect(late.stale_reason).toContain('2023-12-29');
  });

  it('expects crypto every day and a monthly series every month', () => {
    const t = day('2023-12-31');
    expect(judgeFreshness('continuous', t, t + 2 * DAY).stale).toBe(false);
    expect(judgeFreshness('continuous', t, t + 2 * DAY + 1).stale).toBe(true);
    expect(judgeFreshness('monthly', day('2023-12-01'), day('2024-01-20')).stale).toBe(false);
    expect(judgeFreshness('monthly', day('2023-10-01'), day('2024-01-20')).stale).toBe(true);
    // A row ahead of the clock is never older than zero.
    expect(judgeFreshness('daily', t + DAY, t).age_hours).toBe(0);
  });
});

describe('quotes carry as_of and stale on every surface', () => {
  it('marks the FRED WTI series stale at the market clock with its date and why; BTC is live', async () => {
    const wtiLast = lastObservation(wtiCsv);
    const wti = await callJson<{ data: Json }>('/api/v1/assets/WTI');
    expect(wti.res.status).toBe(200);
    expect(wti.body.data).toMatchObject({ stale: true, cadence: 'trading_days' });
    expect(wti.body.data.as_of.slice(0, 10)).toBe(wtiLast);
    expect(wti.body.data.stale_reason).toContain(wtiLast);

    const btc = await callJson<{ data: Json }>('/api/v1/assets/BTC');
    expect(btc.body.data).toMatchObject({ stale: false, stale_reason: null, cadence: 'continuous' });
    expect(btc.body.data.as_of).toBe(btc.body.data.price_updated_at);
  });

  it('says the same on 002, 003 and 004 quotes', async () => {
    const pair = await callJson<Json>('/api/markets/BTC-USD/price');
    expect(pair.body).toMatchObject({ stale: false, stale_reason: null });
    const markets = await callJson<Json[]>('/api/markets');
    const btcMarket = markets.body.find((m) => m.baseAsset === 'BTC');
    expect(btcMarket).toMatchObject({ stale: false, as_of: pair.body.as_of });

    const goldLast = lastObservation(goldCsv);
    const gold = await callJson<Json>('/api/commodities/price?symbol=GOLD');
    expect(gold.body).toMatchObject({ stale: true });
    expect(gold.body.as_of.slice(0, 10)).toBe(goldLast);

    const batch = await callJson<Json>('/api/prices/batch', {
      method: 'POST',
      body: { tokens: [{ symbol: 'WTI' }, { symbol: 'BTC' }] },
    });
    expect(batch.body.results['AUTO:WTI']).toMatchObject({ stale: true });
    expect(batch.body.results['AUTO:WTI'].stale_reason).toContain(lastObservation(wtiCsv));
    expect(batch.body.results['AUTO:BTC']).toMatchObject({ stale: false });

    const user = await signUp();
    const q = await callJson<Json>('/api/v1/data/prices/quotes?symbols=GOLD,BTC', { as: user.as });
    const bySymbol = Object.fromEntries(q.body.quotes.map((x: Json) => [x.symbol, x]));
    expect(bySymbol.GOLD).toMatchObject({ stale: true, market_cap: null });
    expect(bySymbol.GOLD.market_cap_missing_reason).toContain('metal');
    expect(bySymbol.BTC).toMatchObject({ stale: false });
    expect(bySymbol.BTC.market_cap).toBeGreaterThan(0);
  });

  it('says the same of whole series: 000 price history and candles, 004 historical prices', async () => {
    const user = await signUp();
    const wtiLast = lastObservation(wtiCsv);
    for (const path of ['/api/v1/assets/WTI/price-history?limit=5', '/api/v1/price-data/WTI?limit=5']) {
      const { body } = await callJson<{ data: Json }>(path);
      expect(body.data).toMatchObject({ stale: true, cadence: 'trading_days' });
      expect(body.data.as_of.slice(0, 10)).toBe(wtiLast);
      expect(body.data.stale_reason).toContain(wtiLast);
    }
    const wti = await callJson<Json>('/api/v1/data/prices/historical/WTI?days=5', { as: user.as });
    expect(wti.body).toMatchObject({ stale: true, cadence: 'trading_days' });
    // An old range of a live series is served as what it is: the series itself is fresh.
    const btc = await callJson<{ data: Json }>(
      '/api/v1/assets/BTC/price-history?start_date=2020-01-01&end_date=2020-01-05',
    );
    expect(btc.body.data).toMatchObject({ stale: false, stale_reason: null, cadence: 'continuous' });
    expect(Date.parse(btc.body.data.as_of)).toBeLessThanOrEqual(await marketNow(env));
  });

  it('says a GOLD holding is valued at a stale price in portfolio data quality and the position', async () => {
    const user = await signUp();
    const pf = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      as: user.as,
      body: { name: 'Gold', type: 'HNW' },
    });
    const id = pf.body.id as string;
    const pos = await callJson<Json>(`/api/v1/management/portfolios/${id}/positions`, {
      method: 'POST',
      as: user.as,
      body: { symbol: 'GOLD', quantity: 2, entry_price: 1800, entry_date: '2021-06-01' },
    });
    expect(pos.res.status, JSON.stringify(pos.body)).toBe(201);
    const goldLast = lastObservation(goldCsv);

    const q = await callJson<Json>(`/api/v1/data/portfolio/${id}/data-quality`, { as: user.as });
    expect(q.res.status).toBe(200);
    expect(q.body.metrics.data_freshness.stale_symbols).toEqual(['GOLD']);
    const [stale] = q.body.metrics.data_freshness.stale_prices;
    expect(stale.symbol).toBe('GOLD');
    expect(stale.as_of.slice(0, 10)).toBe(goldLast);
    expect(stale.reason).toContain(goldLast);
    expect(q.body.recommendations.join(' ')).toContain(`GOLD is valued at its ${goldLast} price`);

    const rows = await callJson<Json>(`/api/v1/data/positions/details?portfolio_id=${id}`, { as: user.as });
    expect(rows.body.data[0]).toMatchObject({ symbol: 'GOLD', price_stale: true });
    expect(rows.body.data[0].price_as_of.slice(0, 10)).toBe(goldLast);
    expect(rows.body.data[0].price_stale_reason).toContain(goldLast);

    const v1 = await callJson<{ data: Json }>(`/api/v1/portfolios/${id}/assets`, { as: user.as });
    expect(v1.body.data.assets[0]).toMatchObject({ symbol: 'GOLD', price_stale: true });
    expect(v1.body.data.assets[0].price_stale_reason).toContain(goldLast);
  });

  it('refuses another user’s portfolio data quality with 404', async () => {
    const [owner, stranger] = await Promise.all([signUp(), signUp()]);
    const pf = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Mine', type: 'HNW' },
    });
    const res = await callJson<Json>(`/api/v1/data/portfolio/${pf.body.id}/data-quality`, {
      as: stranger.as,
    });
    expect(res.res.status).toBe(404);
  });
});

describe('market caps from the shipped intel', () => {
  /** BTC's CMC circulating supply at the latest monthly snapshot on or before `t`, parsed here. */
  function btcSupplyAt(t: number): { supply: number; date: string } {
    const cmc =
      INTEL_TEXT['dominance-cmc-monthly-smoothbrainquant/coinmarketcap_monthly_all_snapshots.csv'] ?? '';
    let best: { supply: number; date: string } | null = null;
    for (const line of cmc.split('\n').slice(1)) {
      const c = line.split(',');
      if (c[2] !== 'BTC') continue;
      const d = c[10]?.trim() ?? '';
      const date = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
      if (day(date) <= t && (!best || date > best.date)) best = { supply: Number(c[5]), date };
    }
    if (!best) throw new Error('no BTC supply');
    return best;
  }

  it('serves BTC market_cap = quote price × CMC circulating supply as of the clock', async () => {
    const now = await marketNow(env);
    const { body } = await callJson<{ data: Json }>('/api/v1/assets/BTC');
    const a = body.data;
    const asOf = Date.parse(a.as_of);
    // The price is the shipped close of the quote's day.
    const close = btcCsv
      .split('\n')
      .find((l) => l.startsWith(a.as_of.slice(0, 10)))
      ?.split(',')[4];
    expect(a.current_price).toBe(Number(close));
    const { supply, date } = btcSupplyAt(Math.min(asOf, now));
    expect(a.market_cap).toBeCloseTo(Number(close) * supply, 2);
    expect(a.market_cap_basis).toMatchObject({
      method: 'price_x_circulating_supply',
      circulating_supply: supply,
      supply_as_of: `${date}T00:00:00.000Z`,
    });
    expect(a.market_cap_missing_reason).toBeNull();
  });

  it('leaves an ETF’s market cap null with the reason, and lists assets by market cap', async () => {
    const { body } = await callJson<{ data: Json }>('/api/v1/assets/SPY');
    expect(body.data.market_cap).toBeNull();
    expect(body.data.market_cap_missing_reason).toContain('etf');
    // The only crypto seeded here is BTC: the one asset with a market cap lists first.
    const list = await callJson<{ data: { assets: Json[] } }>('/api/v1/assets');
    expect(list.body.data.assets[0]).toMatchObject({ symbol: 'BTC', market_cap: expect.any(Number) });
  });

  it('serves no intel row later than the market clock', async () => {
    const now = await marketNow(env);
    const served = await env.DB.prepare(
      'SELECT max(t) AS latest FROM (SELECT max(time) AS t FROM asset_metrics UNION ALL SELECT max(time) FROM market_indicators)',
    ).first<{ latest: number }>();
    expect(served?.latest).toBeGreaterThan(0);
    expect(served?.latest).toBeLessThanOrEqual(now);
    const { body } = await callJson<{ data: Json }>('/api/v1/assets/BTC');
    expect(Date.parse(body.data.market_cap_basis.supply_as_of)).toBeLessThanOrEqual(now);
  });
});
