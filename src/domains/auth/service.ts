import { eq, sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import type { UserCard, UserProfile } from '../../../durable/user';
import type { RequestFacts } from '../../core/client';
import { decryptString, encryptString, randomToken, sha256Hex } from '../../core/crypto';
import { ApiError, assert } from '../../core/errors';
import { newId } from '../../core/ids';
import { type GuessOutcome, LOCK_AFTER_FAILURES } from '../../core/lockout';
import { decoyHash, hashPassword, needsRehash, normalizeEmail, verifyPassword } from '../../core/passwords';
import { permissionsFor } from '../../core/permissions';
import { signAccessToken } from '../../core/tokens';
import { batchPrepared, db, preparedOnce } from '../../db/client';
import { portfolios, users } from '../../db/schema';
import { config, type Principal } from '../../env';
import { activity } from '../audit/service';
import {
  defaultPortfolio,
  defaultPortfolioOf,
  findDefaultPortfolio,
} from '../portfolios/services/portfolios';
import { forgetUserCard } from './card';
import { checkSignedIn, underLockout } from './lockout';

export type UserRow = typeof users.$inferSelect;

export interface AuthResult {
  user: UserRow;
  accessToken: string;
  refreshToken?: string;
  sessionId: string;
  expiresIn: number;
  refreshExpiresIn?: number;
}

function profileOf(user: UserRow): UserProfile {
  return { userId: user.id, email: user.email, role: user.role, tier: user.tier, status: user.status };
}

/** Refresh tokens are opaque to clients; inside they name their session and user, so the right object is asked. */
function parseRefreshToken(token: string): { sessionId: string; userId: string } | null {
  const [version, sessionId, userId, secret] = token.split('.');
  if (version !== 'rt1' || !sessionId?.startsWith('ses_') || !userId?.startsWith('usr_') || !secret)
    return null;
  return { sessionId, userId };
}

async function accessTokenFor(env: Env, user: UserRow, sessionId: string): Promise<string> {
  return signAccessToken(env, {
    user_id: user.id,
    email: user.email,
    role: user.role,
    tier: user.tier,
    permissions: permissionsFor(user.role),
    sid: sessionId,
  });
}

/** Opens a session in the user's object and issues its first access and refresh tokens. */
async function startSession(env: Env, user: UserRow, facts: RequestFacts): Promise<AuthResult> {
  const cfg = config(env);
  const sessionId = newId('session');
  const refreshToken = `rt1.${sessionId}.${user.id}.${randomToken(32)}`;
  await env.USER.getByName(user.id).createSession({
    sessionId,
    profile: profileOf(user),
    refreshHash: await sha256Hex(refreshToken),
    userAgent: facts.userAgent,
    ipAddress: facts.ipAddress,
    country: facts.country,
    expiresAtMs: Date.now() + cfg.REFRESH_TOKEN_TTL_SECONDS * 1000,
  });
  return {
    user,
    accessToken: await accessTokenFor(env, user, sessionId),
    refreshToken,
    sessionId,
    expiresIn: cfg.ACCESS_TOKEN_TTL_SECONDS,
    refreshExpiresIn: cfg.REFRESH_TOKEN_TTL_SECONDS,
  };
}

/** The user's default portfolio id (004's `portfolio_id`), or null before one exists. */
export async function defaultPortfolioId(env: Env, userId: string): Promise<string | null> {
  return (await findDefaultPortfolio(env, userId))?.id ?? null;
}

/** `/auth/me`'s reads: the user's row and their live default portfolio's id. */
const meReads = preparedOnce(
  (d) =>
    [
      d
        .select()
        .from(users)
        .where(eq(users.id, sql.placeholder('userId')))
        .prepare(),
      d
        .select({ id: portfolios.id })
        .from(portfolios)
        .where(defaultPortfolioOf(sql.placeholder('userId'), 'live'))
        .limit(1)
        .prepare(),
    ] as const,
);

/** `/auth/me`'s card read from D1: the user and their default portfolio (made on first use, as 003's paths make it). */
export async function readUserCard(env: Env, userId: string): Promise<UserCard> {
  // Both reads in one D1 batch (one round trip); the portfolio is made only the first time,
  // after the user is known to exist.
  const [[user], [portfolio]] = await batchPrepared(env, meReads(env), { userId });
  if (!user || user.deletedAt) throw new ApiError('NOT_FOUND', `User ${userId} not found`);
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    fullName: user.fullName,
    role: user.role,
    tier: user.tier,
    status: user.status,
    isVerified: user.isVerified,
    mfaEnabled: user.mfaEnabled,
    createdAt: user.createdAt,
    portfolioId: portfolio?.id ?? (await defaultPortfolio(env, userId)).id,
  };
}

