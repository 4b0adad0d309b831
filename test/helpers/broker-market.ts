import { env } from 'cloudflare:workers';
import bnbCsv from '../../../shared/data/prices/crypto-yahoo/BNB-USD.csv?raw';
import btcCsv from '../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import ethCsv from '../../../shared/data/prices/crypto-yahoo/ETH-USD.csv?raw';
import eurCsv from '../../../shared/data/prices/crypto-yahoo/EURUSD=X.csv?raw';
import gbpCsv from '../../../shared/data/prices/crypto-yahoo/GBPUSD=X.csv?raw';
import ltcCsv from '../../../shared/data/prices/crypto-yahoo/LTC-USD.csv?raw';
import usdcCsv from '../../../shared/data/prices/crypto-yahoo/USDC-USD.csv?raw';
import usdtCsv from '../../../shared/data/prices/crypto-yahoo/USDT-USD.csv?raw';
import xrpCsv from '../../../shared/data/prices/crypto-yahoo/XRP-USD.csv?raw';
import { ASSET_CATALOG, catalogAssetId } from '../../src/domains/assets/catalog';
import { parseHistory } from '../../src/domains/prices/history-csv';
import { upsertCandles } from '../../src/domains/prices/service';
import { REPLAY_START } from './market';

const MORE: Record<string, string> = {
  BTC: btcCsv,
  ETH: ethCsv,
  EURUSD: eurCsv,
  BNB: bnbCsv,
  LTC: ltcCsv,
  USDC: usdcCsv,
  USDT: usdtCsv,
  XRP: xrpCsv,
  GBPUSD: gbpCsv,
};

/**
 * The market the broker samples need: BTC, ETH, BNB, LTC, USDC, USDT, XRP, EURUSD and GBPUSD,
 * their shipped daily closes from `from` up to the replay start (the market clock's first moment).
 */
export async function seedBrokerMarket(from = '2017-06-01'): Promise<void> {
  const start = Date.parse(`${from}T00:00:00Z`);
  for (const [symbol, text] of Object.entries(MORE)) {
    const entry = ASSET_CATALOG.find((a) => a.symbol === symbol);
    if (!entry?.history) throw new Error(`no catalog history for ${symbol}`);
    const id = catalogAssetId(symbol);
    await env.DB.prepare(
      'INSERT INTO assets (id, symbol, name, asset_type, external_ids) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    )
      .bind(id, entry.symbol, entry.name, entry.type, JSON.stringify(entry.externalIds))
      .run();
    const candles = parseHistory(text, entry.history.format).candles.filter(
      (c) => c.openTime >= start && c.openTime + 86_400_000 <= REPLAY_START,
    );
    await upsertCandles(env, id, '1d', candles, 'history');
  }
}
