import { env } from 'cloudflare:workers';
import sp500Csv from '../../../shared/data/intel/defillama-fred-lbma-financeterminal/sp500.csv?raw';
import cmcCsv from '../../../shared/data/intel/dominance-cmc-monthly-smoothbrainquant/coinmarketcap_monthly_all_snapshots.csv?raw';
import btcCapsCsv from '../../../shared/data/intel/dominance-coingecko-exports-hamzakiln/btc-usd-max.csv?raw';
import { config } from '../../src/core/config';
import { writeIntel } from '../../src/ingestion/intel';
import { INTEL_FILES, type IntelRow, splitAtClock } from '../../src/ingestion/intel-files';

/** The real shipped intel files (read in place from ../shared/data/intel) tests load, by path. */
export const INTEL_TEXT: Record<string, string> = {
  'dominance-cmc-monthly-smoothbrainquant/coinmarketcap_monthly_all_snapshots.csv': cmcCsv,
  'dominance-coingecko-exports-hamzakiln/btc-usd-max.csv': btcCapsCsv,
  'defillama-fred-lbma-financeterminal/sp500.csv': sp500Csv,
};

/** The rows of those files, parsed by the same readers the seed uses. */
export function intelRows(): IntelRow[] {
  return Object.entries(INTEL_TEXT).flatMap(([path, text]) => {
    const file = INTEL_FILES.find((f) => f.path === path);
    if (!file) throw new Error(`${path} is not a seeded intel file`);
    return file.parse(text);
  });
}

/** REPLAY_START of this test run's vars, epoch ms: where the seed cuts served from stored rows. */
export const replayStart = () => Date.parse(`${config(env).REPLAY_START}T00:00:00Z`);

/**
 * Seeds intel as `npm start` does under replay: rows up to REPLAY_START into the served tables,
 * later ones into the replay store, through the production write path.
 */
export async function seedIntel(): Promise<{ served: IntelRow[]; later: IntelRow[] }> {
  const split = splitAtClock(intelRows(), replayStart());
  await writeIntel(env, split.served, 'served');
  await writeIntel(env, split.later, 'store');
  return split;
}
