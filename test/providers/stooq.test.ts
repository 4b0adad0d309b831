import { describe, expect, it } from 'vitest';
import { STOOQ_URL, StooqClient } from '../../src/providers/stooq';
import { fakeFetch, fakeRuntime, memoryHealth, providerError, status } from './helpers';

// No Stooq body is recorded in ../shared/data/fixtures; this is Stooq's CSV format (header
// Date,Open,High,Low,Close,Volume, CRLF lines) carrying real SPY sessions from
// ../shared/data/prices/etf-alphavantage/SPY.csv.
const SPY_CSV = [
  'Date,Open,High,Low,Close,Volume',
  '2024-11-04,571.18,572.5,567.89,569.81,38216975',
  '2024-11-05,570.74,576.74,570.52,576.7,39478322',
  '2024-11-06,589.2,591.93,585.39,591.04,68181968',
  '2024-11-07,593.08,596.65,592.9999,595.61,47233212',
  '2024-11-08,596.17,599.64,596.165,598.19,46444893',
  '',
].join('\r\n');

function client(start: number | undefined, ...responders: Parameters<typeof fakeFetch>) {
  const runtime = fakeRuntime(start);
  const health = memoryHealth(runtime);
  const { fetch, calls } = fakeFetch(...responders);
  const stooq = new StooqClient({ ...runtime, fetch, health, options: { minIntervalMs: 0 } });
  return { stooq, calls, health };
}

describe('Stooq daily CSV', () => {
  it('parses the CSV into candles at 00:00 UTC of each trading date', async () => {
    const { stooq, calls } = client(undefined, SPY_CSV);
    const candles = await stooq.daily('SPY.US', { from: Date.UTC(2024, 10, 4), to: Date.UTC(2024, 10, 8) });
    expect(candles).toHaveLength(5);
    expect(candles[0]).toEqual({
      openTime: Date.UTC(2024, 10, 4),
      open: 571.18,
      high: 572.5,
      low: 567.89,
      close: 569.81,
      volume: 38216975,
    });
    expect(candles[4]).toMatchObject({ openTime: Date.UTC(2024, 10, 8), close: 598.19 });
    expect(calls[0]?.url.toString()).toBe(`${STOOQ_URL}/q/d/l/?s=spy.us&i=d&d1=20241104&d2=20241108`);
  });

  it('leaves out the session still in progress unless asked', async () => {
    const during = Date.UTC(2024, 10, 8, 18);
    expect(await client(during, SPY_CSV).stooq.daily('spy.us')).toHaveLength(4);
    expect(await client(during, SPY_CSV).stooq.daily('spy.us', { includeOpen: true })).toHaveLength(5);
  });

  it('reads index files without a Volume column as volume 0', async () => {
    const csv = 'Date,Open,High,Low,Close\n2024-11-08,5976.76,6012.45,5976.76,5995.54\n';
    const [candle] = await client(undefined, csv).stooq.daily('^spx');
    expect(candle).toMatchObject({ close: 5995.54, volume: 0 });
  });

  it('answers nothing for a header without rows', async () => {
    expect(await client(undefined, 'Date,Open,High,Low,Close,Volume\n').stooq.daily('spy.us')).toEqual([]);
  });

  it('"No data" means an unknown symbol: not_found, not retried, not held against the source', async () => {
    const { stooq, calls, health } = client(undefined, 'No data');
    expect(await providerError(stooq.daily('nope.us'))).toMatchObject({
      kind: 'not_found',
      sourceId: 'stooq',
    });
    expect(calls).toHaveLength(1);
    expect(health.snapshot('stooq').failures).toBe(0);
  });

  it('the daily hits limit is an upstream error, not retried', async () => {
    const { stooq, calls } = client(undefined, 'Exceeded the daily hits limit');
    expect(await providerError(stooq.daily('spy.us'))).toMatchObject({ kind: 'upstream', retryable: false });
    expect(calls).toHaveLength(1);
  });

  it('rejects HTML, a wrong header, and rows with bad numbers or dates', async () => {
    for (const body of [
      '<!DOCTYPE html><html><body>maintenance</body></html>',
      'Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie\n2024-11-08,1,2,0.5,1.5',
      'Date,Open,High,Low,Close,Volume\n2024-11-08,596.17,599.64,N/A,598.19,1',
      'Date,Open,High,Low,Close,Volume\n08/11/2024,596.17,599.64,596.165,598.19,1',
    ]) {
      expect((await providerError(client(undefined, body).stooq.daily('spy.us'))).kind).toBe('invalid_body');
    }
  });

  it('retries a 503 then parses', async () => {
    const { stooq, calls } = client(undefined, status(503), SPY_CSV);
    expect(await stooq.daily('spy.us')).toHaveLength(5);
    expect(calls).toHaveLength(2);
  });
});
