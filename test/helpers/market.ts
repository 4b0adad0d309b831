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
import { forgetMarketClock } from '../../src/core/market-clock';
import { ASSET_CATALOG, catalogAssetId } from '../../src/domains/assets/catalog';
import { parseHistory } from '../../src/domains/prices/history-csv';
import { upsertCandles, upsertQuotes } from '../../src/domains/prices/service';
import type { Candle } from '../../src/providers/types';

/** The replay's start in tests (wrangler.toml's REPLAY_START): the market clock's first moment. */
export const REPLAY_START = Date.parse(`${env.REPLAY_START}T00:00:00Z`);

/** Days after the replay start go to the replay store, and the clock may run to their end. */
async function storeForReplay(assetId: string, candles: Candle[]): Promise<void> {
  const statements = [];
  for (let i = 0; i < candles.length; i += 14) {
    const chunk = candles.slice(i, i + 14);
    statements.push(
      env.DB.prepare(
        `INSERT OR REPLACE INTO replay_candles (asset_id, open_time, open, high, low, close, volume) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      ).bind(...chunk.flatMap((c) => [assetId, c.openTime, c.open, c.high, c.low, c.close, c.volume])),
    );
  }
  const last = candles.at(-1);
  if (last)
    statements.push(
      env.DB.prepare(
        `INSERT INTO market_state (key, value, updated_at) VALUES ('replay.history_end', ?, 0)
         ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(market_state.value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)`,
      ).bind(String(last.openTime + DAY)),
    );
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
  forgetMarketClock();
}

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

const DAY = 86_400_000;

/**
 * Loads catalog assets and their real daily history into this test file's D1 as `npm start`
 * does: the days that closed before the replay starts (REPLAY_START, 2024-01-01) through the
 * production write path (upserts in batches, a quote from the last close), the later days into
 * the replay store, which replay ticks ingest as the market clock reaches them.
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
    const all = parseHistory(text, entry.history.format).candles;
    const candles = all.filter((c) => c.openTime + DAY <= REPLAY_START);
    await upsertCandles(env, id, '1d', candles, 'history');
    await storeForReplay(
      id,
      all.filter((c) => c.openTime + DAY > REPLAY_START),
    );
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

/**
 * Sets the replay's market clock to `iso` now, by anchoring its start in the past: routes and
 * replay ticks that read the clock at the real now then agree on it. It keeps running at
 * REPLAY_SPEED (60x), so a test has a market hour per real minute before `iso` moves on.
 */
export async function setMarketClock(iso: string): Promise<void> {
  const speed = Number(env.REPLAY_SPEED);
  const anchor = Date.now() - (Date.parse(iso) - REPLAY_START) / speed;
  await env.DB.prepare(
    `INSERT INTO market_state (key, value, updated_at) VALUES ('replay.anchor_real', ?, 0)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  )
    .bind(String(anchor))
    .run();
  forgetMarketClock();
}
