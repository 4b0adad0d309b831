import { env } from 'cloudflare:workers';
import adaCsv from '../../../shared/data/prices/crypto-yahoo/ADA-USD.csv?raw';
import btcCsv from '../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import ethCsv from '../../../shared/data/prices/crypto-yahoo/ETH-USD.csv?raw';
import eurCsv from '../../../shared/data/prices/crypto-yahoo/EURUSD=X.csv?raw';
import qqqCsv from '../../../shared/data/prices/etf-alphavantage/QQQ.csv?raw';
import spyCsv from '../../../shared/data/prices/etf-alphavantage/SPY.csv?raw';
import vtiCsv from '../../../shared/data/prices/etf-alphavantage/VTI.csv?raw';
import wtiCsv from '../../../shared/data/prices/macro/DCOILWTICO.csv?raw';
import dxyCsv from '../../../shared/data/prices/macro/DX-Y.NYB.csv?raw';
import goldCsv from '../../../shared/data/prices/macro/gold_prices_historical.csv?raw';
import { ASSET_CATALOG, catalogAssetId } from '../../src/domains/assets/catalog';
import { parseHistory } from '../../src/domains/prices/history-csv';
import { upsertCandles, upsertQuotes } from '../../src/domains/prices/service';

/** The real shipped history (read in place from ../shared/data) of the assets tests use. */
const FILES: Record<string, string> = {
  BTC: btcCsv,
  ETH: ethCsv,
  ADA: adaCsv,
  SPY: spyCsv,
  QQQ: qqqCsv,
  VTI: vtiCsv,
  DXY: dxyCsv,
  GOLD: goldCsv,
  WTI: wtiCsv,
  EURUSD: eurCsv,
};

export type SeededSymbol = keyof typeof FILES;

/**
 * Loads catalog assets and their real daily history into this test file's D1 through the
 * production write path (upserts in batches, a quote from the last close), as `npm start` does.
 */
export async function seedMarket(symbols: SeededSymbol[] = ['BTC', 'ETH', 'SPY']): Promise<void> {
  for (const symbol of symbols) {
    const entry = ASSET_CATALOG.find((a) => a.symbol === symbol);
    const text = FILES[symbol];
    if (!entry?.history || !text) throw new Error(`no shipped history for ${symbol}`);
    const id = catalogAssetId(symbol);
    await env.DB.prepare(
      `INSERT INTO assets (id, symbol, name, asset_type, external_ids) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    )
      .bind(id, entry.symbol, entry.name, entry.type, JSON.stringify(entry.externalIds))
      .run();
    for (const split of entry.splits ?? []) {
      await env.DB.prepare(
        `INSERT INTO corporate_actions (id, asset_id, action_type, ex_date, ratio, source) VALUES (?, ?, 'split', ?, ?, 'test') ON CONFLICT DO NOTHING`,
      )
        .bind(`ca_${symbol}_${split.exDate}`, id, split.exDate, split.ratio)
        .run();
    }
    const { candles } = parseHistory(text, entry.history.format);
    await upsertCandles(env, id, '1d', candles, 'history');
    const last = candles.at(-1);
    const prev = candles.at(-2);
    if (last && prev) {
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
  }
}
