import { describe, expect, it } from 'vitest';
import global from '../../../shared/data/fixtures/coingecko_jkorf/GetGlobalData.json';
import marketChart from '../../../shared/data/fixtures/coingecko_jkorf/GetMarketChart.json';
import markets from '../../../shared/data/fixtures/coingecko_jkorf/GetMarkets.json';
import ohlc from '../../../shared/data/fixtures/coingecko_jkorf/GetOhlc.json';
import chart2023 from '../../../shared/data/fixtures/coingecko_pycgapi/coins_id_market_chart_response.json';
import ohlc2023 from '../../../shared/data/fixtures/coingecko_pycgapi/coins_id_ohlc_response.json';
import multiOhlc from '../../../shared/data/fixtures/coingecko_pycgapi/coins_ids_ohlc_response.json';
import markets2023 from '../../../shared/data/fixtures/coingecko_pycgapi/coins_markets_response.json';
import global2023 from '../../../shared/data/fixtures/coingecko_pycgapi/global_response.json';
import {
  COINGECKO_PRO_URL,
  COINGECKO_PUBLIC_URL,
  CoinGeckoClient,
  type CoinGeckoOptions,
  coinGeckoOhlcGranularity,
} from '../../src/providers/coingecko';
import { fakeFetch, fakeRuntime, memoryHealth, providerError, status } from './helpers';

function client(responders: Parameters<typeof fakeFetch>, options: CoinGeckoOptions = {}, start?: number) {
  const runtime = fakeRuntime(start);
  const health = memoryHealth(runtime);
  const { fetch, calls } = fakeFetch(...responders);
  const coingecko = new CoinGeckoClient({
    ...runtime,
    fetch,
    health,
    options: { minIntervalMs: 0, ...options },
  });
  return { coingecko, calls, health, runtime };
}

describe('CoinGecko /coins/markets', () => {
  it('maps the recorded BTC row to a quote with market cap', async () => {
    const { coingecko, calls } = client([markets], { apiKey: 'demo-key' });
    const [btc] = await coingecko.markets({ ids: ['bitcoin'] });
    expect(btc).toEqual({
      providerSymbol: 'bitcoin',
      price: 70187,
      open24h: null,
      high24h: 70215,
      low24h: 68060,
      change24h: 2126.88,
      changePct24h: 3.12502,
      volume24h: 20154184933,
      marketCap: 1381651251183,
      asOf: Date.parse('2024-04-07T16:49:31.736Z'),
      symbol: 'btc',
      name: 'Bitcoin',
      marketCapRank: 1,
      fullyDilutedValuation: 1474623675796,
      circulatingSupply: 19675987,
    });
    const call = calls[0];
    expect(call?.url.origin + (call?.url.pathname ?? '')).toBe(`${COINGECKO_PUBLIC_URL}/coins/markets`);
    expect(call?.url.searchParams.get('vs_currency')).toBe('usd');
    expect(call?.url.searchParams.get('ids')).toBe('bitcoin');
    expect(call?.headers.get('x-cg-demo-api-key')).toBe('demo-key');
  });

  it('reads the 2023 recording, where roi and max_supply are the string "null"', async () => {
    const { coingecko, calls } = client([markets2023]);
    const quotes = await coingecko.markets({ ids: ['bitcoin', 'ethereum'], vsCurrency: 'usd' });
    expect(quotes.map((q) => [q.providerSymbol, q.price, q.marketCap])).toEqual([
      ['bitcoin', 43602, 854336711925],
      ['ethereum', 2280.2, 274130347174],
    ]);
    expect(quotes[1]?.change24h).toBe(-7.579592890153435);
    expect(calls[0]?.url.searchParams.get('ids')).toBe('bitcoin,ethereum');
    expect(calls[0]?.headers.has('x-cg-demo-api-key')).toBe(false);
  });

  it('uses the pro host and header with a pro key', async () => {
    const { coingecko, calls } = client([[]], { apiKey: 'pro-key', plan: 'pro' });
    expect(await coingecko.markets()).toEqual([]);
    expect(calls[0]?.url.origin + (calls[0]?.url.pathname ?? '')).toBe(`${COINGECKO_PRO_URL}/coins/markets`);
    expect(calls[0]?.headers.get('x-cg-pro-api-key')).toBe('pro-key');
  });

  it('leaves out coins with no price and rejects rows without an id', async () => {
    const [row] = markets;
    const { coingecko } = client([[{ ...row, id: 'dead-coin', current_price: null }, row]]);
    expect((await coingecko.markets()).map((q) => q.providerSymbol)).toEqual(['bitcoin']);
    const { id: _id, ...noId } = row ?? {};
    expect((await providerError(client([[noId]]).coingecko.markets())).kind).toBe('invalid_body');
  });

  it('retries the 429 of the keyless tier using Retry-After', async () => {
    const { coingecko, calls, runtime } = client([
      status(429, '{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit."}}', {
        'retry-after': '10',
      }),
      markets,
    ]);
    expect(await coingecko.markets()).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(runtime.sleeps).toEqual([10_000]);
  });
});