export async function getUser(env: Env, userId: string): Promise<UserRow> {
  const user = await db(env).select().from(users).where(eq(users.id, userId)).get();
  if (!user || user.deletedAt) throw new ApiError('NOT_FOUND', `User ${userId} not found`);
  return user;
}

function isUniqueViolation(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err);
  return /UNIQUE constraint failed/i.test(text);
}

export interface RegisterInput {
  email: string;
  password: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  name?: string | undefined;
  full_name?: string | undefined;
  username?: string | undefined;
}

/**
 * Creates an account (role `user`, tier `free`: neither can be chosen here) and signs it in.
 * A taken email or username answers 409.
 */
export async function register(env: Env, input: RegisterInput, facts: RequestFacts): Promise<AuthResult> {
  const email = normalizeEmail(input.email);
  const firstName = input.first_name ?? input.firstName ?? null;
  const lastName = input.last_name ?? input.lastName ?? null;
  const fullName = input.full_name ?? input.name ?? ([firstName, lastName].filter(Boolean).join(' ') || null);
  const d = db(env);
  const existing = await d.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
  if (existing) throw new ApiError('INTEGRITY_ERROR', 'An account with this email already exists');
  const id = newId('user');
  const row = {
    id,
    email,
    username: input.username ?? null,
    firstName,
    lastName,
    fullName,
    passwordHash: await hashPassword(input.password),
    referralCode: randomToken(6).replaceAll(/[-_]/g, 'x').toUpperCase(),
  };
  try {
    await d.batch([d.insert(users).values(row), activity(d, { userId: id, action: 'register', facts })]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ApiError('INTEGRITY_ERROR', 'An account with this email or username already exists');
    }
    throw err;
  }
  const user = await getUser(env, id);
  return startSession(env, user, facts);
}

function totpFor(email: string, secret: Secret): TOTP {
  return new TOTP({ issuer: 'Meridian', label: email, algorithm: 'SHA1', digits: 6, period: 30, secret });
}

/**
 * Checks a TOTP code (one step of clock drift either way) and that its time step is newer
 * than the last one accepted, so a code cannot be used twice. Returns the step to record.
 */
async function checkTotp(env: Env, user: UserRow, code: string): Promise<number | null> {
  if (!user.mfaSecret) return null;
  const secret = Secret.fromBase32(await decryptString(env.DATA_ENCRYPTION_KEY, user.mfaSecret));
  const now = Date.now();
  const delta = totpFor(user.email, secret).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 30_000) + delta;
  if (user.mfaLastStep !== null && step <= user.mfaLastStep) return null;
  return step;
}

/**
 * The one answer to a sign-in refused before (or without) a password match: unknown email,
 * locked account, wrong password. Same status, code, message and suggestion, so none of
 * them tells whether the account exists or is locked (OWASP's authentication guidance).
 */
function invalidCredentials(): ApiError {
  return new ApiError('INVALID_CREDENTIALS', 'Invalid email or password', {
    suggestion: `Check the email and password. After ${LOCK_AFTER_FAILURES} failed attempts in a row an account is locked for a while.`,
  });
}

async function recordFailedSignIn(
  env: Env,
  userId: string | null,
  facts: RequestFacts,
  reason: string,
): Promise<void> {
  const d = db(env);
  await d.batch([activity(d, { userId, action: 'login_failed', facts, details: { reason } })]);
}

