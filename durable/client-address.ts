import { GUEST_SHARD_PREFIX } from '../src/core/address-limits';
import type { Bucket } from '../src/core/rate-limits';
import { MeridianObject } from './lib/base';
import { type BucketState, type LimitDecision, RateLimiter } from './lib/rate-limiter';

const LEASE_MAX_AGE_MS = 86_400_000;
const SWEEP_AFTER_MS = 86_400_000;

/**
 * One per client address (CF-Connecting-IP; IPv6 by /64), for the sign-in endpoints' buckets
 * and the address's live-socket slots (WS_MAX_CONNECTIONS_PER_ADDRESS); and, under the names
 * `guest-shard:<n>`, the guests' own buckets of many addresses keyed by address
 * (src/core/address-limits.ts). Either way one address's bucket lives in exactly one object,
 * decided in one call, so concurrent requests from one address are counted exactly.
 */
export class ClientAddressObject extends MeridianObject {
  protected readonly kind = 'client-address';
  private readonly limiter: RateLimiter;
  private calls = 0;
  /** A guest shard's counts are deferred (durable/lib/rate-limiter.ts); an address's own sign-in guards are not. */
  private readonly isGuestShard: boolean;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.limiter = new RateLimiter(ctx.storage.sql);
    this.isGuestShard = ctx.id.name?.startsWith(GUEST_SHARD_PREFIX) ?? false;
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS ws_leases (id TEXT PRIMARY KEY, opened_at INTEGER NOT NULL)',
    );
  }

  /**
   * Takes one of the address's `max` live-socket slots under `leaseId`, or refuses when all
   * are taken. The socket's owner (hub or user object) gives it back when the socket closes.
   * Leases older than a day are dropped first, so a close report lost to a crash frees its
   * slot eventually (a socket open longer than that is no longer counted).
   */
  async openSocket(leaseId: string, max: number): Promise<{ allowed: boolean; open: number }> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    sql.exec('DELETE FROM ws_leases WHERE opened_at < ?', now - LEASE_MAX_AGE_MS);
    const open = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM ws_leases').one().n;
    if (open >= max) return { allowed: false, open };
    sql.exec('INSERT OR IGNORE INTO ws_leases (id, opened_at) VALUES (?, ?)', leaseId, now);
    return { allowed: true, open: open + 1 };
  }

  /** Gives a slot back. Idempotent. */
  async closeSocket(leaseId: string): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM ws_leases WHERE id = ?', leaseId);
  }

  /** Live sockets the address holds now (tests, operations). */
  async openSockets(): Promise<number> {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM ws_leases').one().n;
  }

  /**
   * Counts a request in every bucket if all have room, else counts nothing. Every 1,000th
   * call also drops buckets whose window ended over a day ago (the longest window is an hour),
   * so a guest shard holding many addresses' buckets stays small.
   */
  async consume(buckets: Bucket[]): Promise<LimitDecision> {
    if (++this.calls % 1000 === 0) this.limiter.sweep(Date.now() - SWEEP_AFTER_MS);
    return this.limiter.consume(buckets, Date.now(), { defer: this.isGuestShard });
  }

  /** Gives back what `consume` counted in these buckets (another object refused the request). */
  async refund(buckets: Bucket[]): Promise<void> {
    this.limiter.refund(buckets);
  }

  async peekLimits(buckets: Bucket[]): Promise<BucketState[]> {
    return this.limiter.peek(buckets);
  }

  async resetLimit(key: string): Promise<boolean> {
    return this.limiter.reset(key);
  }
}
