// Delivers one push message to one subscription (RFC 8030 §5) and classifies the answer so the
// delivery job knows whether to drop the subscription, retry later or give up.
import { encryptWebPush } from './encryption';
import { assertPushEndpoint, assertPushHostAllowed } from './endpoint';
import { type VapidCredentials, vapidAuthorization } from './vapid';

/** A browser's `PushSubscription.toJSON()`, as stored for a user (RFC 8030 §4, RFC 8291 §2). */
export interface PushSubscriptionData {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** RFC 8030 §5.3 urgency. */
export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

const URGENCIES: ReadonlySet<string> = new Set<PushUrgency>(['very-low', 'low', 'normal', 'high']);

/** Input of {@link sendPush}. */
export interface SendPushInput {
  subscription: PushSubscriptionData;
  /** At most 3993 bytes once UTF-8 encoded (RFC 8291 §4). */
  payload: Uint8Array | string;
  vapid: VapidCredentials;
  /** How long the push service keeps an undelivered message (RFC 8030 §5.2). Default one day. */
  ttlSeconds?: number;
  urgency?: PushUrgency;
  /** Replaces a pending message with the same topic (RFC 8030 §5.4): at most 32 base64url characters. */
  topic?: string;
  /** The push egress allow-list ({@link assertPushHostAllowed}); omitted, any public host. */
  allowedHosts?: readonly string[];
  /** Injected for tests and stubs; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * What happened to one push: `delivered` (any 2xx: accepted by the push service), `expired`
 * (404/410: the subscription is gone, delete it), `retry` (408, 429 or 5xx; `retryAfterSeconds`
 * from `Retry-After` when the service sent one) or `rejected` (any other answer, including
 * redirects, which are never followed).
 */
export interface SendPushResult {
  status: 'delivered' | 'expired' | 'rejected' | 'retry';
  httpStatus: number;
  retryAfterSeconds?: number;
}

/** Default TTL: a market alert a day late is no longer worth showing. */
export const DEFAULT_PUSH_TTL_SECONDS = 24 * 60 * 60;

/** Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** Maps a push service's status code to what the caller should do (RFC 8030 §5, §6.2, §7.3). */
export function classifyPushResponse(httpStatus: number): SendPushResult['status'] {
  // RFC 8030 says 201; some services (WNS) answer 200, and any 2xx means it was taken.
  if (httpStatus >= 200 && httpStatus < 300) return 'delivered';
  if (httpStatus === 404 || httpStatus === 410) return 'expired';
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) return 'retry';
  return 'rejected';
}

function assertOptions(input: SendPushInput): void {
  const ttl = input.ttlSeconds ?? DEFAULT_PUSH_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 0) throw new RangeError('ttlSeconds must be a non-negative integer');
  if (input.urgency !== undefined && !URGENCIES.has(input.urgency)) {
    throw new RangeError('urgency must be very-low, low, normal or high (RFC 8030 §5.3)');
  }
  if (input.topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(input.topic)) {
    throw new RangeError('topic must be 1-32 base64url characters (RFC 8030 §5.4)');
  }
}

/**
 * Sends one Web Push message: checks the endpoint ({@link assertPushEndpoint}), encrypts the
 * payload (RFC 8291, `aes128gcm`), signs a VAPID token (RFC 8292) and POSTs to the push service
 * (RFC 8030 §5) with `Content-Encoding: aes128gcm`, `TTL`, optional `Urgency` and `Topic`.
 * Redirects are not followed, so a push service cannot bounce the request to another host.
 *
 * @throws {PushEndpointError} when the endpoint is not a public https URL, or its host is
 * not on `allowedHosts`.
 * @throws {PushSubscriptionError} when the subscription's keys are malformed.
 * @throws {PushPayloadTooLargeError} when the payload exceeds 3993 bytes.
 * Network failures of `fetch` propagate; the caller retries them like `retry`.
 */
export async function sendPush(input: SendPushInput): Promise<SendPushResult> {
  const url = assertPushEndpoint(input.subscription.endpoint);
  if (input.allowedHosts) assertPushHostAllowed(url, input.allowedHosts);
  assertOptions(input);
  const [body, authorization] = await Promise.all([
    encryptWebPush({
      p256dh: input.subscription.keys.p256dh,
      auth: input.subscription.keys.auth,
      payload: input.payload,
    }),
    vapidAuthorization({ endpoint: url, vapid: input.vapid }),
  ]);
  const headers: Record<string, string> = {
    'Content-Encoding': 'aes128gcm',
    'Content-Type': 'application/octet-stream',
    TTL: String(input.ttlSeconds ?? DEFAULT_PUSH_TTL_SECONDS),
    Authorization: authorization,
  };
  if (input.urgency) headers.Urgency = input.urgency;
  if (input.topic) headers.Topic = input.topic;

  const doFetch = input.fetch ?? fetch;
  const res = await doFetch(url.href, { method: 'POST', headers, body, redirect: 'manual' });
  // Nothing in the answer is used; release the connection.
  await res.body?.cancel();
  const status = classifyPushResponse(res.status);
  const result: SendPushResult = { status, httpStatus: res.status };
  if (status === 'retry') {
    const retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
    if (retryAfter !== undefined) result.retryAfterSeconds = retryAfter;
  }
  return result;
}