/** What one sign-in check came to. */
interface SignInCheck {
  outcome: GuessOutcome;
  passwordOk: boolean;
  mfaMissing?: boolean;
  mfaStep?: number | null;
}

/**
 * Signs in with email and password (and the TOTP code when two-factor is on). Every check
 * runs under the account's lockout (`underLockout`): after five failures in a row it locks
 * for 1 minute, doubling with each further failure up to a day. Until the password matches,
 * an unknown email, a locked account and a wrong password answer alike, and each takes one
 * password hash (a decoy where there is no hash to compare); a suspended account says so
 * only to the right password.
 */
export async function login(
  env: Env,
  input: { email: string; password: string; totp_code?: string | undefined },
  facts: RequestFacts,
): Promise<AuthResult> {
  const d = db(env);
  const user = await d
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(input.email)))
    .get();
  if (!user || user.deletedAt) {
    await verifyPassword(input.password, await decoyHash());
    await recordFailedSignIn(env, null, facts, 'unknown_email');
    throw invalidCredentials();
  }

  const checked = await underLockout(env, user, async (): Promise<SignInCheck> => {
    if (!(await verifyPassword(input.password, user.passwordHash)))
      return { outcome: 'failure', passwordOk: false };
    if (user.status !== 'active') return { outcome: 'void', passwordOk: true };
    if (!user.mfaEnabled) return { outcome: 'success', passwordOk: true, mfaStep: null };
    if (!input.totp_code) return { outcome: 'void', passwordOk: true, mfaMissing: true };
    const mfaStep = await checkTotp(env, user, input.totp_code);
    return { outcome: mfaStep === null ? 'failure' : 'success', passwordOk: true, mfaStep };
  });
  if (checked.status !== 'checked') {
    await verifyPassword(input.password, await decoyHash());
    await recordFailedSignIn(
      env,
      user.id,
      facts,
      checked.status === 'locked' ? 'locked' : 'check_in_progress',
    );
    throw invalidCredentials();
  }
  const { verdict } = checked;
  if (!verdict.passwordOk) {
    await recordFailedSignIn(env, user.id, facts, 'password');
    throw invalidCredentials();
  }
  if (user.status !== 'active') throw new ApiError('AUTHORIZATION_ERROR', `This account is ${user.status}`);
  if (verdict.mfaMissing) {
    throw new ApiError('INVALID_MFA_TOKEN', 'Two-factor code required', {
      details: { mfa_required: true },
      suggestion: 'Send the 6-digit code from your authenticator app as totp_code.',
    });
  }
  if (verdict.outcome === 'failure') {
    await recordFailedSignIn(env, user.id, facts, 'mfa');
    throw new ApiError('INVALID_MFA_TOKEN', 'Invalid or expired two-factor code', {
      details: { attempts_before_lock: Math.max(0, LOCK_AFTER_FAILURES - checked.state.failed) },
    });
  }
  const mfaStep = verdict.mfaStep ?? null;

  const rehash = needsRehash(user.passwordHash) ? await hashPassword(input.password) : null;
  const [updated] = await d.batch([
    d
      .update(users)
      .set({
        lastLoginAt: new Date().toISOString(),
        loginCount: sql`${users.loginCount} + 1`,
        updatedAt: new Date().toISOString(),
        ...(mfaStep !== null ? { mfaLastStep: mfaStep } : {}),
        ...(rehash ? { passwordHash: rehash } : {}),
      })
      .where(eq(users.id, user.id))
      .returning(),
    activity(d, { userId: user.id, action: 'login', facts }),
  ]);
  const fresh = updated[0];
  assert(fresh, 'DATABASE_ERROR', 'Could not record the sign-in');
  return startSession(env, fresh, facts);
}

/**
 * New tokens. With a refresh token (001): rotates it; a reused one revokes the session.
 * Without (004's bearer refresh): a new access token for the caller's current session.
 */
