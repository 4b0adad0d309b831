import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSET_CATALOG } from '../../src/domains/assets/catalog';
import { ingestIntelUntil } from '../../src/ingestion/intel';
import { INTEL_TEXT, replayStart, seedIntel } from '../helpers/intel';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

async function count(sql: string, ...binds: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const served = () =>
  Promise.all([
    count('SELECT count(*) AS n FROM asset_metrics'),
    count('SELECT count(*) AS n FROM market_indicators'),
  ]);

/** Dated rows of a shipped CSV in (from, to], read here without the seed's parsers. */
function rowsBetween(
  csv: string,
  from: number,
  to: number,
  dateOf: (cols: string[]) => string,
  keep = (_: string[]) => true,
) {
  return csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => {
      const t = Date.parse(`${dateOf(c)}T00:00:00Z`);
      return t > from && t <= to && keep(c);
    }).length;
}

describe('ingestIntelUntil', () => {
  let start: number;
  beforeAll(async () => {
    start = replayStart();
    await seedIntel();
  }, 120_000);

  it('seeds the served tables only up to the replay start; later rows wait in the store', async () => {
    expect(await count('SELECT count(*) AS n FROM asset_metrics WHERE time > ?', start)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM market_indicators WHERE time > ?', start)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM intel_replay_store WHERE time <= ?', start)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM intel_replay_store')).toBeGreaterThan(0);
  });

  it('moves exactly the rows up to t, and a second call changes nothing', async () => {
    const t = day('2024-03-01');
    const sp500 = rowsBetween(
      INTEL_TEXT['defillama-fred-lbma-financeterminal/sp500.csv'] ?? '',
      start,
      t,
      (c) => c[0] ?? '',
    );
    const btcCaps = rowsBetween(
      INTEL_TEXT['dominance-coingecko-exports-hamzakiln/btc-usd-max.csv'] ?? '',
      start,
      t,
      (c) => (c[0] ?? '').slice(0, 10),
      (c) => Number(c[2]) > 0,
    );
    // CMC monthly snapshots 2024-02-01 and 2024-03-01 of the catalog's coins held in the file.
    const cmcText =
      INTEL_TEXT['dominance-cmc-monthly-smoothbrainquant/coinmarketcap_monthly_all_snapshots.csv'] ?? '';
    const cmcSymbols = new Set(
      ASSET_CATALOG.filter((a) => a.type === 'crypto' || a.type === 'stablecoin').map((a) => a.symbol),
    );
    const cmc = rowsBetween(
      cmcText,
      start,
      t,
      (c) => {
        const d = c[10]?.trim() ?? '';
        return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
      },
      (c) => cmcSymbols.has(c[2] ?? ''),
    );
    expect(sp500).toBeGreaterThan(30);
    expect(btcCaps).toBeGreaterThan(50);
    expect(cmc).toBeGreaterThan(20);

    const version = () =>
      env.DB.prepare("SELECT value FROM market_state WHERE key = 'data_version'").first<{ value: string }>();
    const versionBefore = await version();
    const [metricsBefore, indicatorsBefore] = await served();
    const moved = await ingestIntelUntil(env, t);
    const versionAfter = await version();
    expect(versionAfter?.value).not.toBe(versionBefore?.value);
    expect(moved).toEqual({ asset_metrics: btcCaps + cmc, market_indicators: sp500 });
    const [metricsAfter, indicatorsAfter] = await served();
    expect(metricsAfter - metricsBefore).toBe(btcCaps + cmc);
    expect(indicatorsAfter - indicatorsBefore).toBe(sp500);
    expect(await count('SELECT count(*) AS n FROM intel_replay_store WHERE time <= ?', t)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM asset_metrics WHERE time > ?', t)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM market_indicators WHERE time > ?', t)).toBe(0);

    const storeBefore = await count('SELECT count(*) AS n FROM intel_replay_store');
    expect(await ingestIntelUntil(env, t)).toEqual({ asset_metrics: 0, market_indicators: 0 });
    expect(await served()).toEqual([metricsAfter, indicatorsAfter]);
    expect(await count('SELECT count(*) AS n FROM intel_replay_store')).toBe(storeBefore);
    expect((await version())?.value).toBe(versionAfter?.value);
  });
});
