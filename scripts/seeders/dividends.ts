import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogAssetId } from '../../src/domains/assets/catalog';
import { DIVIDEND_FILES, dividendsFromFile } from '../../src/domains/prices/dividend-files';
import { literal, upsertStatements } from '../lib/sql';
import { seedCutoff } from '../lib/vars';
import type { Seeder } from './index';
import { DATA_DIR } from './prices';

/**
 * Cash dividends derived from the shipped price files (src/domains/prices/dividend-files.ts),
 * one seeder per file. Under replay, ex-dates at or before the replay start go to
 * `dividend_events`; later ones wait in `dividend_replay_store` until the market clock reaches
 * them (`ingestDividendsUntil`), as daily candles wait in `replay_candles`.
 */
export const dividendSeeders: Seeder[] = DIVIDEND_FILES.map((file) => {
  const cutoff = seedCutoff();
  const text = () => readFileSync(join(DATA_DIR, file.path), 'utf8');
  let cached: ReturnType<typeof dividendsFromFile> | undefined;
  const load = () => {
    cached ??= dividendsFromFile(file, text());
    return cached;
  };
  return {
    name: `dividends:${file.symbol}`,
    rows: () => load().events.length,
    version: () =>
      createHash('sha256')
        .update(`v1:${cutoff}:${file.path}:${file.until ?? ''}:`)
        .update(text())
        .digest('hex'),
    statements: () => {
      const id = catalogAssetId(file.symbol);
      const d = load();
      const rows = d.events.map((e) => ({
        asset_id: id,
        ex_time: e.time,
        amount: e.amount,
        close_before: e.closeBefore,
        factor: e.factor,
        method: d.method,
        source: file.path,
      }));
      const replay = Number.isFinite(cutoff)
        ? [
            // Served rows the clock has not reached (an older seed, or a later REPLAY_START).
            `DELETE FROM dividend_events WHERE asset_id = ${literal(id)} AND ex_time > coalesce((SELECT CAST(value AS INTEGER) FROM market_state WHERE key = 'replay.daily_until'), ${cutoff});`,
            ...upsertStatements(
              'dividend_replay_store',
              rows.filter((r) => r.ex_time > cutoff),
              ['asset_id', 'ex_time'],
            ),
          ]
        : [];
      const source =
        d.firstTime == null || d.lastTime == null || d.firstFactor == null
          ? []
          : upsertStatements(
              'dividend_sources',
              [
                {
                  asset_id: id,
                  source: file.path,
                  method: d.method,
                  basis: d.basis,
                  first_time: d.firstTime,
                  last_time: d.lastTime,
                  first_factor: d.firstFactor,
                },
              ],
              ['asset_id'],
            );
      return [
        ...replay,
        ...upsertStatements(
          'dividend_events',
          rows.filter((r) => r.ex_time <= cutoff),
          ['asset_id', 'ex_time'],
        ),
        ...source,
      ];
    },
  };
});
