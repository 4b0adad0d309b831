import { createHash } from 'node:crypto';
import { literal } from './lib/sql';
import { d1ExecuteSql, d1Query, type PersistTo, type Target } from './lib/wrangler';
import { SEEDERS } from './seeders';

/**
 * Loads every seeder whose content differs from what the database last loaded (recorded in
 * `seed_runs`), all in one `wrangler d1 execute`, so a second run costs one query.
 * `--force` reloads everything.
 */
export function seed(
  target: Target = '--local',
  force = false,
  persistTo?: PersistTo,
): { loaded: number; rows: number; ms: number } {
  const started = performance.now();
  const done = new Map(
    d1Query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM seed_runs',
      target,
      persistTo,
    ).map((r) => [r.name, r.checksum]),
  );
  const sql: string[] = [];
  const loaded: string[] = [];
  let rows = 0;
  for (const seeder of SEEDERS) {
    const statements = seeder.version ? null : seeder.statements();
    const checksum = seeder.version
      ? seeder.version()
      : createHash('sha256')
          .update((statements ?? []).join('\n'))
          .digest('hex');
    if (!force && done.get(seeder.name) === checksum) continue;
    sql.push(...(statements ?? seeder.statements()));
    sql.push(
      `INSERT INTO seed_runs (name, checksum, rows, applied_at) VALUES (${literal(seeder.name)}, ${literal(checksum)}, ${seeder.rows()}, ${literal(
        new Date().toISOString(),
      )}) ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, rows = excluded.rows, applied_at = excluded.applied_at;`,
    );
    loaded.push(seeder.name);
    rows += seeder.rows();
  }
  if (!sql.length) {
    const ms = Math.round(performance.now() - started);
    console.log(`seed: all ${SEEDERS.length} sets up to date (${ms} ms)`);
    return { loaded: 0, rows: 0, ms };
  }
  const generated = performance.now();
  d1ExecuteSql(sql.join('\n'), target, persistTo);
  console.log(
    `seed: loaded ${loaded.length} sets, ${rows} rows in ${Math.round(performance.now() - started)} ms ` +
      `(${Math.round(generated - started)} ms generating SQL)`,
  );
  return { loaded: loaded.length, rows, ms: Math.round(performance.now() - started) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target: Target = process.argv.includes('--remote') ? '--remote' : '--local';
  seed(target, process.argv.includes('--force'));
}
