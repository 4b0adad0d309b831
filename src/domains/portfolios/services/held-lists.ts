import { describeError, log } from '../../../core/logger';
import { ReadMemo } from '../../../core/read-memo';

/**
 * The portfolio list without D1 (issue 20). The user's object hands over, with the request's
 * `authorize`, a token that every write to the user's portfolios or their positions moves
 * (`forgetUserPortfolios`, after the write). A list read from D1 after that token was handed
 * out is kept in the isolate under it and served again while the object hands out the same
 * token: a write that raced the read moved it, so a raced read is never served twice.
 */

/** The list's paths: for a GET of these the auth middleware asks the user object for the token. */
export const PORTFOLIO_LIST_PATHS = new Set(['/api/v1/portfolios']);

/** A kept list is dropped after this long, bounding how stale a lost `forgetUserPortfolios` leaves it. */
const HELD_LIST_TTL_MS = 60_000;

interface Held {
  token: string;
  expires: number;
  /** By the list's query (filters and page). */
  lists: Map<string, unknown>;
}

/** Per user, the lists kept under one token; the users least recently kept are forgotten first. */
const listsByUser = new ReadMemo<Held>(500);

/** The list kept for this user, query and token, if it is still current. */
export function heldList<T>(userId: string, token: string, query: string): T | undefined {
  const held = listsByUser.get(userId, Date.now());
  return held?.token === token ? (held.lists.get(query) as T | undefined) : undefined;
}

/** Keeps a list read from D1 after `token` was handed out (the token from before the read). */
export function holdList<T>(userId: string, token: string, query: string, list: T): void {
  const now = Date.now();
  const current = listsByUser.get(userId, now);
  const held =
    current?.token === token
      ? current
      : { token, expires: now + HELD_LIST_TTL_MS, lists: new Map<string, unknown>() };
  held.lists.set(query, list);
  listsByUser.set(userId, held, held.expires);
}

/**
 * Call after a D1 write to one of the user's portfolios or positions (a creation, an edit, a
 * deletion, every ledger commit): kept lists stop being served. It never fails the write it
 * follows: if the object cannot be reached, this isolate forgets the user's lists and other
 * isolates' expire (`HELD_LIST_TTL_MS`).
 */
export async function forgetUserPortfolios(env: Env, userId: string): Promise<void> {
  listsByUser.delete(userId);
  try {
    await env.USER.getByName(userId).forgetPortfolios();
  } catch (err) {
    log('warn', 'portfolios.forget_failed', { user_id: userId, ...describeError(err) });
  }
}
