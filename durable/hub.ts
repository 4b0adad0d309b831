import { MeridianObject } from './lib/base';

/**
 * One per public live topic shard (market data, macro, sectors, asset ticks, signals): holds
 * hibernatable WebSockets and fans published messages out to them.
 */
export class TopicHub extends MeridianObject {
  protected readonly kind = 'hub';
}
