// Web Push message encryption (RFC 8291) with the `aes128gcm` content coding (RFC 8188), on
// WebCrypto only, so it runs unchanged in workerd.
import { base64ToBytes, bytesToBase64Url } from '../../core/crypto';

const encoder = new TextEncoder();

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(encoder.encode(text));
}

/** The record size we announce in the header (RFC 8188 §2.1); one record carries the whole message. */
export const PUSH_RECORD_SIZE = 4096;

/** salt(16) || rs(4) || idlen(1) || keyid(65): the `aes128gcm` header of a push message (RFC 8291 §4). */
export const PUSH_HEADER_BYTES = 86;

/**
 * Largest plaintext a push message can carry: push services need only accept 4096 octets of
 * body (RFC 8030 §7.2), less the 86-octet header, the 1-octet padding delimiter and the 16-octet
 * AES-GCM tag, is 3993 octets (RFC 8291 §4).
 */
export const MAX_PUSH_PLAINTEXT_BYTES = 4096 - PUSH_HEADER_BYTES - 1 - 16;

const TAG_BYTES = 16;
const P256_POINT_BYTES = 65;
const AUTH_SECRET_BYTES = 16;
const SALT_BYTES = 16;

/** The payload, with any padding asked for, does not fit one 4096-octet push message (RFC 8291 §4). */
export class PushPayloadTooLargeError extends Error {
  override readonly name = 'PushPayloadTooLargeError';
  constructor(
    /** Plaintext plus requested padding, in bytes. */
    readonly size: number,
    readonly limit: number = MAX_PUSH_PLAINTEXT_BYTES,
  ) {
    super(
      `Push payload is ${size} bytes; at most ${limit} bytes fit one 4096-byte aes128gcm record (RFC 8291 §4)`,
    );
  }
}

/** Why a subscription's keys cannot be used. */
export type PushSubscriptionErrorReason = 'invalid_p256dh' | 'invalid_auth';

/**
 * The subscription's `p256dh` is not an uncompressed P-256 point, or its `auth` secret is not
 * 16 bytes (RFC 8291 §2, §3.2). Retrying cannot help: the subscription itself is unusable.
 */
export class PushSubscriptionError extends Error {
  override readonly name = 'PushSubscriptionError';
  constructor(
    readonly reason: PushSubscriptionErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** A malformed or undecryptable `aes128gcm` body (RFC 8188 §2, RFC 8291 §4). */
export class PushDecryptionError extends Error {
  override readonly name = 'PushDecryptionError';
}

/** Input of {@link encryptWebPush}. */
export interface EncryptWebPushInput {
  /** The subscription's `keys.p256dh`: base64url uncompressed P-256 public key (65 bytes). */
  p256dh: string;
  /** The subscription's `keys.auth`: base64url 16-byte authentication secret. */
  auth: string;
  /** The message; strings are encoded as UTF-8. */
  payload: Uint8Array | string;
  /**
   * Zero bytes added after the delimiter to hide the payload's length (RFC 8188 §2).
   * Counts against {@link MAX_PUSH_PLAINTEXT_BYTES}. Default 0.
   */
  padding?: number;
  /** Test hook: the 16-byte salt (RFC 8291 §5 fixes it); random otherwise. */
  salt?: Uint8Array;
  /** Test hook: the application server's ECDH P-256 key pair (RFC 8291 §5 fixes it); ephemeral otherwise. */
  localKeys?: CryptoKeyPair;
}

function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function decodeBase64Url(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value)) return undefined;
  try {
    return base64ToBytes(value);
  } catch {
    return undefined;
  }
}

/** Decodes a base64url uncompressed P-256 point (0x04 || X || Y), or undefined. */
export function decodeP256Point(value: string): Uint8Array<ArrayBuffer> | undefined {
  const bytes = decodeBase64Url(value);
  return bytes?.byteLength === P256_POINT_BYTES && bytes[0] === 0x04 ? bytes : undefined;
}

/**
 * The JWK of a P-256 private key from its raw public point and private scalar `d`, both
 * base64url: WebCrypto cannot import a bare scalar, and the JWK needs `x` and `y` (RFC 7518 §6.2).
 */
