import { describe, expect, it } from 'vitest';
import ohlc from '../../../shared/data/fixtures/kraken_jkorf/GetKlines.json';
import ticker from '../../../shared/data/fixtures/kraken_jkorf/GetTicker.json';
import { KRAKEN_URL, KrakenClient } from '../../src/providers/kraken';
import { fakeFetch, fakeRuntime, memoryHealth, providerError, status } from './helpers';

function client(...responders: Parameters<typeof fakeFetch>) {
  const runtime = fakeRuntime();
  const health = memoryHealth(runtime);
  const { fetch, calls } = fakeFetch(...responders);
  const kraken = new KrakenClient({ ...runtime, fetch, health, options: { minIntervalMs: 0 } });
  return { kraken, calls, health, runtime };
}

describe('Kraken OHLC', () => {
  it('maps the recorded body: seconds to ms, string prices, last row left out as uncommitted', async () => {
    const { kraken, calls } = client(ohlc);
    const result = await kraken.ohlc('XBTUSD', '1m');
    expect(result.pair).toBe('XXBTZUSD');
    expect(result.nextSince).toBe(1688672160);
    expect(result.candles).toHaveLength(3);
    expect(result.candles[0]).toEqual({
      openTime: 1688671200000,
      open: 30306.1,
      high: 30306.2,
      low: 30305.7,
      close: 30305.7,
      volume: 3.39243896,
    });
    expect(result.candles[2]).toMatchObject({ openTime: 1688671320000, close: 30291.4 });
    expect(calls[0]?.url.toString()).toBe(`${KRAKEN_URL}/0/public/OHLC?pair=XBTUSD&interval=1`);
  });

  it('keeps the forming frame when asked, and passes since and the interval in minutes', async () => {
    const { kraken, calls } = client(ohlc);
    const result = await kraken.ohlc('XXBTZUSD', '4h', { since: 1688671000, includeOpen: true });
    expect(result.candles).toHaveLength(4);
    expect(result.candles[3]).toMatchObject({ openTime: 1688671380000, open: 30291.8, close: 30295 });
    expect(calls[0]?.url.searchParams.get('interval')).toBe('240');
    expect(calls[0]?.url.searchParams.get('since')).toBe('1688671000');
  });

  it('answers no candles when only the forming frame exists', async () => {
    const { kraken } = client({ error: [], result: { XXBTZUSD: [], last: 1688672160 } });
    expect((await kraken.ohlc('XBTUSD', '1d')).candles).toEqual([]);
  });

  it('reads the error array: unknown pair is not_found, and nothing is retried for it', async () => {
    const { kraken, calls, health } = client({ error: ['EQuery:Unknown asset pair'] });
    const error = await providerError(kraken.ohlc('NOPEUSD', '1d'));
    expect(error).toMatchObject({ kind: 'not_found', status: 200, sourceId: 'kraken' });
    expect(error.message).toContain('EQuery:Unknown asset pair');
    expect(calls).toHaveLength(1);
    expect(health.snapshot('kraken').failures).toBe(0);
  });

  it('retries EService:Unavailable inside a 200, then succeeds', async () => {
    const { kraken, calls } = client({ error: ['EService:Unavailable'] }, ohlc);
    expect((await kraken.ohlc('XBTUSD', '1m')).candles).toHaveLength(3);
    expect(calls).toHaveLength(2);
  });

  it('ignores warnings in the error array', async () => {
    const { kraken } = client({ ...ohlc, error: ['WGeneral:Deprecated'] });
    expect((await kraken.ohlc('XBTUSD', '1m')).candles).toHaveLength(3);
  });

  it('rejects rows of the wrong shape and results with no pair', async () => {
    const shortRow = {
      error: [],
      result: { XXBTZUSD: [[1688671200, '1', '1', '1', '1', '1', '1']], last: 1 },
    };
    expect((await providerError(client(shortRow).kraken.ohlc('XBTUSD', '1m'))).kind).toBe('invalid_body');
    const noPair = { error: [], result: { last: 1 } };
    expect((await providerError(client(noPair).kraken.ohlc('XBTUSD', '1m'))).kind).toBe('invalid_body');
  });

  it('a persistent 520 from the edge fails the call after its retries', async () => {
    const { kraken, calls, health } = client(status(520, 'origin error'));
    expect(await providerError(kraken.ohlc('XBTUSD', '1m'))).toMatchObject({
      kind: 'http',
      status: 520,
      attempts: 3,
    });
    expect(calls).toHaveLength(3);
    expect(health.snapshot('kraken').failures).toBe(1);
  });
});

describe('Kraken ticker', () => {
  it('maps the recorded ticker: last trade, 24h high/low, quote volume from base volume × VWAP', async () => {
    const { kraken, calls, runtime } = client(ticker);
    const [quote] = await kraken.ticker(['XBTUSD']);
    expect(quote).toEqual({
      providerSymbol: 'XXBTZUSD',
      price: 30303.2,
      open24h: null,
      high24h: 31631,
      low24h: 29868.3,
      change24h: null,
      changePct24h: null,
      volume24h: 4412.73601799 * 30689.13205,
      marketCap: null,
      asOf: runtime.now(),
      todayOpen: 30502.8,
      baseVolume24h: 4412.73601799,
      vwap24h: 30689.13205,
      bid: 30300,
      ask: 30300.1,
    });
    expect(calls[0]?.url.searchParams.get('pair')).toBe('XBTUSD');
  });

  it('asks for several pairs in one call and rejects a malformed pair entry', async () => {
    const { kraken, calls } = client(ticker);
    await kraken.ticker(['XBTUSD', 'ETHUSD']);
    expect(calls[0]?.url.searchParams.get('pair')).toBe('XBTUSD,ETHUSD');
    const broken = { error: [], result: { XXBTZUSD: { ...ticker.result.XXBTZUSD, c: ['abc', '1'] } } };
    expect((await providerError(client(broken).kraken.ticker(['XBTUSD']))).kind).toBe('invalid_body');
  });

  it('answers no quotes for no pairs without calling', async () => {
    const { kraken, calls } = client(ticker);
    expect(await kraken.ticker([])).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});
