import type { LiveLimits } from '../../durable/lib/live';
import { config } from '../core/config';

/** Public topics: guests welcome, served by TopicHub shards. `assets/{id}` is one per asset. */
export const PUBLIC_TOPICS = ['market-data', 'macro', 'sectors', 'signals'] as const;
export type PublicTopic = (typeof PUBLIC_TOPICS)[number] | `assets/${string}`;

/** Personal topics: a token is required; served by the user's UserObject. */
export const PERSONAL_TOPICS = ['notifications', 'portfolio', 'bot-status', 'performance-metrics'] as const;
export type PersonalTopic = (typeof PERSONAL_TOPICS)[number];

export function isPublicTopic(t: string): t is (typeof PUBLIC_TOPICS)[number] {
  return (PUBLIC_TOPICS as readonly string[]).includes(t);
}

export function isPersonalTopic(t: string): t is PersonalTopic {
  return (PERSONAL_TOPICS as readonly string[]).includes(t);
}

/** The topic of one asset's ticks and candles. */
export function assetTopic(assetId: string): PublicTopic {
  return `assets/${assetId}`;
}

/** The per-connection limits of the vars (WS_*), as the objects take them. */
export function liveLimits(env: Env): LiveLimits {
  const cfg = config(env);
  return {
    maxSubscriptions: cfg.WS_MAX_SUBSCRIPTIONS,
    maxMessageBytes: cfg.WS_MAX_MESSAGE_BYTES,
    messagesPerMinute: cfg.WS_MESSAGES_PER_MINUTE,
    maxStrikes: cfg.WS_MAX_STRIKES,
  };
}
