import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRENCH_FROM, FRENCH_VINTAGES, joinFrench, parseFrench } from '../../src/domains/risk/french';
import { upsertStatements } from '../lib/sql';
import type { Seeder } from './index';
import { DATA_DIR } from './prices';

/**
 * Kenneth French daily factors (FF3, FF5, momentum), one seeder per vintage, from 2005 on, in
 * decimals. The API reads them only up to the market clock's day.
 */
export const factorSeeders: Seeder[] = FRENCH_VINTAGES.map((v) => {
  const read = (file: string) => readFileSync(join(DATA_DIR, 'factors', v.folder, file), 'utf8');
  let cached: ReturnType<typeof joinFrench> | undefined;
  const load = () => {
    cached ??= joinFrench(
      parseFrench(read(v.ff3)),
      parseFrench(read(v.ff5)),
      parseFrench(read(v.mom)),
      FRENCH_FROM,
    );
    return cached;
  };
  return {
    name: `factors:french-${v.vintage}`,
    rows: () => load().length,
    version: () =>
      createHash('sha256')
        .update(`v1:${v.vintage}:${FRENCH_FROM}:`)
        .update(read(v.ff3))
        .update(read(v.ff5))
        .update(read(v.mom))
        .digest('hex'),
    statements: () =>
      upsertStatements(
        'factor_returns',
        load().map((r) => ({ vintage: v.vintage, ...r })),
        ['vintage', 'time'],
      ),
  };
});
