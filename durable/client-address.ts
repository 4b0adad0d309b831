import { MeridianObject } from './lib/base';

/**
 * One per client address (CF-Connecting-IP), for guests: their rate-limit buckets, decided
 * in one place so concurrent requests from one address are counted exactly.
 */
export class ClientAddressObject extends MeridianObject {
  protected readonly kind = 'client-address';
}