describe('CoinGecko /global', () => {
  it('maps the recorded global data: market cap, volume, BTC and ETH dominance', async () => {
    const { coingecko, calls } = client([global]);
    const g = await coingecko.global();
    expect(g).toMatchObject({
      totalMarketCapUsd: 2515268352188.766,
      btcDominance: 60.70858347681936,
      ethDominance: 7.155942749893206,
      marketCapChangePct24h: -9.999293796813587,
      activeCryptocurrencies: 17111,
      updatedAt: 1744025333000,
    });
    expect(g.dominance.usdt).toBe(5.731993074207418);
    expect(calls[0]?.url.pathname).toBe('/api/v3/global');
  });

  it('maps the 2023 recording', async () => {
    const g = await client([global2023]).coingecko.global();
    expect(g.btcDominance).toBe(47.62359778628086);
    expect(g.totalMarketCapUsd).toBe(1785148629700.8977);
    expect(g.totalVolumeUsd).toBe(108267529545.56674);
  });

  it('rejects global data without BTC dominance', async () => {
    const { btc: _btc, ...rest } = global.data.market_cap_percentage;
    const body = { data: { ...global.data, market_cap_percentage: rest } };
    expect((await providerError(client([body]).coingecko.global())).kind).toBe('invalid_body');
  });
});

describe('CoinGecko market chart and daily closes', () => {
  it('returns the recorded points in order', async () => {
    const { coingecko, calls } = client([marketChart]);
    const chart = await coingecko.marketChart('bitcoin', { days: 2 });
    expect(chart.prices).toHaveLength(3);
    expect(chart.prices[2]).toEqual({ time: 1711983682000, value: 68887.7495158568 });
    expect(chart.marketCaps[0]?.value).toBe(1370247487960.09);
    expect(calls[0]?.url.pathname).toBe('/api/v3/coins/bitcoin/market_chart');
    expect(calls[0]?.url.searchParams.get('days')).toBe('2');
  });

  it('turns midnight snapshots into closes of the previous UTC day and drops the forming day', async () => {
    const { coingecko, calls } = client([marketChart]);
    const closes = await coingecko.dailyCloses('bitcoin', { days: 2 });
    expect(closes).toEqual([
      {
        date: Date.UTC(2024, 2, 30),
        close: 69702.3087473573,
        volume: 16408802301.8374,
        marketCap: 1370247487960.09,
      },
      {
        date: Date.UTC(2024, 2, 31),
        close: 71246.9514406015,
        volume: 19723005998.215,
        marketCap: 1401370211582.37,
      },
    ]);
    expect(calls[0]?.url.searchParams.get('interval')).toBe('daily');
  });

  it('keeps the forming day when asked', async () => {
    const closes = await client([marketChart]).coingecko.dailyCloses('bitcoin', {
      days: 2,
      includePartial: true,
    });
    expect(closes.at(-1)).toMatchObject({ date: Date.UTC(2024, 3, 1), close: 68887.7495158568 });
  });

  it('agrees with the daily history: the 2023-12-17 00:00 snapshot is 2023-12-16 close', async () => {
    const closes = await client([chart2023]).coingecko.dailyCloses('bitcoin', { days: 5 });
    expect(closes).toHaveLength(5);
    expect(closes[0]).toMatchObject({ date: Date.UTC(2023, 11, 16), close: 42247.06788172229 });
    // Yahoo's BTC-USD close for 2023-12-16 in ../shared/data/prices is 42240.1171875.
    expect(Math.abs((closes[0]?.close ?? 0) / 42240.1171875 - 1)).toBeLessThan(0.001);
    expect(closes[4]).toMatchObject({ date: Date.UTC(2023, 11, 20), close: 43634.1241684964 });
  });

  it('answers nothing for an empty chart, and not_found for an unknown coin', async () => {
    const empty = { prices: [], market_caps: [], total_volumes: [] };
    expect(await client([empty]).coingecko.dailyCloses('bitcoin', { days: 1 })).toEqual([]);
    const missing = client([status(404, '{"error":"coin not found"}')]);
    expect(await providerError(missing.coingecko.marketChart('no-such-coin', { days: 1 }))).toMatchObject({
      kind: 'not_found',
      status: 404,
    });
    expect(missing.calls).toHaveLength(1);
  });

  it('rejects a chart with a missing series', async () => {
    const { total_volumes: _v, ...rest } = marketChart;
    expect((await providerError(client([rest]).coingecko.marketChart('bitcoin', { days: 1 }))).kind).toBe(
      'invalid_body',
    );
  });
});

