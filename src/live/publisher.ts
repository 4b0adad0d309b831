import type { PublishResult } from '../../durable/hub';
import { config } from '../core/config';
import { describeError, log } from '../core/logger';
import type { PersonalTopic, PublicTopic } from './topics';

/**
 * A live message as a publisher writes it: a `type` and its fields. The hub or user object
 * adds `seq` and `timestamp`. A message with an `asset_id` on market-data reaches only the
 * sockets subscribed to that asset (or to "*").
 */
export interface LiveMessage {
  type: string;
  [field: string]: unknown;
}

/**
 * Publishes to a public topic through its root hub, which stamps, stores for resume, and
 * fans out to every shard. Resolves when the root has the messages, never on clients.
 * Several messages go in one call and take consecutive seqs.
 */
export async function publishTopic(
  env: Env,
  topic: PublicTopic,
  messages: LiveMessage | LiveMessage[],
): Promise<PublishResult> {
  const list = Array.isArray(messages) ? messages : [messages];
  return env.HUB.getByName(topic).publish(topic, list, config(env).WS_RESUME_BUFFER);
}

/** Publishes one message to a user's personal topic, through their user object. */
export async function publishToUser(
  env: Env,
  userId: string,
  topic: PersonalTopic,
  message: LiveMessage,
): Promise<{ seq: number; delivered: number }> {
  return env.USER.getByName(userId).publishLive(topic, message, config(env).WS_RESUME_BUFFER);
}

/**
 * Runs publishes for an event without letting them fail it: each is logged on error, so
 * ingestion and notification writes never fail because a hub did.
 */
export async function publishSafely(event: string, tasks: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  for (const r of results) {
    if (r.status === 'rejected') log('error', 'live.publish_failed', { event, ...describeError(r.reason) });
  }
}
