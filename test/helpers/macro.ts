import { env } from 'cloudflare:workers';
import tvlCsv from '../../../shared/data/intel/defillama-fred-lbma-financeterminal/defi_tvl.csv?raw';
import goldCsv from '../../../shared/data/intel/defillama-fred-lbma-financeterminal/gold.csv?raw';
import ndxCsv from '../../../shared/data/intel/defillama-fred-lbma-financeterminal/nasdaq100.csv?raw';
import sp500Csv from '../../../shared/data/intel/defillama-fred-lbma-financeterminal/sp500.csv?raw';
import stableCsv from '../../../shared/data/intel/defillama-fred-lbma-financeterminal/stablecoin_supply.csv?raw';
import vixCsv from '../../../shared/data/intel/defillama-fred-lbma-financeterminal/vix.csv?raw';
import fundingCsv from '../../../shared/data/intel/derivatives-funding-daily-aps1052/binance_btcusdt_funding_daily.csv?raw';
import oiCsv from '../../../shared/data/intel/derivatives-oi-coinalyze-smoothbrainquant/historical_open_interest_top10_since2020_20251026_040214.csv?raw';
import cmcCsv from '../../../shared/data/intel/dominance-cmc-monthly-smoothbrainquant/coinmarketcap_monthly_all_snapshots.csv?raw';
import btcCapsCsv from '../../../shared/data/intel/dominance-coingecko-exports-hamzakiln/btc-usd-max.csv?raw';
import ethCapsCsv from '../../../shared/data/intel/dominance-coingecko-exports-hamzakiln/eth-usd-max.csv?raw';
import totalCsv from '../../../shared/data/intel/dominance-coingecko-exports-hamzakiln/total_market_cap_coingecko__btc_dominance.csv?raw';
import usdcCsv from '../../../shared/data/intel/marketcaps-coingecko-exports-rebalancer/usdc-usd-max.csv?raw';
import usdtCsv from '../../../shared/data/intel/marketcaps-coingecko-exports-rebalancer/usdt-usd-max.csv?raw';
import coinmetricsCsv from '../../../shared/data/intel/onchain-coinmetrics-btc-aps1052/coinmetrics_btc.csv?raw';
import fngCsv from '../../../shared/data/intel/sentiment-feargreed/fear_greed_index.csv?raw';
import bnbCsv from '../../../shared/data/prices/crypto-yahoo/BNB-USD.csv?raw';
import dogeCsv from '../../../shared/data/prices/crypto-yahoo/DOGE-USD.csv?raw';
import linkCsv from '../../../shared/data/prices/crypto-yahoo/LINK-USD.csv?raw';
import solCsv from '../../../shared/data/prices/crypto-yahoo/SOL-USD.csv?raw';
import usdtBarsCsv from '../../../shared/data/prices/crypto-yahoo/USDT-USD.csv?raw';
import xrpCsv from '../../../shared/data/prices/crypto-yahoo/XRP-USD.csv?raw';
import { ASSET_CATALOG, catalogAssetId } from '../../src/domains/assets/catalog';
import { parseHistory } from '../../src/domains/prices/history-csv';
import { upsertCandles } from '../../src/domains/prices/service';
import { writeIntel } from '../../src/ingestion/intel';
import { INTEL_FILES, type IntelRow, splitAtClock } from '../../src/ingestion/intel-files';
import { replayStart } from './intel';

/** Every shipped intel file the macro and sector layers read, by its INTEL_FILES path. */
const TEXT: Record<string, string> = {
  'dominance-coingecko-exports-hamzakiln/btc-usd-max.csv': btcCapsCsv,
  'dominance-coingecko-exports-hamzakiln/eth-usd-max.csv': ethCapsCsv,
  'marketcaps-coingecko-exports-rebalancer/usdt-usd-max.csv': usdtCsv,
  'marketcaps-coingecko-exports-rebalancer/usdc-usd-max.csv': usdcCsv,
  'dominance-coingecko-exports-hamzakiln/total_market_cap_coingecko__btc_dominance.csv': totalCsv,
  'dominance-cmc-monthly-smoothbrainquant/coinmarketcap_monthly_all_snapshots.csv': cmcCsv,
  'defillama-fred-lbma-financeterminal/sp500.csv': sp500Csv,
  'defillama-fred-lbma-financeterminal/nasdaq100.csv': ndxCsv,
  'defillama-fred-lbma-financeterminal/vix.csv': vixCsv,
  'defillama-fred-lbma-financeterminal/gold.csv': goldCsv,
  'defillama-fred-lbma-financeterminal/defi_tvl.csv': tvlCsv,
  'defillama-fred-lbma-financeterminal/stablecoin_supply.csv': stableCsv,
  'sentiment-feargreed/fear_greed_index.csv': fngCsv,
  'onchain-coinmetrics-btc-aps1052/coinmetrics_btc.csv': coinmetricsCsv,
  'derivatives-funding-daily-aps1052/binance_btcusdt_funding_daily.csv': fundingCsv,
  'derivatives-oi-coinalyze-smoothbrainquant/historical_open_interest_top10_since2020_20251026_040214.csv':
    oiCsv,
};

export function macroIntelRows(): IntelRow[] {
  return Object.entries(TEXT).flatMap(([path, text]) => {
    const file = INTEL_FILES.find((f) => f.path === path);
    if (!file) throw new Error(`${path} is not a seeded intel file`);
    return file.parse(text);
  });
}

/** Seeds every intel series the macro layer reads, as `npm start` does (served up to REPLAY_START, the rest stored). */
export async function seedMacroIntel(): Promise<void> {
  const split = splitAtClock(macroIntelRows(), replayStart());
  await writeIntel(env, split.served, 'served');
  await writeIntel(env, split.later, 'store');
}

const COINS: Record<string, string> = {
  SOL: solCsv,
  BNB: bnbCsv,
  DOGE: dogeCsv,
  LINK: linkCsv,
  USDT: usdtBarsCsv,
  XRP: xrpCsv,
};

/** Daily bars of more catalog coins (closed before REPLAY_START), so more sectors have members. */
export async function seedSectorCoins(): Promise<void> {
  const start = replayStart();
  for (const [symbol, text] of Object.entries(COINS)) {
    const entry = ASSET_CATALOG.find((a) => a.symbol === symbol);
    if (!entry?.history) throw new Error(`no catalog history for ${symbol}`);
    const id = catalogAssetId(symbol);
    await env.DB.prepare(
      'INSERT INTO assets (id, symbol, name, asset_type, external_ids) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    )
      .bind(id, symbol, entry.name, entry.type, '{}')
      .run();
    const candles = parseHistory(text, entry.history.format).candles.filter(
      (c) => c.openTime + 86_400_000 <= start,
    );
    await upsertCandles(env, id, '1d', candles.slice(-800), 'history');
  }
}
