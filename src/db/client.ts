import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Database = ReturnType<typeof db>;

const instances = new WeakMap<D1Database, ReturnType<typeof drizzle<typeof schema>>>();

/**
 * The drizzle database over `env.DB`, one per binding: building one reads the relational
 * config of every table in the schema, which per call cost each request ~0.7 ms of CPU.
 */
export function db(env: { DB: D1Database }) {
  let instance = instances.get(env.DB);
  if (!instance) {
    instance = drizzle(env.DB, { schema });
    instances.set(env.DB, instance);
  }
  return instance;
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
