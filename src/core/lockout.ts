/**
 * The account lockout policy, shared by sign-in, password change and two-factor disable
 * (every check of a user's password or TOTP code), and enforced in the user's Durable Object.
 */

/** Consecutive failures before the account locks; each further failure doubles the lock. */
export const LOCK_AFTER_FAILURES = 5;
/** The longest lock: a day. */
export const MAX_LOCK_MINUTES = 24 * 60;
/**
 * A reserved check not settled within this long is taken to have died with its request
 * (a PBKDF2 check takes well under a second); its slot is freed, not counted.
 */
export const GUESS_SLOT_TTL_MS = 30_000;

/** What a check came to: a wrong secret counts; a right one clears the count; `void` neither. */
export type GuessOutcome = 'failure' | 'success' | 'void';

export interface LockState {
  /** Consecutive failures so far. */
  failed: number;
  /** Epoch ms until which no check is evaluated, or null. */
  lockedUntil: number | null;
}

export type GuessSlot =
  | { status: 'ok'; ticket: string }
  /** Locked, or as many checks already in flight as failures remain before the lock. */
  | { status: 'locked' | 'busy'; retryAfterSeconds: number };

/** The lock a failure count earns: 1 minute at the fifth failure, doubling after, capped at a day. */
export function lockMinutes(failed: number): number {
  if (failed < LOCK_AFTER_FAILURES) return 0;
  return Math.min(MAX_LOCK_MINUTES, 2 ** Math.min(20, failed - LOCK_AFTER_FAILURES));
}

/**
 * How many checks may be in flight at once: the failures left before the lock, so that even
 * if every one of them fails, no more than `LOCK_AFTER_FAILURES` are evaluated; one at a
 * time once the account has reached the lock (each further failure locks it again).
 */
export function slotsFor(failed: number): number {
  return Math.max(1, LOCK_AFTER_FAILURES - failed);
}
