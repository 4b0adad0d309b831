// VAPID (RFC 8292): the application server identifies itself to push services with an ES256 JWT.
import { SignJWT } from 'jose';
import { bytesToBase64Url } from '../../core/crypto';
import { decodeP256Point, p256PrivateJwk } from './encryption';

/**
 * A VAPID key pair as `web-push generate-vapid-keys` prints it: `publicKey` is the base64url
 * uncompressed P-256 point (65 bytes, the `k` parameter of RFC 8292 §3.2), `privateKey` the
 * base64url private scalar `d` (32 bytes).
 */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** VAPID keys plus the contact put in the JWT's `sub` claim (RFC 8292 §2.1). */
export interface VapidCredentials extends VapidKeys {
  /** A `mailto:` or `https:` URI the push service can reach the operator at. */
  subject: string;
}

/** How long our VAPID JWTs live: RFC 8292 §2 caps `exp` at 24 hours ahead; 12 leaves room for clock skew. */
export const VAPID_TOKEN_TTL_SECONDS = 12 * 60 * 60;

const MAX_TTL_SECONDS = 24 * 60 * 60;

/**
 * Generates a VAPID key pair (ECDSA P-256, RFC 8292 §3.2) in the format of
 * `web-push generate-vapid-keys`: base64url raw public point and base64url private scalar.
 */
export async function generateVapidKeys(): Promise<VapidKeys> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const [raw, jwk] = await Promise.all([
    crypto.subtle.exportKey('raw', pair.publicKey) as Promise<ArrayBuffer>,
    crypto.subtle.exportKey('jwk', pair.privateKey) as Promise<JsonWebKey>,
  ]);
  if (!jwk.d) throw new Error('WebCrypto exported a P-256 private key without d');
  return { publicKey: bytesToBase64Url(new Uint8Array(raw)), privateKey: jwk.d };
}

const signingKeys = new Map<string, Promise<CryptoKey>>();

function signingKey(keys: VapidKeys): Promise<CryptoKey> {
  const cacheKey = `${keys.publicKey}.${keys.privateKey}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey(
      'jwk',
      p256PrivateJwk(keys.publicKey, keys.privateKey),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    // A failed import must not stay cached.
    key.catch(() => signingKeys.delete(cacheKey));
    signingKeys.set(cacheKey, key);
  }
  return key;
}

function assertSubject(subject: string): void {
  let ok = false;
  if (/^mailto:[^@\s]+@[^@\s]+$/.test(subject)) ok = true;
  else if (subject.startsWith('https:')) {
    try {
      ok = new URL(subject).protocol === 'https:';
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new TypeError('VAPID subject must be a mailto: address or an https: URL (RFC 8292 §2.1)');
}

/** Input of {@link vapidAuthorization}. */
export interface VapidAuthorizationInput {
  /** The push subscription's endpoint; its origin becomes `aud`. */
  endpoint: string | URL;
  vapid: VapidCredentials;
  /** Seconds until `exp`; default {@link VAPID_TOKEN_TTL_SECONDS}, at most 24 hours (RFC 8292 §2). */
  expiresInSeconds?: number;
  /** Test hook: the current time. */
  now?: Date;
}

/**
 * The `Authorization` header value for a push request (RFC 8292 §3):
 * `vapid t=<JWT>, k=<base64url public key>`, the JWT signed with ES256 (RFC 8292 §2) and
 * carrying `aud` = the endpoint's origin, `exp` = now + 12 h and `sub` = the contact URI.
 *
 * @throws {TypeError} when the keys or the subject are malformed.
 */
export async function vapidAuthorization(input: VapidAuthorizationInput): Promise<string> {
  const { vapid } = input;
  if (!decodeP256Point(vapid.publicKey)) {
    throw new TypeError('VAPID public key must be 65 bytes, uncompressed P-256, base64url');
  }
  assertSubject(vapid.subject);
  const ttl = input.expiresInSeconds ?? VAPID_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) {
    throw new RangeError('VAPID token lifetime must be 1 s to 24 h (RFC 8292 §2)');
  }
  const audience = new URL(input.endpoint).origin;
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const jwt = await new SignJWT({ sub: vapid.subject })
    .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
    .setAudience(audience)
    .setExpirationTime(nowSeconds + ttl)
    .sign(await signingKey(vapid));
  return `vapid t=${jwt}, k=${vapid.publicKey}`;
}
