import { describe, expect, it } from 'vitest';
import klines from '../../../shared/data/fixtures/binance_jkorf/GetKlines.json';
import ticker from '../../../shared/data/fixtures/binance_jkorf/GetTicker.json';
import tradingDayTicker from '../../../shared/data/fixtures/binance_jkorf/GetTradingDayTicker.json';
import { BINANCE_URL, BinanceClient } from '../../src/providers/binance';
import { fakeFetch, fakeRuntime, hang, memoryHealth, providerError, status, T0 } from './helpers';

// The real BTCUSDT 1d kline of 2021-01-01 from ../shared/data/README.md.
const BTC_2021_01_01 = [
  1609459200000,
  '28923.63000000',
  '29600.00000000',
  '28624.57000000',
  '29331.69000000',
  '54182.92501100',
  1609545599999,
  '1582526989.16187265',
  1314910,
  '27455.80172500',
  '802247744.54510409',
  '0',
];

function client(...responders: Parameters<typeof fakeFetch>) {
  const runtime = fakeRuntime();
  const health = memoryHealth(runtime);
  const { fetch, calls } = fakeFetch(...responders);
  const binance = new BinanceClient({ ...runtime, fetch, health, options: { minIntervalMs: 0 } });
  return { binance, calls, health, runtime };
}

describe('Binance klines', () => {
  it('maps the recorded klines body: string prices, ms open time', async () => {
    const { binance, calls } = client(klines);
    const candles = await binance.klines('BNBBTC', '1w');
    expect(candles).toEqual([
      {
        openTime: 1499040000000,
        open: 0.0163479,
        high: 0.8,
        low: 0.015758,
        close: 0.015771,
        volume: 148976.11427815,
      },
    ]);
    const url = calls[0]?.url;
    expect(url?.origin + (url?.pathname ?? '')).toBe(`${BINANCE_URL}/api/v3/klines`);
    expect(url?.searchParams.get('symbol')).toBe('BNBBTC');
    expect(url?.searchParams.get('interval')).toBe('1w');
  });

  it('maps the real BTCUSDT 2021-01-01 daily candle and passes the range', async () => {
    const { binance, calls } = client([BTC_2021_01_01]);
    const [candle] = await binance.klines('BTCUSDT', '1d', {
      startTime: 1609459200000,
      endTime: 1609545599999,
      limit: 1,
    });
    expect(candle).toEqual({
      openTime: Date.UTC(2021, 0, 1),
      open: 28923.63,
      high: 29600,
      low: 28624.57,
      close: 29331.69,
      volume: 54182.925011,
    });
    expect(calls[0]?.url.searchParams.get('startTime')).toBe('1609459200000');
    expect(calls[0]?.url.searchParams.get('limit')).toBe('1');
  });

  it('drops the forming candle unless asked for it', async () => {
    const forming = [T0 - 60_000, '1', '2', '0.5', '1.5', '10', T0 + 86_340_000 - 1, '15', 3, '5', '7', '0'];
    const { binance } = client([BTC_2021_01_01, forming]);
    expect(await binance.klines('BTCUSDT', '1d')).toHaveLength(1);
    expect((await binance.klines('BTCUSDT', '1d', { includeOpen: true })).at(-1)?.close).toBe(1.5);
  });

  it('answers an empty list for an empty range', async () => {
    const { binance } = client([]);
    expect(await binance.klines('BTCUSDT', '1m')).toEqual([]);
  });

  it('rejects rows whose prices are not decimal strings', async () => {
    const bad = [...BTC_2021_01_01];
    bad[4] = 'NaN';
    const { binance, health } = client([bad]);
    const error = await providerError(binance.klines('BTCUSDT', '1d'));
    expect(error.kind).toBe('invalid_body');
    expect(error.attempts).toBe(1);
    expect(health.snapshot('binance').failures).toBe(1);
  });

  it('rejects a body that is an object instead of rows', async () => {
    const { binance } = client({ code: 0, msg: 'ok' });
    expect((await providerError(binance.klines('BTCUSDT', '1d'))).kind).toBe('invalid_body');
  });

  it('treats -1121 Invalid symbol as not_found: no retry, source still healthy', async () => {
    const { binance, calls, health } = client(status(400, '{"code":-1121,"msg":"Invalid symbol."}'));
    const error = await providerError(binance.klines('NOPEUSDT', '1d'));
    expect(error).toMatchObject({ kind: 'not_found', status: 400, sourceId: 'binance' });
    expect(calls).toHaveLength(1);
    expect(health.snapshot('binance')).toMatchObject({ failures: 0, successes: 1 });
  });

  it('does not retry other 4xx (418 IP ban)', async () => {
    const { binance, calls } = client(
      status(418, '{"code":-1003,"msg":"Way too many requests"}', { 'retry-after': '120' }),
    );
    const error = await providerError(binance.klines('BTCUSDT', '1d'));
    expect(error).toMatchObject({ kind: 'http', status: 418, retryable: false });
    expect(calls).toHaveLength(1);
  });

  it('times out a slow upstream and retries it', async () => {
    const runtime = fakeRuntime();
    const { fetch, calls } = fakeFetch(hang);
    const binance = new BinanceClient({
      ...runtime,
      fetch,
      health: memoryHealth(runtime),
      options: { minIntervalMs: 0, timeoutMs: 20, retry: { retries: 1 } },
    });
    const error = await providerError(binance.klines('BTCUSDT', '1d'));
    expect(error).toMatchObject({ kind: 'timeout', attempts: 2, retryable: true });
    expect(calls).toHaveLength(2);
  });
});

describe('Binance 24h ticker', () => {
  it('maps the recorded ticker to a quote with quote-asset volume', async () => {
    const { binance, calls } = client(ticker);
    const quote = await binance.ticker24h('BNBBTC');
    expect(quote).toEqual({
      providerSymbol: 'BNBBTC',
      price: 4.000002,
      open24h: 99,
      high24h: 100,
      low24h: 0.1,
      change24h: -94.999998,
      changePct24h: -95.96,
      volume24h: 15.3,
      marketCap: null,
      asOf: 1499869899040,
      baseVolume24h: 8913.3,
      weightedAvgPrice24h: 0.29628482,
    });
    expect(calls[0]?.url.pathname).toBe('/api/v3/ticker/24hr');
    expect(calls[0]?.url.searchParams.get('symbol')).toBe('BNBBTC');
  });

  it('asks for several symbols at once as a JSON array', async () => {
    const { binance, calls } = client([tradingDayTicker, ticker]);
    const quotes = await binance.tickers24h(['BTCUSDT', 'BNBBTC']);
    expect(quotes.map((q) => [q.providerSymbol, q.price])).toEqual([
      ['BTCUSDT', 26221.67],
      ['BNBBTC', 4.000002],
    ]);
    expect(calls[0]?.url.searchParams.get('symbols')).toBe('["BTCUSDT","BNBBTC"]');
    expect(await binance.tickers24h([])).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('rejects a ticker missing its last price', async () => {
    const { lastPrice: _omitted, ...rest } = ticker;
    const { binance } = client(rest);
    expect((await providerError(binance.ticker24h('BNBBTC'))).kind).toBe('invalid_body');
  });
});