export async function refresh(
  env: Env,
  input: { refreshToken?: string | undefined; principal?: Principal | undefined },
  facts: RequestFacts,
): Promise<AuthResult> {
  const cfg = config(env);
  if (!input.refreshToken) {
    const principal = input.principal;
    if (!principal?.sessionId) {
      throw new ApiError('INVALID_REFRESH_TOKEN', 'Send refresh_token, or a valid access token to renew');
    }
    const user = await getUser(env, principal.userId);
    return {
      user,
      accessToken: await accessTokenFor(env, user, principal.sessionId),
      sessionId: principal.sessionId,
      expiresIn: cfg.ACCESS_TOKEN_TTL_SECONDS,
    };
  }
  const parsed = parseRefreshToken(input.refreshToken);
  if (!parsed) throw new ApiError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid');
  const next = `rt1.${parsed.sessionId}.${parsed.userId}.${randomToken(32)}`;
  const result = await env.USER.getByName(parsed.userId).rotateRefresh(
    await sha256Hex(input.refreshToken),
    await sha256Hex(next),
  );
  if (result.status === 'reused') {
    const d = db(env);
    await d.batch([
      activity(d, {
        userId: parsed.userId,
        action: 'refresh_token_reused',
        facts,
        sessionId: parsed.sessionId,
        details: { session_revoked: true },
      }),
    ]);
    throw new ApiError(
      'INVALID_REFRESH_TOKEN',
      'Refresh token was already used; the session has been revoked',
    );
  }
  if (result.status === 'rate_limited') {
    throw new ApiError('RATE_LIMIT_EXCEEDED', 'Too many refreshes for this session', {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(result.bucket.resetAt - Date.now() / 1000))) },
    });
  }
  if (result.status === 'disabled') throw new ApiError('AUTHORIZATION_ERROR', 'This account is not active');
  if (result.status !== 'ok')
    throw new ApiError('INVALID_REFRESH_TOKEN', `Refresh token is ${result.status}`);
  const user = await getUser(env, parsed.userId);
  return {
    user,
    accessToken: await accessTokenFor(env, user, result.sessionId),
    refreshToken: next,
    sessionId: result.sessionId,
    expiresIn: cfg.ACCESS_TOKEN_TTL_SECONDS,
    refreshExpiresIn: cfg.REFRESH_TOKEN_TTL_SECONDS,
  };
}

/** Ends the caller's session (or, given its refresh token, that session of the caller's). */
export async function logout(
  env: Env,
  principal: Principal,
  refreshToken: string | undefined,
  facts: RequestFacts,
): Promise<string> {
  let sessionId = principal.sessionId;
  if (refreshToken) {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed || parsed.userId !== principal.userId) {
      throw new ApiError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid');
    }
    sessionId = parsed.sessionId;
  }
  if (!sessionId) throw new ApiError('VALIDATION_ERROR', 'API keys have no session; revoke the key instead');
  await env.USER.getByName(principal.userId).revokeSession(sessionId, 'logout');
  const d = db(env);
  await d.batch([activity(d, { userId: principal.userId, action: 'logout', facts, sessionId })]);
  return sessionId;
}

/** Starts two-factor enrolment: a new secret, stored encrypted, not active until verified. */
export async function enrollTotp(env: Env, principal: Principal) {
  const user = await getUser(env, principal.userId);
  if (user.mfaEnabled) throw new ApiError('INTEGRITY_ERROR', 'Two-factor authentication is already enabled');
  const secret = new Secret({ size: 20 });
  await db(env)
    .update(users)
    .set({ mfaSecret: await encryptString(env.DATA_ENCRYPTION_KEY, secret.base32), mfaLastStep: null })
    .where(eq(users.id, user.id));
  return {
    secret: secret.base32,
    otpauth_uri: totpFor(user.email, secret).toString(),
    algorithm: 'SHA1' as const,
    digits: 6 as const,
    period: 30 as const,
  };
}

