import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ASSET_CATALOG, catalogAssetId, type HistoryFile } from '../../src/domains/assets/catalog';
import { parseHistory } from '../../src/domains/prices/history-csv';
import { aggregate } from '../../src/domains/prices/timeframes';
import type { Candle } from '../../src/providers/types';
import { literal, upsertStatements } from '../lib/sql';
import { seedCutoff } from '../lib/vars';
import type { Seeder } from './index';

/** The shipped data, read in place: ../shared/data beside the project, or MERIDIAN_DATA_DIR. */
export const DATA_DIR = resolve(process.env.MERIDIAN_DATA_DIR ?? join(process.cwd(), '..', 'shared', 'data'));

const fileOf = (h: HistoryFile) => join(DATA_DIR, h.root ?? 'prices', h.path);

function historyOf(h: HistoryFile) {
  return parseHistory(readFileSync(fileOf(h), 'utf8'), h.format, { until: h.until });
}

/** The asset catalog and its splits: reference data. */
export const assetsSeeder: Seeder = {
  name: 'assets',
  rows: () => ASSET_CATALOG.length,
  statements: () => [
    ...upsertStatements(
      'assets',
      ASSET_CATALOG.map((a) => ({
        id: catalogAssetId(a.symbol),
        symbol: a.symbol,
        name: a.name,
        asset_type: a.type,
        sector_id: a.sector ?? null,
        quote_currency: 'USD',
        external_ids: JSON.stringify(a.externalIds),
        is_active: 1,
        is_supported: 1,
      })),
      ['id'],
    ),
    ...upsertStatements(
      'corporate_actions',
      ASSET_CATALOG.flatMap((a) =>
        (a.splits ?? []).map((s) => ({
          id: `ca_${a.symbol.toLowerCase()}_split_${s.exDate.replaceAll('-', '')}`,
          asset_id: catalogAssetId(a.symbol),
          action_type: 'split',
          ex_date: s.exDate,
          ratio: s.ratio,
          source: 'data-readme',
        })),
      ),
      ['id'],
    ),
  ],
};

const DAY = 86_400_000;

/** A candle's columns, as every table of candles names them. */
const ohlcv = (c: Candle) => ({
  open_time: c.openTime,
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
  volume: c.volume,
});

/**
 * Daily candles of every catalog asset with shipped history, and a quote from each last
 * close. One seeder per asset, so a changed file reloads only that asset.
 *
 * Under replay the served tables get only the days that closed before the replay starts;
 * later days go to `replay_candles`, which the replay ingests as the market clock reaches
 * each close (so the database never holds a row from the clock's future). Re-seeding an
 * older database also removes served daily and weekly rows the replay has not reached.
 */
export const priceSeeders: Seeder[] = ASSET_CATALOG.filter((a) => a.history).map((asset) => {
  const history = asset.history;
  if (!history) throw new Error('unreachable');
  let cached: ReturnType<typeof historyOf> | undefined;
  const load = () => {
    cached ??= historyOf(history);
    return cached;
  };
  // The file's content decides whether the seed reruns: hashing 8 MB is far cheaper than
  // generating and comparing the SQL.
  const fileStamp = () =>
    createHash('sha256')
      .update(`v3:${cutoff}:${history.path}:${history.until ?? ''}:`)
      .update(readFileSync(fileOf(history)))
      .digest('hex');
  const cutoff = seedCutoff();
  return {
    name: `prices:${asset.symbol}`,
    rows: () => load().candles.length,
    version: fileStamp,
    statements: () => {
      const id = catalogAssetId(asset.symbol);
      const now = Date.now();
      const all = load().candles;
      const candles = all.filter((c) => c.openTime + DAY <= cutoff);
      const future = all.filter((c) => c.openTime + DAY > cutoff);
      const rows = candles.map((c) => ({
        asset_id: id,
        timeframe: '1d',
        ...ohlcv(c),
        source: 'history',
        updated_at: now,
      }));
      const replayStore = future.map((c) => ({ asset_id: id, ...ohlcv(c) }));
      const lastDay = all.at(-1);
      const replay = Number.isFinite(cutoff)
        ? [
            // Served rows the replay has not reached (an older seed wrote the whole history).
            `DELETE FROM price_data WHERE asset_id = ${literal(id)} AND timeframe IN ('1d', '1w') AND open_time >= coalesce((SELECT CAST(value AS INTEGER) FROM market_state WHERE key = 'replay.daily_until'), ${cutoff});`,
            ...upsertStatements('replay_candles', replayStore, ['asset_id', 'open_time']),
            // The clock holds at the close of the last shipped day of any asset.
            ...(lastDay
              ? [
                  `INSERT INTO market_state (key, value, updated_at) VALUES ('replay.history_end', '${lastDay.openTime + DAY}', ${now}) ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(market_state.value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT), updated_at = excluded.updated_at;`,
                ]
              : []),
          ]
        : [];
      const last = candles.at(-1);
      const prev = candles.at(-2);
      const quote = last
        ? upsertStatements(
            'quotes',
            [
              {
                asset_id: id,
                price: last.close,
                open_24h: last.open,
                high_24h: last.high,
                low_24h: last.low,
                change_24h: prev ? last.close - prev.close : null,
                change_pct_24h:
                  prev && prev.close !== 0 ? ((last.close - prev.close) / prev.close) * 100 : null,
                volume_24h: last.volume,
                market_cap: null,
                source: 'history',
                as_of: last.openTime,
              },
            ],
            ['asset_id'],
          )
        : [];
      // Weekly candles rolled up from the daily ones, by the same function the Worker uses.
      const weekly = aggregate(candles, '1w').map((c) => ({
        asset_id: id,
        timeframe: '1w',
        ...ohlcv(c),
        source: 'rollup',
        updated_at: now,
      }));
      return [
        ...replay,
        ...upsertStatements('price_data', [...rows, ...weekly], ['asset_id', 'timeframe', 'open_time']),
        ...quote,
      ];
    },
  };
});