describe('CoinGecko OHLC', () => {
  it('shifts close-stamped 4-hour candles to their open time; no volume', async () => {
    const { coingecko, calls } = client([ohlc]);
    const result = await coingecko.ohlc('bitcoin', { days: 7 });
    expect(result.timeframe).toBe('4h');
    expect(result.granularityMs).toBe(14_400_000);
    expect(result.candles[0]).toEqual({
      openTime: 1709395200000 - 14_400_000,
      open: 61942,
      high: 62211,
      low: 61721,
      close: 61845,
      volume: 0,
    });
    expect(result.candles[2]).toMatchObject({ openTime: 1709409600000, close: 62068 });
    expect(calls[0]?.url.pathname).toBe('/api/v3/coins/bitcoin/ohlc');
    expect(calls[0]?.url.searchParams.get('days')).toBe('7');
  });

  it('drops the candle that closes after now (the 2023 recording, 43 candles over 7 days)', async () => {
    const lastClose = 1703577600000;
    const atLast = await client([ohlc2023], {}, lastClose).coingecko.ohlc('bitcoin', { days: 7 });
    expect(atLast.candles).toHaveLength(43);
    const before = await client([ohlc2023], {}, lastClose - 1).coingecko.ohlc('bitcoin', { days: 7 });
    expect(before.candles).toHaveLength(42);
    expect(before.candles[0]).toMatchObject({
      openTime: 1702972800000 - 14_400_000,
      open: 42930,
      close: 42919,
    });
  });

  it('names the granularity CoinGecko picks for each range', () => {
    expect(coinGeckoOhlcGranularity(1)).toEqual({ granularityMs: 1_800_000, timeframe: null });
    expect(coinGeckoOhlcGranularity(30)).toEqual({ granularityMs: 14_400_000, timeframe: '4h' });
    expect(coinGeckoOhlcGranularity(90)).toEqual({ granularityMs: 345_600_000, timeframe: null });
    expect(coinGeckoOhlcGranularity('max').granularityMs).toBe(345_600_000);
  });

  it('rejects rows without a timestamp (the multi-coin body is not an OHLC body)', async () => {
    const error = await providerError(client([multiOhlc.bitcoin]).coingecko.ohlc('bitcoin', { days: 1 }));
    expect(error.kind).toBe('invalid_body');
    expect((await providerError(client([multiOhlc]).coingecko.ohlc('bitcoin', { days: 1 }))).kind).toBe(
      'invalid_body',
    );
  });

  it('answers no candles for an empty body', async () => {
    expect((await client([[]]).coingecko.ohlc('bitcoin', { days: 14 })).candles).toEqual([]);
  });
});
