import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import spyChenc from '../../../../shared/data/factors/etf-yahoo-chenc319/SPY.csv?raw';
import vymChenc from '../../../../shared/data/factors/etf-yahoo-chenc319/VYM.csv?raw';
import aaplCsv from '../../../../shared/data/factors/yahoo-finanzascuantitativas/AAPL.csv?raw';
import jpmCsv from '../../../../shared/data/factors/yahoo-finanzascuantitativas/JPM.csv?raw';
import msftCsv from '../../../../shared/data/factors/yahoo-finanzascuantitativas/MSFT.csv?raw';
import aggYahoo from '../../../../shared/data/prices/crypto-yahoo/AGG.csv?raw';
import aggRaw from '../../../../shared/data/prices/etf-alphavantage/AGG.csv?raw';
import spyRaw from '../../../../shared/data/prices/etf-alphavantage/SPY.csv?raw';
import { marketNow } from '../../../src/core/market-clock';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import { refreshSnapshots } from '../../../src/domains/macro/service';
import { DIVIDEND_FILES, dividendsFromFile } from '../../../src/domains/prices/dividend-files';
import { ingestDividendsUntil } from '../../../src/ingestion/dividends';
import { replayTick } from '../../../src/ingestion/replay';
import { deriveDividends, trailingDividendYield } from '../../../src/quant/dividends';
import { callJson } from '../../helpers/api';
import { seedDividends } from '../../helpers/dividends';
import { seedFactors } from '../../helpers/factors';
import { seedMarket, setMarketClock } from '../../helpers/market';

const DAY = 86_400_000;
const t = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const fileOf = (symbol: string) => {
  const f = DIVIDEND_FILES.find((x) => x.symbol === symbol);
  if (!f) throw new Error(symbol);
  return f;
};

/** By hand, from a Yahoo CSV's Close and Adj Close: D_t = C_{t-1} - A_{t-1} x C_t / A_t, kept above a cent's tenth. */
function handDividends(csv: string): Map<string, number> {
  const rows = csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','));
  const out = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const p = rows[i - 1] as string[];
    const r = rows[i] as string[];
    const d = Number(p[4]) - (Number(p[5]) * Number(r[4])) / Number(r[5]);
    if (d > 0.001) out.set(r[0] as string, d);
  }
  return out;
}

/** A column of a CSV on one date (first column the date). */
function cell(csv: string, date: string, column: number): number {
  const line = csv.split(/\r?\n/).find((l) => l.startsWith(date));
  if (!line) throw new Error(`no row ${date}`);
  return Number(line.split(',')[column]);
}

/** Hand trailing yield: dividends with ex-date in (asOf - 365 d, asOf] over the close. */
function handYield(divs: Map<string, number>, asOf: string, close: number) {
  let sum = 0;
  let n = 0;
  for (const [date, d] of divs)
    if (t(date) > t(asOf) - 365 * DAY && t(date) <= t(asOf)) {
      sum += d;
      n++;
    }
  return { pct: (sum / close) * 100, sum, n };
}

