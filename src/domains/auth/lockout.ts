import type { RequestFacts } from '../../core/client';
import { ApiError, type ErrorCode } from '../../core/errors';
import { type GuessOutcome, LOCK_AFTER_FAILURES, type LockState } from '../../core/lockout';
import { db } from '../../db/client';
import type { users } from '../../db/schema';
import { activity } from '../audit/service';

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

/**
 * A signed-in caller's password or TOTP check (password change, two-factor disable): refused
 * while locked (403), and a failure is recorded as `login_failed` with `reason` and answered
 * with `code`, saying how many failures are left before the lock.
 */
export async function checkSignedIn(
  env: Env,
  user: UserRow,
  check: () => Promise<boolean>,
  failure: {
    sessionId: string | null;
    facts: RequestFacts;
    reason: string;
    code: ErrorCode;
    message: string;
  },
): Promise<void> {
  const checked = await underLockout(env, user, async () => ({
    outcome: (await check()) ? ('success' as const) : ('failure' as const),
  }));
  if (checked.status !== 'checked') throw lockedError(checked);
  if (checked.verdict.outcome === 'success') return;
  const d = db(env);
  await d.batch([
    activity(d, {
      userId: user.id,
      action: 'login_failed',
      facts: failure.facts,
      sessionId: failure.sessionId,
      details: { reason: failure.reason },
    }),
  ]);
  throw new ApiError(failure.code, failure.message, {
    details: { attempts_before_lock: Math.max(0, LOCK_AFTER_FAILURES - checked.state.failed) },
  });
}
