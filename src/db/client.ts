import { fillPlaceholders } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { PreparedQueryConfig, SQLitePreparedQuery } from 'drizzle-orm/sqlite-core';
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

/**
 * A query built and prepared once per D1 binding (drizzle's `.prepare()`, its arguments as
 * `sql.placeholder`s), for the hot paths: building a drizzle query costs a small read more of
 * the Worker's CPU than running it (`bench/profile.ts` on `/auth/me`).
 */
export function preparedOnce<T>(build: (d: Database) => T): (env: { DB: D1Database }) => T {
  const built = new WeakMap<D1Database, T>();
  return (env) => {
    let query = built.get(env.DB);
    if (query === undefined) {
      query = build(db(env));
      built.set(env.DB, query);
    }
    return query;
  };
}

type AllRows<Q> = Q extends SQLitePreparedQuery<infer C> ? C['all'] : never;

/**
 * Runs queries made by `preparedOnce` in one D1 batch (one round trip), each given the
 * placeholder values it names from `values`, and maps each result as drizzle's own batch does.
 */
export async function batchPrepared<const Q extends readonly SQLitePreparedQuery<PreparedQueryConfig>[]>(
  env: { DB: D1Database },
  queries: Q,
  values: Record<string, unknown>,
): Promise<{ -readonly [K in keyof Q]: AllRows<Q[K]> }> {
  const statements = queries.map((q) => {
    const { sql, params } = q.getQuery();
    return env.DB.prepare(sql).bind(...fillPlaceholders(params, values));
  });
  const results = await env.DB.batch(statements);
  // A D1 prepared query maps a batch's result (`mapAllResult(result, true)`): public on D1PreparedQuery.
  return queries.map((q, i) =>
    (q as unknown as { mapAllResult(rows: unknown, isFromBatch: boolean): unknown }).mapAllResult(
      results[i],
      true,
    ),
  ) as { -readonly [K in keyof Q]: AllRows<Q[K]> };
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
