// Web Push delivery core: encryption (RFC 8291), VAPID (RFC 8292), the endpoint SSRF guard and
// the send (RFC 8030). Routes, tables and the delivery job build on these.
export {
  decodeP256Point,
  decryptWebPush,
  type EncryptWebPushInput,
  encryptWebPush,
  MAX_PUSH_PLAINTEXT_BYTES,
  PUSH_HEADER_BYTES,
  PUSH_RECORD_SIZE,
  PushDecryptionError,
  PushPayloadTooLargeError,
  PushSubscriptionError,
  type PushSubscriptionErrorReason,
  p256PrivateJwk,
} from './encryption';
export {
  assertPushEndpoint,
  assertPushHostAllowed,
  blockedIpv4Reason,
  blockedIpv6Reason,
  KNOWN_PUSH_SERVICES,
  PushEndpointError,
  type PushEndpointErrorReason,
  parseIpv6,
  parseWhatwgIpv4,
} from './endpoint';
export {
  classifyPushResponse,
  DEFAULT_PUSH_TTL_SECONDS,
  type PushSubscriptionData,
  type PushUrgency,
  parseRetryAfter,
  type SendPushInput,
  type SendPushResult,
  sendPush,
} from './send';
export {
  generateVapidKeys,
  VAPID_TOKEN_TTL_SECONDS,
  type VapidAuthorizationInput,
  type VapidCredentials,
  type VapidKeys,
  vapidAuthorization,
} from './vapid';
