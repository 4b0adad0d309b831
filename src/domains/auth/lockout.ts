import { ApiError } from '../../core/errors';
import type { GuessOutcome, LockState } from '../../core/lockout';
import type { users } from '../../db/schema';

type UserRow = typeof users.$inferSelect;

export type Checked<T> = { status: 'checked'; verdict: T; state: LockState };
export type Refused = { status: 'locked' | 'busy'; retryAfterSeconds: number };

/**
 * Runs one check of the user's password or TOTP code under the account's lockout (sign-in,
 * password change, two-factor disable share it). The user's Durable Object reserves the
 * check first and records its outcome after, so parallel guesses are counted as they are
 * evaluated and at most the failures left before the lock are. `check` says what the check came
 * to (`outcome`) and whatever else its caller needs. Refused checks never run `check`. If `check` throws, the check counts as neither failure nor success.
 */
export async function underLockout<T extends { outcome: GuessOutcome }>(
  env: Env,
  user: UserRow,
  check: () => Promise<T>,
): Promise<Checked<T> | Refused> {
  const stub = env.USER.getByName(user.id);
  const slot = await stub.reserveGuess({
    failed: user.failedLoginCount,
    lockedUntil: user.lockedUntil ? Date.parse(user.lockedUntil) : null,
  });
  if (slot.status !== 'ok') return { status: slot.status, retryAfterSeconds: slot.retryAfterSeconds };
  let verdict: T;
  try {
    verdict = await check();
  } catch (err) {
    // Settled even when the check throws, so its slot is not held until it goes stale.
    await stub.settleGuess(user.id, slot.ticket, 'void');
    throw err;
  }
  const state = await stub.settleGuess(user.id, slot.ticket, verdict.outcome);
  return { status: 'checked', verdict, state };
}

/** The refusal for a signed-in caller (no enumeration to hide): 403 ACCOUNT_LOCKED with Retry-After. */
export function lockedError(refused: Refused): ApiError {
  return new ApiError(
    'ACCOUNT_LOCKED',
    refused.status === 'locked'
      ? 'Too many failed password or two-factor checks: the account is locked for now'
      : 'Another password check for this account is in progress',
    {
      headers: { 'Retry-After': String(refused.retryAfterSeconds) },
      details: { retry_after_seconds: refused.retryAfterSeconds },
    },
  );
}