describe('dividends derived from the shipped Close / Adj Close files', () => {
  it('SPY 2023: the four ex-dates and amounts equal a hand computation and State Street’s published figures', () => {
    const derived = dividendsFromFile(fileOf('SPY'), spyChenc);
    const hand = handDividends(spyChenc);
    const y2023 = derived.events.filter((e) => e.time >= t('2023-01-01') && e.time < t('2024-01-01'));
    expect(y2023.map((e) => new Date(e.time).toISOString().slice(0, 10))).toEqual([
      '2023-03-17',
      '2023-06-16',
      '2023-09-15',
      '2023-12-15',
    ]);
    for (const e of y2023)
      expect(e.amount).toBeCloseTo(hand.get(new Date(e.time).toISOString().slice(0, 10)) as number, 9);
    // Published SPY distributions 2023: 1.506204, 1.638367, 1.583178, 1.906073 (sum 6.633822).
    const published = [1.506204, 1.638367, 1.583178, 1.906073];
    for (const [i, e] of y2023.entries())
      expect(Math.abs(e.amount - (published[i] as number))).toBeLessThan(0.002);
    const sum = y2023.reduce((s, e) => s + e.amount, 0);
    expect(Math.abs(sum - 6.633822)).toBeLessThan(0.003);
    // Every step the hand rule finds is an event, and no other (no split or jitter counted).
    expect(derived.events.length).toBe(hand.size);
    expect(derived.rejected).toEqual([]);
  });

  it('single stocks: AAPL, MSFT and JPM pay their declared 2023 dividends', () => {
    const amounts = (symbol: string, csv: string) =>
      dividendsFromFile(fileOf(symbol), csv)
        .events.filter((e) => e.time >= t('2023-01-01'))
        .map((e) => Math.round(e.amount * 100) / 100);
    expect(amounts('AAPL', aaplCsv)).toEqual([0.23, 0.24, 0.24]);
    expect(amounts('MSFT', msftCsv)).toEqual([0.68, 0.68, 0.68]);
    expect(amounts('JPM', jpmCsv)).toEqual([1, 1, 1]);
  });

  it('AGG’s reported dividends: the rebuilt factors turn its adjusted closes into Alpha Vantage’s raw closes', () => {
    const d = dividendsFromFile(fileOf('AGG'), aggYahoo);
    expect(d.method).toBe('reported');
    const e = d.events.find((x) => new Date(x.time).toISOString().startsWith('2023-06'));
    const exDate = new Date(e?.time ?? 0).toISOString().slice(0, 10);
    expect(e?.amount).toBe(cell(aggYahoo, exDate, 6));
    expect(e?.amount).toBe(0.258);
    // The close before that ex-date, unadjusted by the rebuilt factor, against the raw file.
    const before = new Date((e?.time ?? 0) - DAY).toISOString().slice(0, 10);
    const prevDay = aggRaw.includes(`\n${before},`)
      ? before
      : new Date((e?.time ?? 0) - 3 * DAY).toISOString().slice(0, 10);
    expect(Math.abs((e?.closeBefore ?? 0) / cell(aggRaw, prevDay, 4) - 1)).toBeLessThan(2e-4);
  });
});

describe('the derivation’s edges', () => {
  const row = (day: number, close: number, adjusted: number) => ({
    time: t('2024-01-01') + day * DAY,
    close,
    adjusted,
    closeDecimals: 6,
    adjustedDecimals: 6,
  });

  it('a split or vendor fix in the factor is rejected, jitter is ignored, a cash dividend is kept', () => {
    const d = deriveDividends([
      row(0, 100, 95),
      row(1, 101, 95.950001), // jitter: f moves 1e-8
      row(2, 99, 94.95), // ex-date: f steps from 0.95 to 0.959090..., D = 101 x (1 - 0.95/0.95909)
      row(3, 49.5, 94.95), // f doubles: a 2:1 split in an unadjusted Close, not a dividend
      row(4, 50, 47.5), // f falls back: rejected too
    ]);
    expect(d.events).toHaveLength(1);
    expect(d.events[0]?.amount).toBeCloseTo(101 * (1 - 95.950001 / 101 / (94.95 / 99)), 12);
    expect(d.rejected.map((r) => r.time)).toEqual([t('2024-01-04'), t('2024-01-05')]);
  });

  it('the window is (as-of − 365 days, as-of]: an ex-date exactly a year back is out, one on the day is in', () => {
    const asOf = t('2024-06-30');
    const y = trailingDividendYield(
      [
        { time: asOf - 365 * DAY, amount: 10 },
        { time: asOf - 364 * DAY, amount: 1 },
        { time: asOf, amount: 2 },
        { time: asOf + DAY, amount: 50 },
      ],
      asOf,
      100,
    );
    expect(y).toMatchObject({ dividends: 3, count: 2, yieldPct: 3 });
    expect(trailingDividendYield([], asOf, 0)).toBeNull();
  });
});

type Row = {
  symbol: string;
  price: number | null;
  as_of: string | null;
  dividend_yield: number | null;
  dividend_yield_reason: string | null;
  dividend_yield_basis: {
    method: string;
    window_start: string;
    as_of: string;
    dividends_ttm: number;
    data_points: number;
    close: number;
    source: string;
  } | null;
};
type Screener = { data: Row[]; absent: { dividend_yield: string }; method: string };