export function p256PrivateJwk(publicKey: string, privateKey: string): JsonWebKey {
  const point = decodeP256Point(publicKey);
  if (!point)
    throw new TypeError('P-256 public key must be 65 bytes, uncompressed (0x04 || X || Y), base64url');
  const d = decodeBase64Url(privateKey);
  if (d?.byteLength !== 32) throw new TypeError('P-256 private key must be a 32-byte scalar, base64url');
  return {
    kty: 'EC',
    crv: 'P-256',
    x: bytesToBase64Url(point.subarray(1, 33)),
    y: bytesToBase64Url(point.subarray(33, 65)),
    d: bytesToBase64Url(d),
    ext: true,
  };
}

async function hkdf(
  salt: Uint8Array<ArrayBuffer>,
  ikm: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, length * 8);
  return new Uint8Array(bits);
}

/**
 * RFC 8291 §3.3-3.4 and RFC 8188 §2.2-2.3: IKM from the ECDH secret and the auth secret, then
 * the content-encryption key and the nonce (the nonce of record 0 is the derived one unchanged).
 */
async function deriveKeys(options: {
  ecdhSecret: Uint8Array<ArrayBuffer>;
  auth: Uint8Array<ArrayBuffer>;
  uaPublic: Uint8Array<ArrayBuffer>;
  asPublic: Uint8Array<ArrayBuffer>;
  salt: Uint8Array<ArrayBuffer>;
}): Promise<{ cek: CryptoKey; nonce: Uint8Array<ArrayBuffer> }> {
  const keyInfo = concat(utf8('WebPush: info\0'), options.uaPublic, options.asPublic);
  const ikm = await hkdf(options.auth, options.ecdhSecret, keyInfo, 32);
  const [cekBytes, nonce] = await Promise.all([
    hkdf(options.salt, ikm, utf8('Content-Encoding: aes128gcm\0'), 16),
    hkdf(options.salt, ikm, utf8('Content-Encoding: nonce\0'), 12),
  ]);
  const cek = await crypto.subtle.importKey('raw', cekBytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { cek, nonce };
}

async function ecdh(privateKey: CryptoKey, publicKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  // workers-types spells the member `$public`; the runtime (and WebCrypto) reads `public`.
  const algorithm = { name: 'ECDH', public: publicKey } as SubtleCryptoDeriveKeyAlgorithm;
  return new Uint8Array(await crypto.subtle.deriveBits(algorithm, privateKey, 256));
}

async function importUaPublic(point: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('raw', point, { name: 'ECDH', namedCurve: 'P-256' }, true, []);
  } catch {
    throw new PushSubscriptionError('invalid_p256dh', 'p256dh is not a point on the P-256 curve');
  }
}

/**
 * Encrypts a push message for one subscription (RFC 8291 §3-4): a fresh ECDH P-256 key pair
 * and random 16-byte salt per message; one `aes128gcm` record (RFC 8188 §2) padded with the
 * 0x02 delimiter. Returns the request body:
 * `salt(16) || rs(uint32 BE, 4096) || idlen(1)=65 || keyid=as_public(65) || ciphertext`.
 *
 * @throws {PushSubscriptionError} when `p256dh` or `auth` is malformed.
 * @throws {PushPayloadTooLargeError} above {@link MAX_PUSH_PLAINTEXT_BYTES} (payload + padding).
 */
export async function encryptWebPush(input: EncryptWebPushInput): Promise<Uint8Array<ArrayBuffer>> {
  const uaPublic = decodeP256Point(input.p256dh);
  if (!uaPublic) {
    throw new PushSubscriptionError(
      'invalid_p256dh',
      'p256dh must be a base64url uncompressed P-256 public key (65 bytes starting 0x04)',
    );
  }
  const auth = decodeBase64Url(input.auth);
  if (auth?.byteLength !== AUTH_SECRET_BYTES) {
    throw new PushSubscriptionError('invalid_auth', 'auth must be a base64url 16-byte secret');
  }
  const plaintext = typeof input.payload === 'string' ? encoder.encode(input.payload) : input.payload;
  const padding = input.padding ?? 0;
  if (!Number.isInteger(padding) || padding < 0)
    throw new RangeError('padding must be a non-negative integer');
  if (plaintext.byteLength + padding > MAX_PUSH_PLAINTEXT_BYTES) {
    throw new PushPayloadTooLargeError(plaintext.byteLength + padding);
  }
  const salt = input.salt ? copyBytes(input.salt) : crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  if (salt.byteLength !== SALT_BYTES) throw new RangeError('salt must be 16 bytes');

  const localKeys =
    input.localKeys ??
    ((await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
      'deriveBits',
    ])) as CryptoKeyPair);
  const asPublic = new Uint8Array((await crypto.subtle.exportKey('raw', localKeys.publicKey)) as ArrayBuffer);
  const ecdhSecret = await ecdh(localKeys.privateKey, await importUaPublic(uaPublic));
  const { cek, nonce } = await deriveKeys({ ecdhSecret, auth, uaPublic, asPublic, salt });

  // RFC 8188 §2: data || 0x02 (delimiter of the last record) || zero padding.
  const record = new Uint8Array(plaintext.byteLength + 1 + padding);
  record.set(plaintext);
  record[plaintext.byteLength] = 0x02;
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, cek, record));

  const header = new Uint8Array(PUSH_HEADER_BYTES);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(SALT_BYTES, PUSH_RECORD_SIZE);
  header[20] = P256_POINT_BYTES;
  header.set(asPublic, 21);
  return concat(header, ciphertext);
}

