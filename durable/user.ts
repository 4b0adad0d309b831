import { config } from '../src/core/config';
import type { GuessOutcome, GuessSlot, LockState } from '../src/core/lockout';
import { describeError, log } from '../src/core/logger';
import { type Bucket, bucketsFor, REFRESH_RULE } from '../src/core/rate-limits';
import { MeridianObject } from './lib/base';
import {
  acceptPair,
  close,
  leaseOf,
  limitsOf,
  newSocketState,
  PING,
  PONG,
  readInit,
  receive,
  refuse,
  releaseLease,
  SocketStates,
  send,
  sendError,
  sendResume,
  TopicLog,
  welcome,
} from './lib/live';
import { Lockout } from './lib/lockout';
import { type BucketState, type LimitDecision, RateLimiter } from './lib/rate-limiter';

/**
 * Ends a socket for a revocation: an `error` naming why, then the 1008 close. The message
 * goes first because the close event can lag: closed from outside the socket's own events
 * (an RPC such as this), the runtime sends the close frame at once but ended the TCP
 * connection only ~10 s later under `wrangler dev`, and clients fire `close` only then.
 */
function endRevoked(ws: WebSocket, code: 'SESSION_REVOKED' | 'API_KEY_REVOKED', reason: string): void {
  sendError(ws, code, reason);
  close(ws, 1008, reason);
}

/** What the object knows of its user: enough to authorize without a D1 read. */
export interface UserProfile {
  userId: string;
  email: string;
  role: 'user' | 'admin';
  tier: string;
  status: 'active' | 'suspended' | 'disabled';
}

export interface SessionInfo {
  id: string;
  userAgent: string | null;
  ipAddress: string | null;
  country: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  isActive: boolean;
  revokedAt: string | null;
  revokedReason: string | null;
}

export interface NewSession {
  sessionId: string;
  profile: UserProfile;
  refreshHash: string;
  userAgent: string | null;
  ipAddress: string | null;
  country: string | null;
  expiresAtMs: number;
}

export type RefreshResult =
  | { status: 'ok'; profile: UserProfile; sessionId: string }
  | { status: 'invalid' | 'reused' | 'expired' | 'revoked' | 'disabled' }
  | { status: 'rate_limited'; bucket: BucketState };

/**
 * What `/auth/me` answers of a user: their row's public fields and their default portfolio's
 * id, as D1 had them when the card was remembered. The object holds it in memory so the
 * per-request `authorize` can hand it over (no D1 read); whoever writes one of these fields in
 * D1 (the user's names, verification, 2FA; an admin's role, tier or status; deleting the
 * default portfolio) calls `forgetCard` after the write.
 */
export interface UserCard {
  id: string;
  email: string;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  fullName: string | null;
  role: 'user' | 'admin';
  tier: string;
  status: 'active' | 'suspended' | 'disabled';
  isVerified: boolean;
  mfaEnabled: boolean;
  createdAt: string;
  portfolioId: string;
}

/** With `withCard`: the card when held, else the token a `rememberCard` of a fresh read must present. */
export type CardReply = { card: UserCard } | { cardToken: string };

export type AuthorizeResult =
  | ({
      status: 'ok';
      profile: UserProfile;
      decision: LimitDecision;
      /** With `withPortfoliosToken`: the user's portfolios' token (`forgetPortfolios`). */
      portfoliosToken?: string;
    } & Partial<CardReply>)
  | { status: 'revoked' | 'expired' | 'unknown' | 'disabled' };

interface SessionRow {
  id: string;
  user_agent: string | null;
  ip_address: string | null;
  country: string | null;
  created_at: number;
  last_used_at: number | null;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  [key: string]: SqlStorageValue;
}

/** A held card is dropped after this long, bounding how stale a missed `forgetCard` can leave it. */
const CARD_TTL_MS = 60_000;

/** Last-used times are written at most this often, to keep the hot path to one read. */
const TOUCH_EVERY_MS = 60_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * One per user, addressed by user id. Holds the user's sessions and refresh-token chain (so a
 * logout or revocation takes effect on the very next request), the user's rate-limit buckets,
 * and a copy of the role, tier and status, so a role change or suspension applies at once.
 * Every change is mirrored into D1's `user_sessions` for admin queries.
 */