/** Confirms enrolment with a first valid code; from then on sign-in requires a code. */
export async function verifyTotp(env: Env, principal: Principal, code: string, facts: RequestFacts) {
  const user = await getUser(env, principal.userId);
  if (!user.mfaSecret) throw new ApiError('MFA_NOT_ENABLED', 'Start enrolment first (POST .../2fa/enroll)');
  if (user.mfaEnabled) throw new ApiError('INTEGRITY_ERROR', 'Two-factor authentication is already enabled');
  const step = await checkTotp(env, user, code);
  if (step === null) throw new ApiError('INVALID_MFA_TOKEN', 'Invalid or expired two-factor code');
  const d = db(env);
  await d.batch([
    d.update(users).set({ mfaEnabled: true, mfaLastStep: step }).where(eq(users.id, user.id)),
    activity(d, { userId: user.id, action: 'mfa_enabled', facts, sessionId: principal.sessionId ?? null }),
  ]);
  await forgetUserCard(env, user.id);
  return { enabled: true, pending_enrolment: false };
}

/**
 * Turns two-factor off; needs a current code, so a stolen session alone cannot. Wrong codes
 * count towards the account's lockout, as at sign-in, so this is no code oracle.
 */
export async function disableTotp(env: Env, principal: Principal, code: string, facts: RequestFacts) {
  const user = await getUser(env, principal.userId);
  if (!user.mfaEnabled) throw new ApiError('MFA_NOT_ENABLED', 'Two-factor authentication is not enabled');
  await checkSignedIn(env, user, async () => (await checkTotp(env, user, code)) !== null, {
    sessionId: principal.sessionId ?? null,
    facts,
    reason: 'mfa_disable',
    code: 'INVALID_MFA_TOKEN',
    message: 'Invalid or expired two-factor code',
  });
  const d = db(env);
  await d.batch([
    d
      .update(users)
      .set({ mfaEnabled: false, mfaSecret: null, mfaLastStep: null })
      .where(eq(users.id, user.id)),
    activity(d, { userId: user.id, action: 'mfa_disabled', facts, sessionId: principal.sessionId ?? null }),
  ]);
  await forgetUserCard(env, user.id);
  return { enabled: false, pending_enrolment: false };
}

export async function totpStatus(env: Env, principal: Principal) {
  const user = await getUser(env, principal.userId);
  return { enabled: user.mfaEnabled, pending_enrolment: !user.mfaEnabled && user.mfaSecret !== null };
}

/**
 * Step-up check for money movement (withdrawals, large swaps): two-factor must be on and
 * `code` current. The code's time step is consumed with a conditional update, so one code
 * authorizes one operation even under concurrent requests; wrong codes count towards the
 * account's lockout, as at sign-in.
 */
export async function consumeTotp(
  env: Env,
  principal: Principal,
  code: string,
  facts: RequestFacts,
  reason: string,
): Promise<void> {
  const user = await getUser(env, principal.userId);
  if (!user.mfaEnabled)
    throw new ApiError('MFA_NOT_ENABLED', 'Two-factor authentication must be enabled for this operation', {
      suggestion: 'Enable it with POST /api/v1/auth/2fa/enroll, then verify.',
    });
  let step: number | null = null;
  await checkSignedIn(
    env,
    user,
    async () => {
      step = await checkTotp(env, user, code);
      return step !== null;
    },
    {
      sessionId: principal.sessionId ?? null,
      facts,
      reason,
      code: 'INVALID_MFA_TOKEN',
      message: 'Invalid or expired two-factor code',
    },
  );
  if (step === null) throw new ApiError('INVALID_MFA_TOKEN', 'Invalid or expired two-factor code');
  const used = await env.DB.prepare(
    'UPDATE users SET mfa_last_step = ? WHERE id = ? AND (mfa_last_step IS NULL OR mfa_last_step < ?)',
  )
    .bind(step, user.id, step)
    .run();
  if (used.meta.changes !== 1)
    throw new ApiError('INVALID_MFA_TOKEN', 'This two-factor code was already used; wait for the next one');
}
