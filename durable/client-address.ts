import type { Bucket } from '../src/core/rate-limits';
import { MeridianObject } from './lib/base';
import { type BucketState, type LimitDecision, RateLimiter } from './lib/rate-limiter';

/**
 * One per client address (CF-Connecting-IP; IPv6 by /64), for guests and for the sign-in
 * endpoints: their rate-limit buckets, decided in one place so concurrent requests from one
 * address are counted exactly.
 */
export class ClientAddressObject extends MeridianObject {
  protected readonly kind = 'client-address';
  private readonly limiter: RateLimiter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.limiter = new RateLimiter(ctx.storage.sql);
  }

  /** Counts a request in every bucket if all have room, else counts nothing. */
  async consume(buckets: Bucket[]): Promise<LimitDecision> {
    return this.limiter.consume(buckets);
  }

  async peekLimits(buckets: Bucket[]): Promise<BucketState[]> {
    return this.limiter.peek(buckets);
  }

  async resetLimit(key: string): Promise<boolean> {
    return this.limiter.reset(key);
  }
}
