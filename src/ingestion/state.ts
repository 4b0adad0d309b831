import { eq, sql } from 'drizzle-orm';
import { registerMemo } from '../core/isolate-memos';
import { db } from '../db/client';
import { marketState } from '../db/schema';

export async function getState(env: Env, key: string): Promise<string | null> {
  const row = await db(env)
    .select({ value: marketState.value })
    .from(marketState)
    .where(eq(marketState.key, key))
    .get();
  return row?.value ?? null;
}

/** Sets a value only if the key is new; returns the value now stored (ours or the earlier one). */
export async function initState(env: Env, key: string, value: string): Promise<string> {
  const d = db(env);
  await d.insert(marketState).values({ key, value, updatedAt: Date.now() }).onConflictDoNothing();
  return (await getState(env, key)) ?? value;
}

export async function setState(env: Env, key: string, value: string): Promise<void> {
  await db(env)
    .insert(marketState)
    .values({ key, value, updatedAt: Date.now() })
    .onConflictDoUpdate({
      target: marketState.key,
      set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
    });
}

/** Bumped whenever market data lands; cached public responses carry it in their cache key and ETag. */
export async function bumpDataVersion(env: Env): Promise<void> {
  await setState(env, 'data_version', String(Date.now()));
}

let cachedVersion: { value: string; readAt: number } | undefined;
registerMemo(() => forgetDataVersion());

/** The current data version, read from D1 at most every 5 seconds per isolate (or now, with `fresh`). */
export async function dataVersion(env: Env, fresh = false): Promise<string> {
  const now = Date.now();
  if (!fresh && cachedVersion && now - cachedVersion.readAt < 5000) return cachedVersion.value;
  const value = (await getState(env, 'data_version')) ?? '0';
  cachedVersion = { value, readAt: now };
  return value;
}

/** Forgets the isolate's cached version (tests, and right after this isolate bumped it). */
export function forgetDataVersion(): void {
  cachedVersion = undefined;
}
