import { env } from 'cloudflare:workers';
import vea from '../../../shared/data/factors/etf-eodhd-bdi2357/VEA_US.csv?raw';
import iwd from '../../../shared/data/factors/etf-yahoo-chenc319/IWD.csv?raw';
import mtum from '../../../shared/data/factors/etf-yahoo-chenc319/MTUM.csv?raw';
import qual from '../../../shared/data/factors/etf-yahoo-chenc319/QUAL.csv?raw';
import usmv from '../../../shared/data/factors/etf-yahoo-chenc319/USMV.csv?raw';
import vlue from '../../../shared/data/factors/etf-yahoo-chenc319/VLUE.csv?raw';
import vym from '../../../shared/data/factors/etf-yahoo-chenc319/VYM.csv?raw';
import ffMom from '../../../shared/data/factors/kenneth-french-202604/F-F_Momentum_Factor_daily.csv?raw';
import ff5 from '../../../shared/data/factors/kenneth-french-202604/F-F_Research_Data_5_Factors_2x3_daily.isodates.csv?raw';
import ff3 from '../../../shared/data/factors/kenneth-french-202604/F-F_Research_Data_Factors_daily.csv?raw';
import aapl from '../../../shared/data/factors/yahoo-finanzascuantitativas/AAPL.csv?raw';
import jpm from '../../../shared/data/factors/yahoo-finanzascuantitativas/JPM.csv?raw';
import msft from '../../../shared/data/factors/yahoo-finanzascuantitativas/MSFT.csv?raw';
import nvda from '../../../shared/data/factors/yahoo-finanzascuantitativas/NVDA.csv?raw';
import iwm from '../../../shared/data/prices/etf-alphavantage/IWM.csv?raw';
import tlt from '../../../shared/data/prices/etf-alphavantage/TLT.csv?raw';
import { forgetMarketClock } from '../../src/core/market-clock';
import { ASSET_CATALOG, catalogAssetId } from '../../src/domains/assets/catalog';
import { parseHistory } from '../../src/domains/prices/history-csv';
import { upsertCandles, upsertQuotes } from '../../src/domains/prices/service';
import { joinFrench, parseFrench } from '../../src/domains/risk/french';
import { REPLAY_START } from './market';

const DAY = 86_400_000;

/** The shipped files of the factor ETFs and single stocks the risk tests use (SPY comes from seedMarket). */
export const FACTOR_FILES: Record<string, string> = {
  IWM: iwm,
  TLT: tlt,
  MTUM: mtum,
  QUAL: qual,
  USMV: usmv,
  VLUE: vlue,
  VYM: vym,
  IWD: iwd,
  VEA: vea,
  AAPL: aapl,
  MSFT: msft,
  NVDA: nvda,
  JPM: jpm,
};

/** French 202604 rows from 2010 on, as the seeder loads them (FRENCH_FROM is earlier; tests need less). */
export const FRENCH_202604 = joinFrench(
  parseFrench(ff3),
  parseFrench(ff5),
  parseFrench(ffMom),
  Date.UTC(2010, 0, 1),
);

/**
 * Seeds factor ETFs and stocks as seedMarket does (served rows before the replay start, the
 * rest in the replay store) and the French factors of vintage 202604.
 */
export async function seedFactors(
  symbols: string[] = Object.keys(FACTOR_FILES).filter((s) => s !== 'TLT'),
  options: { from?: number } = {},
): Promise<void> {
  for (const symbol of symbols) {
    const entry = ASSET_CATALOG.find((a) => a.symbol === symbol);
    const text = FACTOR_FILES[symbol];
    if (!entry?.history || !text) throw new Error(`no factor history for ${symbol}`);
    const id = catalogAssetId(symbol);
    await env.DB.prepare(
      `INSERT INTO assets (id, symbol, name, asset_type, external_ids) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    )
      .bind(id, entry.symbol, entry.name, entry.type, JSON.stringify(entry.externalIds))
      .run();
    const all = parseHistory(text, entry.history.format, { until: entry.history.until }).candles;
    const served = all.filter(
      (c) => c.openTime + DAY <= REPLAY_START && c.openTime >= (options.from ?? Date.UTC(2019, 0, 1)),
    );
    await upsertCandles(env, id, '1d', served, 'history');
    const later = all.filter((c) => c.openTime + DAY > REPLAY_START);
    const statements = [];
    for (let i = 0; i < later.length; i += 14) {
      const chunk = later.slice(i, i + 14);
      statements.push(
        env.DB.prepare(
          `INSERT OR REPLACE INTO replay_candles (asset_id, open_time, open, high, low, close, volume) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        ).bind(...chunk.flatMap((c) => [id, c.openTime, c.open, c.high, c.low, c.close, c.volume])),
      );
    }
    for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
    const last = served.at(-1);
    const prev = served.at(-2);
    if (last && prev)
      await upsertQuotes(env, [
        {
          assetId: id,
          source: 'history',
          quote: {
            providerSymbol: symbol,
            price: last.close,
            open24h: last.open,
            high24h: last.high,
            low24h: last.low,
            change24h: last.close - prev.close,
            changePct24h: ((last.close - prev.close) / prev.close) * 100,
            volume24h: last.volume,
            marketCap: null,
            asOf: last.openTime,
          },
        },
      ]);
  }
  const rows = FRENCH_202604;
  const statements = [];
  for (let i = 0; i < rows.length; i += 11) {
    const chunk = rows.slice(i, i + 11);
    statements.push(
      env.DB.prepare(
        `INSERT OR REPLACE INTO factor_returns (vintage, time, mkt_rf, smb, hml, rmw, cma, mom, rf) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      ).bind(...chunk.flatMap((r) => ['202604', r.time, r.mkt_rf, r.smb, r.hml, r.rmw, r.cma, r.mom, r.rf])),
    );
  }
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
  forgetMarketClock();
}
