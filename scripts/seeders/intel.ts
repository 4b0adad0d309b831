import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTEL_FILES, type IntelRow, splitAtClock } from '../../src/ingestion/intel-files';
import { upsertStatements } from '../lib/sql';
import type { Seeder } from './index';
import { DATA_DIR } from './prices';

/** A `[vars]` value of wrangler.toml (the same file the Worker is configured from). */
export function wranglerVar(name: string, fallback: string, path = 'wrangler.toml'): string {
  const match = new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm').exec(readFileSync(path, 'utf8'));
  return match?.[1] ?? fallback;
}

/**
 * Where the seed cuts the shipped intel: under replay, rows up to REPLAY_START are served and
 * later ones wait in the replay store for `ingestIntelUntil`; live, everything is served.
 */
export function intelCutoff(): number {
  if (wranglerVar('MARKET_DATA_MODE', 'replay') === 'live') return Number.POSITIVE_INFINITY;
  return Date.parse(`${wranglerVar('REPLAY_START', '2024-01-01')}T00:00:00Z`);
}

const read = (path: string) => readFileSync(join(DATA_DIR, 'intel', path), 'utf8');

function servedRows(rows: IntelRow[]) {
  const metrics = rows
    .filter((r) => r.target === 'asset_metrics')
    .map((r) => ({ asset_id: r.assetId, metric: r.series, time: r.time, value: r.value, source: r.source }));
  const indicators = rows
    .filter((r) => r.target === 'market_indicators')
    .map((r) => ({ series: r.series, time: r.time, value: r.value, label: r.label, source: r.source }));
  return [
    ...upsertStatements('asset_metrics', metrics, ['asset_id', 'metric', 'time']),
    ...upsertStatements('market_indicators', indicators, ['series', 'time']),
  ];
}

function storeRows(rows: IntelRow[]) {
  return upsertStatements(
    'intel_replay_store',
    rows.map((r) => ({
      target: r.target,
      series: r.series,
      asset_id: r.assetId,
      time: r.time,
      value: r.value,
      label: r.label,
      source: r.source,
    })),
    ['target', 'series', 'asset_id', 'time'],
  );
}

/**
 * Market caps, circulating supply, total crypto market cap, index levels (S&P 500, Nasdaq 100,
 * VIX, LBMA gold) and DeFi totals from ../shared/data/intel, one seeder per file so a changed
 * file reloads only itself. Rows past the replay start go to the replay store, never to a
 * table the API reads.
 */
export const intelSeeders: Seeder[] = INTEL_FILES.map((file) => {
  let cached: IntelRow[] | undefined;
  const load = () => {
    cached ??= file.parse(read(file.path));
    return cached;
  };
  return {
    name: `intel:${file.path}`,
    rows: () => load().length,
    version: () =>
      createHash('sha256')
        .update(`v1:${file.path}:${intelCutoff()}:`)
        .update(readFileSync(join(DATA_DIR, 'intel', file.path)))
        .digest('hex'),
    statements: () => {
      const { served, later } = splitAtClock(load(), intelCutoff());
      return [...servedRows(served), ...storeRows(later)];
    },
  };
});
