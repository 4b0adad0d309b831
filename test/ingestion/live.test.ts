import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import binanceTicker from '../../../shared/data/fixtures/binance_jkorf/GetTicker.json';
import geckoMarkets from '../../../shared/data/fixtures/coingecko_pycgapi/coins_markets_response.json';
import { type PricesUpdated, subscribe } from '../../src/events/bus';
import { ingestLive } from '../../src/ingestion/live';
import { callJson } from '../helpers/api';
import { seedMarket } from '../helpers/market';
import { signUpAdmin } from '../helpers/users';

const events: PricesUpdated[] = [];
const unsubscribe = subscribe('prices.updated', async (_env, e) => {
  events.push(e);
});
afterAll(unsubscribe);

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
});

type Calls = string[];
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('live ingestion (recorded provider responses)', () => {
  it('writes CoinGecko quotes with market caps, records source health and publishes prices.updated', async () => {
    const calls: Calls = [];
    const fetch = async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      calls.push(url);
      return json(geckoMarkets);
    };
    events.length = 0;
    const result = await ingestLive(env, Date.now(), { fetch });
    expect(result).toMatchObject({ source: 'coingecko', quotes: 2, changed: 2 });
    expect(calls[0]).toMatch(/^https:\/\/api\.coingecko\.com\/api\/v3\/coins\/markets\?/);
    const btc = await callJson<{ price: number; source: string }>('/api/markets/BTC-USD/price');
    expect(btc.body).toMatchObject({ price: 43602, source: 'coingecko' });
    const assets = await callJson<{ data: { assets: { symbol: string; market_cap: number }[] } }>(
      '/api/v1/assets?asset_type=crypto',
    );
    expect(assets.body.data.assets.find((a) => a.symbol === 'BTC')?.market_cap).toBe(854336711925);
    expect(events[0]?.source).toBe('coingecko');
    expect(events[0]?.assets.map((a) => a.symbol).sort()).toEqual(['BTC', 'ETH']);
    // The same prices again change nothing and publish nothing.
    const again = await ingestLive(env, Date.now(), { fetch });
    expect(again).toMatchObject({ changed: 0 });
    expect(events).toHaveLength(1);
  });

  it('falls back to Binance when CoinGecko keeps failing, and the admin sees the health', async () => {
    const fetch = async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('coingecko')) return json({ error: 'upstream down' }, 503);
      const symbols = JSON.parse(new URL(url).searchParams.get('symbols') ?? '[]') as string[];
      return json(symbols.map((symbol) => ({ ...binanceTicker, symbol })));
    };
    const result = await ingestLive(env, Date.now(), { fetch, sleep: async () => {} });
    expect(result).toMatchObject({ source: 'binance', quotes: 2 });
    const admin = await signUpAdmin();
    const { body } = await callJson<{
      data: {
        sources: {
          id: string;
          status: string;
          errors_today: number;
          last_error: string | null;
          calls_today: number;
        }[];
      };
    }>('/api/v1/admin/macro/data-sources', { as: admin.as });
    const gecko = body.data.sources.find((s) => s.id === 'coingecko');
    expect(gecko?.errors_today).toBe(1);
    expect(gecko?.status).toBe('degraded');
    expect(gecko?.last_error).toMatch(/503/);
    expect(body.data.sources.find((s) => s.id === 'binance')?.status).toBe('healthy');
  });
});
