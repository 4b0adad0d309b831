import { env } from 'cloudflare:workers';
import spyChenc from '../../../shared/data/factors/etf-yahoo-chenc319/SPY.csv?raw';
import vymChenc from '../../../shared/data/factors/etf-yahoo-chenc319/VYM.csv?raw';
import aggYahoo from '../../../shared/data/prices/crypto-yahoo/AGG.csv?raw';
import { catalogAssetId } from '../../src/domains/assets/catalog';
import { DIVIDEND_FILES, dividendsFromFile } from '../../src/domains/prices/dividend-files';
import { REPLAY_START } from './market';

/** The shipped dividend files the tests load, by symbol (read in place from ../shared/data). */
export const DIVIDEND_TEXT: Record<string, string> = { SPY: spyChenc, VYM: vymChenc, AGG: aggYahoo };

/**
 * Loads one asset's dividends as `npm run seed` does (scripts/seeders/dividends.ts): ex-dates at or
 * before the replay start into `dividend_events`, later ones into `dividend_replay_store`, and
 * the source's span into `dividend_sources`.
 */
export async function seedDividends(symbols: string[]): Promise<void> {
  for (const symbol of symbols) {
    const file = DIVIDEND_FILES.find((f) => f.symbol === symbol);
    const text = DIVIDEND_TEXT[symbol];
    if (!file || !text) throw new Error(`no dividend file for ${symbol}`);
    const d = dividendsFromFile(file, text);
    const id = catalogAssetId(symbol);
    const insert = (table: string, e: (typeof d.events)[number]) =>
      env.DB.prepare(
        `INSERT OR REPLACE INTO ${table} (asset_id, ex_time, amount, close_before, factor, method, source) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).bind(id, e.time, e.amount, e.closeBefore, e.factor, d.method, file.path);
    const statements = d.events.map((e) =>
      insert(e.time <= REPLAY_START ? 'dividend_events' : 'dividend_replay_store', e),
    );
    statements.push(
      env.DB.prepare(
        'INSERT OR REPLACE INTO dividend_sources (asset_id, source, method, basis, first_time, last_time, first_factor) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).bind(id, file.path, d.method, d.basis, d.firstTime, d.lastTime, d.firstFactor),
    );
    for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
  }
}
