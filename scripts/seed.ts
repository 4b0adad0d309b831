import { createHash } from 'node:crypto';
import { literal } from './lib/sql';
import { d1ExecuteSql, d1Query, type Target } from './lib/wrangler';
import { SEEDERS } from './seeders';

/**
 * Loads every seeder whose content differs from what the database last loaded (recorded in
 * `seed_runs`), so a second run costs one query. `--force` reloads everything.
 */
export function seed(target: Target = '--local', force = false): void {
  const done = new Map(
    d1Query<{ name: string; checksum: string }>('SELECT name, checksum FROM seed_runs', target).map((r) => [
      r.name,
      r.checksum,
    ]),
  );
  for (const seeder of SEEDERS) {
    const started = performance.now();
    const statements = seeder.statements();
    const checksum = createHash('sha256').update(statements.join('\n')).digest('hex');
    if (!force && done.get(seeder.name) === checksum) {
      console.log(`seed: ${seeder.name} is up to date`);
      continue;
    }
    const record = `INSERT INTO seed_runs (name, checksum, rows, applied_at) VALUES (${literal(seeder.name)}, ${literal(
      checksum,
    )}, ${seeder.rows()}, ${literal(new Date().toISOString())}) ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, rows = excluded.rows, applied_at = excluded.applied_at;`;
    d1ExecuteSql([...statements, record].join('\n'), target);
    console.log(
      `seed: ${seeder.name} loaded ${seeder.rows()} rows in ${Math.round(performance.now() - started)} ms`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target: Target = process.argv.includes('--remote') ? '--remote' : '--local';
  seed(target, process.argv.includes('--force'));
}