export class UserObject extends MeridianObject {
  protected readonly kind = 'user';
  private readonly limiter: RateLimiter;
  private readonly lockout: Lockout;
  /** D1 mirror writes of the lock state, one after another, so the last write is the latest state. */
  private lockMirror: Promise<void> = Promise.resolve();
  /** Personal live topics: seq and resume buffer per topic, and the socket states. */
  private readonly live: TopicLog;
  private readonly sockets = new SocketStates();
  /** The tail of each key's line of work (see `inTurn`); in memory: a reset only ends the line. */
  private readonly lines = new Map<string, Promise<void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS profile (
      id INTEGER PRIMARY KEY CHECK (id = 1), user_id TEXT NOT NULL, email TEXT NOT NULL,
      role TEXT NOT NULL, tier TEXT NOT NULL, status TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY, user_agent TEXT, ip_address TEXT, country TEXT, created_at INTEGER NOT NULL,
      last_used_at INTEGER, expires_at INTEGER NOT NULL, revoked_at INTEGER, revoked_reason TEXT)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS refresh_tokens (
      hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, used_at INTEGER, created_at INTEGER NOT NULL)`);
    this.limiter = new RateLimiter(sql);
    this.lockout = new Lockout(sql);
    this.live = new TopicLog(sql);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /**
   * The profile and the sessions read since the last write, kept in memory: every request's
   * `authorize` reads both, and only this object writes them, one call at a time. Any statement
   * of this object's own that is not a SELECT forgets them (`sql` below).
   */
  private profileRead: UserProfile | null | undefined;
  private readonly sessionsRead = new Map<string, SessionRow | undefined>();

  private readonly trackedSql = {
    exec: ((query: string, ...bindings: unknown[]) => {
      if (!/^\s*SELECT\b/i.test(query)) {
        this.profileRead = undefined;
        this.sessionsRead.clear();
      }
      return this.ctx.storage.sql.exec(query, ...bindings);
    }) as SqlStorage['exec'],
  };

  private get sql(): Pick<SqlStorage, 'exec'> {
    return this.trackedSql;
  }

  /**
   * Tokens of what is kept of D1 outside it, by kind: `/auth/me`'s card (kept here) and the
   * portfolio list (kept by isolates, `held-lists.ts`). Each forget after a D1 write moves its
   * kind's generation, and a copy read from D1 is kept only under the token handed out before
   * that read: a read that raced a write and its forget is never kept under the token after
   * it. The epoch is new with each instance, so a token from before a restart is refused too.
   */
  private readonly epoch = crypto.randomUUID();
  private readonly generations = { card: 0, portfolios: 0 };

  private token(kind: keyof UserObject['generations']): string {
    return `${this.epoch}:${kind}:${this.generations[kind]}`;
  }

  /** `/auth/me`'s card, in memory only (`rememberCard`, `forgetCard`). */
  private heldCard: { card: UserCard; at: number } | null = null;

  private cardReply(now: number): CardReply {
    if (this.heldCard && now - this.heldCard.at < CARD_TTL_MS) return { card: this.heldCard.card };
    this.heldCard = null;
    return { cardToken: this.token('card') };
  }

  /** Keeps a card read from D1, if nothing forgot the card since `token` was handed out. */
  async rememberCard(card: UserCard, token: string): Promise<boolean> {
    if (token !== this.token('card')) return false;
    this.heldCard = { card, at: Date.now() };
    return true;
  }

  /** Drops the card: one of its fields changed in D1 (call after the write). */
  async forgetCard(): Promise<void> {
    this.heldCard = null;
    this.generations.card++;
  }

  /** One of the user's portfolios or its positions changed in D1 (call after the write). */
  async forgetPortfolios(): Promise<void> {
    this.generations.portfolios++;
  }

  private profile(): UserProfile | null {
    if (this.profileRead === undefined) this.profileRead = this.readProfile();
    return this.profileRead;
  }

  private readProfile(): UserProfile | null {
    const row = this.sql
      .exec<{ user_id: string; email: string; role: string; tier: string; status: string }>(
        'SELECT user_id, email, role, tier, status FROM profile WHERE id = 1',
      )
      .toArray()[0];
    if (!row) return null;
    return {
      userId: row.user_id,
      email: row.email,
      role: row.role === 'admin' ? 'admin' : 'user',
      tier: row.tier,
      status: row.status as UserProfile['status'],
    };
  }

  private saveProfile(p: UserProfile): void {
    // Role, tier and status are on the card too, and a sign-in may follow a change made outside
    // the API (scripts/admin-create.ts).
    void this.forgetCard();
    this.sql.exec(
      `INSERT INTO profile (id, user_id, email, role, tier, status) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, email = excluded.email, role = excluded.role,
         tier = excluded.tier, status = excluded.status`,
      p.userId,
      p.email,
      p.role,
      p.tier,
      p.status,
    );
  }

  private session(id: string): SessionRow | undefined {
    if (!this.sessionsRead.has(id)) {
      if (this.sessionsRead.size >= 256) this.sessionsRead.clear();
      this.sessionsRead.set(
        id,
        this.sql.exec<SessionRow>('SELECT * FROM sessions WHERE id = ?', id).toArray()[0],
      );
    }
    return this.sessionsRead.get(id);
  }

  private async mirror(sql: string, ...params: unknown[]): Promise<void> {
    await this.env.DB.prepare(sql)
      .bind(...params)
      .run();
  }

  /** Starts a session with its first refresh token, and refreshes the stored profile. */
  async createSession(input: NewSession): Promise<void> {
    const now = Date.now();
    this.saveProfile(input.profile);
    this.sql.exec(
      `INSERT INTO sessions (id, user_agent, ip_address, country, created_at, last_used_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      input.sessionId,
      input.userAgent,
      input.ipAddress,
      input.country,
      now,
      now,
      input.expiresAtMs,
    );
    this.sql.exec(
      'INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)',
      input.refreshHash,
      input.sessionId,
      now,
    );
    this.prune(now);
    await this.mirror(
      `INSERT INTO user_sessions (id, user_id, user_agent, ip_address, country, is_active, created_at, last_used_at, expires_at)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
      input.sessionId,
      input.profile.userId,
      input.userAgent,
      input.ipAddress,
      input.country,
      iso(now),
      iso(now),
      iso(input.expiresAtMs),
    );
  }

  /** Forgets sessions that ended more than a day ago, and their refresh tokens. */
  private prune(now: number): void {
    const cutoff = now - 86_400_000;
    this.sql.exec(
      `DELETE FROM refresh_tokens WHERE session_id IN (
         SELECT id FROM sessions WHERE expires_at < ?1 OR (revoked_at IS NOT NULL AND revoked_at < ?1))`,
      cutoff,
    );
    this.sql.exec(
      'DELETE FROM sessions WHERE expires_at < ?1 OR (revoked_at IS NOT NULL AND revoked_at < ?1)',
      cutoff,
    );
  }

  /**
   * Exchanges a refresh token for the next one. A token already used revokes the whole
   * session: whoever holds the stolen copy and the real user both lose it.
   */
  async rotateRefresh(presentedHash: string, nextHash: string): Promise<RefreshResult> {
    const now = Date.now();
    const token = this.sql
      .exec<{ session_id: string; used_at: number | null }>(
        'SELECT session_id, used_at FROM refresh_tokens WHERE hash = ?',
        presentedHash,
      )
      .toArray()[0];
    if (!token) return { status: 'invalid' };
    const session = this.session(token.session_id);
    if (!session) return { status: 'invalid' };
    if (session.revoked_at !== null) return { status: 'revoked' };
    if (token.used_at !== null) {
      await this.revoke(session.id, 'refresh_token_reuse', now);
      return { status: 'reused' };
    }
    if (session.expires_at <= now) return { status: 'expired' };
    const profile = this.profile();
    if (!profile) return { status: 'invalid' };
    if (profile.status !== 'active') return { status: 'disabled' };
    const bucket: Bucket = {
      rule: REFRESH_RULE.id,
      key: `${REFRESH_RULE.id}:${session.id}`,
      limit: REFRESH_RULE.limit,
      windowSeconds: REFRESH_RULE.windowSeconds,
    };
    const decision = this.limiter.consume([bucket], now);
    if (!decision.allowed && decision.buckets[0])
      return { status: 'rate_limited', bucket: decision.buckets[0] };
    this.sql.exec('UPDATE refresh_tokens SET used_at = ? WHERE hash = ?', now, presentedHash);
    this.sql.exec(
      'INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)',
      nextHash,
      session.id,
      now,
    );
    this.sql.exec('UPDATE sessions SET last_used_at = ? WHERE id = ?', now, session.id);
    await this.mirror('UPDATE user_sessions SET last_used_at = ? WHERE id = ?', iso(now), session.id);
    return { status: 'ok', profile, sessionId: session.id };
  }

  /**
   * The per-request check: is this session still good, and does the request fit the
   * user's rate limits? The buckets follow the role and tier held here, so an admin's
   * change applies to tokens already issued. `fallbackProfile` serves API-key callers,
   * who have no session.
   */
  async authorize(input: {
    sessionId?: string;
    method: string;
    path: string;
    fallbackProfile?: UserProfile;
    /** Hand over `/auth/me`'s card too (`CardReply`). */
    withCard?: boolean;
    /** Hand over the portfolios' token too (the portfolio list). */
    withPortfoliosToken?: boolean;
  }): Promise<AuthorizeResult> {
    const now = Date.now();
    let profile = this.profile();
    if (input.sessionId !== undefined) {
      const session = this.session(input.sessionId);
      if (!session) return { status: 'unknown' };
      if (session.revoked_at !== null) return { status: 'revoked' };
      if (session.expires_at <= now) return { status: 'expired' };
      if (session.last_used_at === null || now - session.last_used_at > TOUCH_EVERY_MS) {
        this.sql.exec('UPDATE sessions SET last_used_at = ? WHERE id = ?', now, session.id);
        this.ctx.waitUntil(
          this.mirror('UPDATE user_sessions SET last_used_at = ? WHERE id = ?', iso(now), session.id),
        );
      }
    } else if (input.fallbackProfile) {
      profile = input.fallbackProfile;
    }
    if (!profile) return { status: 'unknown' };
    if (profile.status !== 'active') return { status: 'disabled' };
    const { user } = bucketsFor(
      input.method,
      input.path,
      { kind: 'user', role: profile.role, tier: profile.tier },
      config(this.env).RATE_LIMIT_SCALE,
    );
    // Counted in memory and written within a second (durable/lib/rate-limiter.ts).
    const decision = this.limiter.consume(user, now, { defer: true });
    if (input.withCard) return { status: 'ok', profile, decision, ...this.cardReply(now) };
    if (input.withPortfoliosToken)
      return { status: 'ok', profile, decision, portfoliosToken: this.token('portfolios') };
    return { status: 'ok', profile, decision };
  }

  private async revoke(sessionId: string, reason: string, now: number): Promise<boolean> {
    const changed = this.sql.exec(
      'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
      now,
      reason,
      sessionId,
    ).rowsWritten;
    if (changed > 0) {
      // Every revocation path (logout, terminate, password change, suspension, refresh
      // reuse) ends here, so this is where the session's live sockets close.
      for (const ws of this.ctx.getWebSockets(`sid:${sessionId}`))
        endRevoked(ws, 'SESSION_REVOKED', 'Session revoked');
      await this.mirror(
        'UPDATE user_sessions SET is_active = 0, revoked_at = ?, revoked_reason = ? WHERE id = ?',
        iso(now),
        reason,
        sessionId,
      );
    }
    return changed > 0;
  }

  /** Closes the live sockets opened with an API key, once the key is revoked; returns how many. */
  async closeApiKeySockets(apiKeyId: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(`key:${apiKeyId}`);
    for (const ws of sockets) endRevoked(ws, 'API_KEY_REVOKED', 'API key revoked');
    return sockets.length;
  }

  /**
   * Runs `work`, a callback into the calling Worker, after every earlier call with the same key
   * has finished, and returns when it has: one writer at a time per key (a portfolio's ledger
   * commits, so concurrent changes are each judged against the ledger the previous one left).
   * The work's own outcome stays with the caller. A reset of the object drops the line; callers
   * then fall back on the ledger's version check, which never lets a stale commit land.
   */
  async inTurn(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.lines.get(key) ?? Promise.resolve();
    const run = previous.then(() => work());
    const tail = run.catch(() => undefined);
    this.lines.set(key, tail);
    try {
      await run;
    } finally {
      if (this.lines.get(key) === tail) this.lines.delete(key);
    }
  }

  /** Ends one session. False if it is not this user's or already ended. */
  async revokeSession(sessionId: string, reason: string): Promise<boolean> {
    return this.revoke(sessionId, reason, Date.now());
  }

  /** Ends every active session except `exceptSessionId`; returns how many ended. */
  async revokeAll(reason: string, exceptSessionId?: string): Promise<number> {
    const now = Date.now();
    const ids = this.sql
      .exec<{ id: string }>('SELECT id FROM sessions WHERE revoked_at IS NULL AND expires_at > ?', now)
      .toArray()
      .map((r) => r.id)
      .filter((id) => id !== exceptSessionId);
    let n = 0;
    for (const id of ids) if (await this.revoke(id, reason, now)) n++;
    return n;
  }

  /** The user's sessions, newest first, active ones and those ended in the last day. */
  async listSessions(): Promise<SessionInfo[]> {
    const now = Date.now();
    return this.sql
      .exec<SessionRow>('SELECT * FROM sessions ORDER BY created_at DESC')
      .toArray()
      .map((s) => ({
        id: s.id,
        userAgent: s.user_agent,
        ipAddress: s.ip_address,
        country: s.country,
        createdAt: iso(s.created_at) ?? '',
        lastUsedAt: iso(s.last_used_at),
        expiresAt: iso(s.expires_at) ?? '',
        isActive: s.revoked_at === null && s.expires_at > now,
        revokedAt: iso(s.revoked_at),
        revokedReason: s.revoked_reason,
      }));
  }

  /**
   * Applies an admin's change of role, tier or status at once. Suspending or disabling the
   * user also ends every session.
   */
  async updateProfile(profile: UserProfile): Promise<void> {
    this.saveProfile(profile);
    if (profile.status !== 'active') {
      await this.revokeAll(`account_${profile.status}`);
      // API-key sockets have no session to revoke; a suspended account loses them too.
      for (const ws of this.ctx.getWebSockets()) endRevoked(ws, 'SESSION_REVOKED', 'Session revoked');
    }
  }

  // ---- lockout: every check of the user's password or TOTP code goes through here ----

  /**
   * Reserves one password or TOTP check before the secret is compared: refused while the
   * account is locked, or while as many checks are in flight as failures remain before the
   * lock, so parallel guesses cannot outrun the count. `initial` is D1's record, taken only
   * by an object that has not counted this account yet. Settle the ticket with `settleGuess`.
   */
  async reserveGuess(initial: LockState): Promise<GuessSlot> {
    return this.lockout.reserve(Date.now(), initial);
  }

  /** Records a reserved check's outcome (failures count towards the lock) and mirrors it to D1. */
  async settleGuess(userId: string, ticket: string, outcome: GuessOutcome): Promise<LockState> {
    const state = this.lockout.settle(ticket, outcome, Date.now());
    if (outcome !== 'void') await this.mirrorLock(userId);
    return state;
  }

  /** An admin's unlock: clears the count and the lock, here and in D1. */
  async clearLockout(userId: string): Promise<void> {
    this.lockout.clear();
    await this.mirrorLock(userId);
  }

  /** Writes the current lock state to D1's users row (admin lists, suspicious activity). */
  private mirrorLock(userId: string): Promise<void> {
    const run = this.lockMirror.then(async () => {
      const s = this.lockout.state();
      await this.mirror(
        'UPDATE users SET failed_login_count = ?, locked_until = ? WHERE id = ?',
        s?.failed ?? 0,
        iso(s?.lockedUntil ?? null),
        userId,
      );
    });
    this.lockMirror = run.catch(() => undefined);
    return run;
  }

  /** The user's buckets without counting (for the rate-limit status endpoints). */
  async peekLimits(buckets: Bucket[]): Promise<BucketState[]> {
    return this.limiter.peek(buckets);
  }

  /** Clears a bucket's history (admin reset). */
  async resetLimit(key: string): Promise<boolean> {
    return this.limiter.reset(key);
  }

  // ---- personal live topics (notifications, portfolio, bot-status, performance-metrics) ----

  /**
   * Accepts a personal-topic upgrade the Worker forwarded after verifying the token: the
   * session (or, for an API key, the account) must still be live here, where revocation
   * happens; otherwise the socket is accepted and closed with 1008, which browsers can read.
   */
  override async fetch(request: Request): Promise<Response> {
    const init = readInit(request);
    if (!init || request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Personal topics accept WebSocket upgrades forwarded by the Worker', {
        status: 426,
      });
    }
    let refusal: string | null = null;
    const profile = this.profile();
    if (init.sessionId !== undefined) {
      const session = this.session(init.sessionId);
      if (!session || session.expires_at <= Date.now()) refusal = 'Invalid token';
      else if (session.revoked_at !== null) refusal = 'Session revoked';
    } else if (!init.apiKeyId) {
      refusal = 'Invalid token';
    }
    if (!refusal && profile && profile.status !== 'active') refusal = 'Session revoked';
    if (refusal) {
      // Refused before any hibernatable socket exists: see `refuse`.
      this.ctx.waitUntil(releaseLease(this.env, init.lease).catch(() => {}));
      return refuse(1008, refusal, init.protocol === true);
    }
    const state = newSocketState(init);
    const tags = [`topic:${init.topic}`, init.sessionId ? `sid:${init.sessionId}` : `key:${init.apiKeyId}`];
    const { server, response } = acceptPair(this.ctx, tags, state, this.sockets, init.protocol === true);
    send(server, welcome(init.topic, this.live.latest(init.topic), limitsOf(state)));
    if (init.lastSeq !== undefined) {
      sendResume(server, init.lastSeq, this.live.since(init.topic, init.lastSeq), (m) => {
        send(server, m.body);
        return true;
      });
    }
    return response;
  }

  /**
   * Publishes one message on a personal topic: stamps the topic's next seq and the time,
   * keeps the last `keep` for resume, and sends it to the user's sockets on that topic.
   */
  async publishLive(
    topic: string,
    message: Record<string, unknown>,
    keep: number,
  ): Promise<{ seq: number; delivered: number }> {
    const [stored] = this.live.append(topic, [message], keep);
    const sockets = this.ctx.getWebSockets(`topic:${topic}`);
    if (stored) for (const ws of sockets) send(ws, stored.body);
    return { seq: stored?.seq ?? 0, delivered: sockets.length };
  }

  /** Open personal sockets, optionally of one session (tests, operations). */
  async liveSockets(sessionId?: string): Promise<number> {
    return this.ctx.getWebSockets(sessionId ? `sid:${sessionId}` : undefined).length;
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const received = receive(ws, this.sockets, raw);
    if (!received) return;
    const { state, msg } = received;
    if (msg.type === 'ping') send(ws, PONG);
    else if (msg.type === 'resume') {
      sendResume(ws, msg.last_seq, this.live.since(state.t, msg.last_seq), (m) => {
        send(ws, m.body);
        return true;
      });
    } else sendError(ws, 'INVALID_MESSAGE', `${state.t} is personal: it takes no symbols`);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    close(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
    await this.release(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    close(ws, 1011, 'Socket error');
    await this.release(ws);
  }

  /** Gives the socket's per-address slot back (logged, never thrown: the socket is gone). */
  private async release(ws: WebSocket): Promise<void> {
    await releaseLease(this.env, leaseOf(this.sockets.get(ws))).catch((err: unknown) =>
      log('warn', 'live.release_failed', describeError(err)),
    );
  }
}
