import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Database = ReturnType<typeof db>;

/** The drizzle client over D1. Cheap to create: one per request or job. */
export function db(env: { DB: D1Database }) {
  return drizzle(env.DB, { schema });
}

/** D1 allows 100 bound parameters per statement; bulk writes are split to stay under it. */
export const D1_MAX_PARAMS = 100;

/** Splits `rows` into chunks that each bind at most `D1_MAX_PARAMS` parameters. */
export function chunkForParams<T>(rows: readonly T[], paramsPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(D1_MAX_PARAMS / paramsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