async function userAgentKeys(
  key: CryptoKeyPair | JsonWebKey,
): Promise<{ privateKey: CryptoKey; uaPublic: Uint8Array<ArrayBuffer> }> {
  if ('privateKey' in key && 'publicKey' in key) {
    const raw = (await crypto.subtle.exportKey('raw', key.publicKey)) as ArrayBuffer;
    return { privateKey: key.privateKey, uaPublic: new Uint8Array(raw) };
  }
  const jwk = key as JsonWebKey;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) {
    throw new TypeError('The user agent key must be a P-256 private JWK with x, y and d');
  }
  const privateKey = await crypto.subtle.importKey(
    'jwk',
    { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d },
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  );
  return { privateKey, uaPublic: concat(new Uint8Array([0x04]), base64ToBytes(jwk.x), base64ToBytes(jwk.y)) };
}

/**
 * Decrypts an `aes128gcm` push message the way the user agent does (RFC 8291 §3-4,
 * RFC 8188 §2): reads the header, derives the keys from the sender's key in `keyid`, opens the
 * single record and strips the padding. Used by tests and by the local push-service stub.
 *
 * @param uaPrivateKey the subscription's ECDH P-256 key pair, or its private JWK (with x, y, d).
 * @param auth the subscription's 16-byte auth secret, base64url or raw.
 * @throws {PushDecryptionError} when the body is malformed or does not authenticate.
 */
export async function decryptWebPush(
  body: Uint8Array,
  uaPrivateKey: CryptoKeyPair | JsonWebKey,
  auth: string | Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const authBytes = typeof auth === 'string' ? decodeBase64Url(auth) : copyBytes(auth);
  if (authBytes?.byteLength !== AUTH_SECRET_BYTES) throw new TypeError('auth must be 16 bytes');
  if (body.byteLength < PUSH_HEADER_BYTES + TAG_BYTES + 1) throw new PushDecryptionError('Body too short');
  const bytes = copyBytes(body);
  const view = new DataView(bytes.buffer);
  const salt = bytes.slice(0, SALT_BYTES);
  const rs = view.getUint32(SALT_BYTES);
  const idlen = bytes[20];
  if (idlen !== P256_POINT_BYTES) throw new PushDecryptionError(`keyid must be 65 bytes, got ${idlen}`);
  const asPublic = bytes.slice(21, 21 + P256_POINT_BYTES);
  const ciphertext = bytes.slice(21 + P256_POINT_BYTES);
  // RFC 8291 §4: exactly one record, so the ciphertext must fit in rs.
  if (rs < 18 || ciphertext.byteLength > rs) throw new PushDecryptionError('Body is not a single record');

  const { privateKey, uaPublic } = await userAgentKeys(uaPrivateKey);
  let asKey: CryptoKey;
  try {
    asKey = await crypto.subtle.importKey('raw', asPublic, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  } catch {
    throw new PushDecryptionError('keyid is not a P-256 public key');
  }
  const ecdhSecret = await ecdh(privateKey, asKey);
  const { cek, nonce } = await deriveKeys({ ecdhSecret, auth: authBytes, uaPublic, asPublic, salt });
  let record: Uint8Array;
  try {
    record = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce }, cek, ciphertext));
  } catch {
    throw new PushDecryptionError('The record does not authenticate (wrong keys or tampered body)');
  }
  let end = record.byteLength - 1;
  while (end >= 0 && record[end] === 0) end--;
  if (end < 0 || record[end] !== 0x02)
    throw new PushDecryptionError('Missing the 0x02 last-record delimiter');
  return copyBytes(record.subarray(0, end));
}