describe('003 /api/screener/metrics: trailing-12-month dividend yield at the market clock', () => {
  beforeAll(async () => {
    await seedMarket(['SPY', 'QQQ']);
    await seedFactors(['VYM']);
    await seedDividends(['SPY', 'VYM']);
    await refreshSnapshots(env);
  }, 300_000);

  const screener = async () => {
    const { res, body } = await callJson<Screener>('/api/screener/metrics');
    expect(res.status).toBe(200);
    const row = (s: string) => body.data.find((r) => r.symbol === s) as Row;
    return { body, row };
  };

  it('SPY and VYM equal the hand computation from the CSVs; others are null with their reason', async () => {
    const { body, row } = await screener();
    const spy = row('SPY');
    expect(spy.as_of?.slice(0, 10)).toBe('2023-12-29');
    const hand = handYield(handDividends(spyChenc), '2023-12-29', cell(spyRaw, '2023-12-29', 4));
    expect(hand.n).toBe(4);
    expect(spy.dividend_yield).toBeCloseTo(hand.pct, 8);
    expect(spy.dividend_yield_basis).toMatchObject({
      method: 'adj_close_step',
      window_start: '2022-12-30',
      as_of: '2023-12-29',
      data_points: 4,
      close: cell(spyRaw, '2023-12-29', 4),
      source: 'factors/etf-yahoo-chenc319/SPY.csv',
    });
    expect(spy.dividend_yield_basis?.dividends_ttm).toBeCloseTo(hand.sum, 8);
    // VYM's served closes are adjusted: the yield divides by its unadjusted Close of that day.
    const vym = row('VYM');
    const vymHand = handYield(handDividends(vymChenc), '2023-12-29', cell(vymChenc, '2023-12-29', 4));
    expect(vym.dividend_yield).toBeCloseTo(vymHand.pct, 6);
    expect(vym.dividend_yield_basis?.close).toBeCloseTo(cell(vymChenc, '2023-12-29', 4), 4);
    expect(vym.dividend_yield).toBeGreaterThan(3);
    expect(row('QQQ').dividend_yield).toBeNull();
    expect(row('QQQ').dividend_yield_reason).toMatch(/Alpha Vantage/);
    expect(row('SCHD').dividend_yield_reason).toMatch(/auto_adjust/);
    expect(row('BTC').dividend_yield_reason).toMatch(/Crypto assets pay no dividends/);
    expect(row('BTC').dividend_yield_basis).toBeNull();
    expect(body.method).toMatch(/365 calendar days/);
    expect(body.absent.dividend_yield).toMatch(/dividend_yield_reason/);
  });

  it('no ex-date after the market clock is stored or used; passing the ex-date brings it in', async () => {
    const spy = catalogAssetId('SPY');
    const exMarch = t('2024-03-15');
    const served = () =>
      env.DB.prepare('SELECT max(ex_time) AS last FROM dividend_events WHERE asset_id = ?')
        .bind(spy)
        .first<{ last: number }>();
    expect((await served())?.last).toBeLessThanOrEqual(await marketNow(env));
    // The day before the March ex-date: the closes reach 2024-03-13, the dividend is not there.
    await setMarketClock('2024-03-14T15:00:00Z');
    for (let i = 0; i < 5 && ((await replayTick(env))?.days ?? 0) > 0; i++);
    expect((await served())?.last).toBeLessThan(exMarch);
    await refreshSnapshots(env);
    const before = (await screener()).row('SPY');
    expect(before.dividend_yield_basis?.as_of).toBe('2024-03-13');
    const handBefore = handYield(handDividends(spyChenc), '2024-03-13', cell(spyRaw, '2024-03-13', 4));
    expect(before.dividend_yield).toBeCloseTo(handBefore.pct, 8);
    // Past the ex-date: the tick's prices.updated moves it from the replay store.
    await setMarketClock('2024-03-19T15:00:00Z');
    for (let i = 0; i < 5 && ((await replayTick(env))?.days ?? 0) > 0; i++);
    expect((await served())?.last).toBe(exMarch);
    const stillStored = await env.DB.prepare(
      'SELECT count(*) AS n FROM dividend_replay_store WHERE asset_id = ? AND ex_time <= ?',
    )
      .bind(spy, await marketNow(env))
      .first<{ n: number }>();
    expect(stillStored?.n).toBe(0);
    // Idempotent: moving again at the same clock moves nothing.
    expect(await ingestDividendsUntil(env, await marketNow(env))).toBe(0);
    await refreshSnapshots(env);
    const after = (await screener()).row('SPY');
    expect(after.dividend_yield_basis?.as_of).toBe('2024-03-18');
    const handAfter = handYield(handDividends(spyChenc), '2024-03-18', cell(spyRaw, '2024-03-18', 4));
    expect(handAfter.n).toBe(4);
    expect(after.dividend_yield).toBeCloseTo(handAfter.pct, 8);
    expect(after.dividend_yield_basis?.dividends_ttm).toBeCloseTo(handAfter.sum, 8);
  });
});
