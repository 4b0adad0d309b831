import { MeridianObject } from './lib/base';

/**
 * One per user, addressed by user id: that user's sessions (so a revocation takes effect on
 * the next request), rate-limit buckets and personal live topics. The identity issue adds
 * the session and limiter methods; today it answers `ping()`.
 */
export class UserObject extends MeridianObject {
  protected readonly kind = 'user';
}
