import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64Url } from '../../src/core/crypto';
import {
  assertPushEndpoint,
  classifyPushResponse,
  decryptWebPush,
  encryptWebPush,
  generateVapidKeys,
  MAX_PUSH_PLAINTEXT_BYTES,
  PushDecryptionError,
  PushEndpointError,
  type PushEndpointErrorReason,
  PushPayloadTooLargeError,
  PushSubscriptionError,
  p256PrivateJwk,
  parseIpv6,
  parseRetryAfter,
  parseWhatwgIpv4,
  sendPush,
  VAPID_TOKEN_TTL_SECONDS,
  type VapidCredentials,
  vapidAuthorization,
} from '../../src/notifications/push';

const decoder = new TextDecoder();

/** RFC 8291 §5 and Appendix A, line breaks removed. */
const RFC8291 = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPublic: 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  body: 'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};

const FCM_ENDPOINT =
  'https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH0_test-token_8s2kLq0ZxY3vU7wQ9rT1mN5pB6cD4eF';

/** A browser's side of a subscription: its ECDH key pair and what it hands the server. */
async function newUserAgent() {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey('raw', keys.publicKey)) as ArrayBuffer);
  const auth = crypto.getRandomValues(new Uint8Array(16));
  return { keys, p256dh: bytesToBase64Url(raw), auth: bytesToBase64Url(auth) };
}

async function rfcSenderKeys(): Promise<CryptoKeyPair> {
  const privateKey = await crypto.subtle.importKey(
    'jwk',
    p256PrivateJwk(RFC8291.asPublic, RFC8291.asPrivate),
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  );
  const publicKey = await crypto.subtle.importKey(
    'raw',
    base64ToBytes(RFC8291.asPublic),
    { name: 'ECDH', namedCurve: 'P-256' },
    true,
    [],
  );
  return { privateKey, publicKey };
}

function decodeJson(segment: string): Record<string, unknown> {
  return JSON.parse(decoder.decode(base64ToBytes(segment))) as Record<string, unknown>;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('encryptWebPush / decryptWebPush (RFC 8291, aes128gcm)', () => {
  it('reproduces the RFC 8291 §5 example byte for byte', async () => {
    const body = await encryptWebPush({
      p256dh: RFC8291.uaPublic,
      auth: RFC8291.auth,
      payload: RFC8291.plaintext,
      salt: base64ToBytes(RFC8291.salt),
      localKeys: await rfcSenderKeys(),
    });
    expect(bytesToBase64Url(body)).toBe(RFC8291.body);
    expect(body.byteLength).toBe(86 + 41 + 1 + 16);
  });

  it('decrypts the RFC 8291 §5 body with the user agent private key', async () => {
    const plaintext = await decryptWebPush(
      base64ToBytes(RFC8291.body),
      p256PrivateJwk(RFC8291.uaPublic, RFC8291.uaPrivate),
      RFC8291.auth,
    );
    expect(decoder.decode(plaintext)).toBe(RFC8291.plaintext);
  });

  it('round-trips with fresh keys and writes the aes128gcm header', async () => {
    const ua = await newUserAgent();
    const message = JSON.stringify({ title: 'BTC crossed 100k', body: 'Prix ≥ 100 000 $ 🚀' });
    const body = await encryptWebPush({ p256dh: ua.p256dh, auth: ua.auth, payload: message });
    const payloadBytes = new TextEncoder().encode(message).byteLength;

    expect(body.byteLength).toBe(86 + payloadBytes + 1 + 16);
    const view = new DataView(body.buffer, body.byteOffset);
    expect(view.getUint32(16)).toBe(4096);
    expect(body[20]).toBe(65);
    expect(body[21]).toBe(0x04);
    expect(decoder.decode(await decryptWebPush(body, ua.keys, ua.auth))).toBe(message);
  });

  it('uses a fresh salt and ephemeral key for every message', async () => {
    const ua = await newUserAgent();
    const a = await encryptWebPush({ p256dh: ua.p256dh, auth: ua.auth, payload: 'same' });
    const b = await encryptWebPush({ p256dh: ua.p256dh, auth: ua.auth, payload: 'same' });
    expect(bytesToBase64Url(a.slice(0, 16))).not.toBe(bytesToBase64Url(b.slice(0, 16)));
    expect(bytesToBase64Url(a.slice(21, 86))).not.toBe(bytesToBase64Url(b.slice(21, 86)));
    expect(decoder.decode(await decryptWebPush(b, ua.keys, ua.auth))).toBe('same');
  });

  it('round-trips binary payloads with padding', async () => {
    const ua = await newUserAgent();
    const payload = new Uint8Array([0, 1, 2, 0, 0]);
    const body = await encryptWebPush({ p256dh: ua.p256dh, auth: ua.auth, payload, padding: 100 });
    expect(body.byteLength).toBe(86 + 5 + 1 + 100 + 16);
    expect([...(await decryptWebPush(body, ua.keys, ua.auth))]).toEqual([0, 1, 2, 0, 0]);
  });

  it('refuses a tampered body and a wrong auth secret', async () => {
    const ua = await newUserAgent();
    const body = await encryptWebPush({ p256dh: ua.p256dh, auth: ua.auth, payload: 'hello' });
    const tampered = body.slice();
    tampered[tampered.byteLength - 1] = (tampered[tampered.byteLength - 1] ?? 0) ^ 1;
    expect(await rejection(decryptWebPush(tampered, ua.keys, ua.auth))).toBeInstanceOf(PushDecryptionError);
    const otherAuth = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    expect(await rejection(decryptWebPush(body, ua.keys, otherAuth))).toBeInstanceOf(PushDecryptionError);
  });

  it(`accepts ${MAX_PUSH_PLAINTEXT_BYTES} bytes (a 4096-byte body) and refuses one byte more`, async () => {
    const ua = await newUserAgent();
    expect(MAX_PUSH_PLAINTEXT_BYTES).toBe(3993);
    const body = await encryptWebPush({
      p256dh: ua.p256dh,
      auth: ua.auth,
      payload: new Uint8Array(3993).fill(0x61),
    });
    expect(body.byteLength).toBe(4096);
    expect((await decryptWebPush(body, ua.keys, ua.auth)).byteLength).toBe(3993);

    const error = await rejection(
      encryptWebPush({ p256dh: ua.p256dh, auth: ua.auth, payload: 'a'.repeat(3994) }),
    );
    expect(error).toBeInstanceOf(PushPayloadTooLargeError);
    expect(error).toMatchObject({ size: 3994, limit: 3993 });
    const padded = await rejection(
      encryptWebPush({ p256dh: ua.p256dh, auth: ua.auth, payload: 'a'.repeat(3990), padding: 4 }),
    );
    expect(padded).toMatchObject({ name: 'PushPayloadTooLargeError', size: 3994 });
  });

  it('refuses malformed subscription keys', async () => {
    const ua = await newUserAgent();
    const shortKey = bytesToBase64Url(new Uint8Array(33).fill(2));
    expect(await rejection(encryptWebPush({ p256dh: shortKey, auth: ua.auth, payload: 'x' }))).toMatchObject({
      name: 'PushSubscriptionError',
      reason: 'invalid_p256dh',
    });
    // 65 bytes with the right prefix but not on the curve.
    const offCurve = bytesToBase64Url(new Uint8Array(65).fill(1).fill(4, 0, 1));
    const error = await rejection(encryptWebPush({ p256dh: offCurve, auth: ua.auth, payload: 'x' }));
    expect(error).toBeInstanceOf(PushSubscriptionError);
    expect(error).toMatchObject({ reason: 'invalid_p256dh' });
    expect(
      await rejection(encryptWebPush({ p256dh: ua.p256dh, auth: 'c2hvcnQ', payload: 'x' })),
    ).toMatchObject({ reason: 'invalid_auth' });
  });
});

describe('VAPID (RFC 8292)', () => {
  it('generates keys in the web-push format', async () => {
    const keys = await generateVapidKeys();
    const publicKey = base64ToBytes(keys.publicKey);
    expect(publicKey.byteLength).toBe(65);
    expect(publicKey[0]).toBe(0x04);
    expect(base64ToBytes(keys.privateKey).byteLength).toBe(32);
    expect(keys.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(keys.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs an ES256 JWT with aud = the endpoint origin, exp = now + 12 h and sub', async () => {
    const keys = await generateVapidKeys();
    const now = new Date('2030-01-02T03:04:05Z');
    const header = await vapidAuthorization({
      endpoint: `${FCM_ENDPOINT}?x=1`,
      vapid: { ...keys, subject: 'mailto:ops@meridian.example' },
      now,
    });
    const match = /^vapid t=([\w-]+)\.([\w-]+)\.([\w-]+), k=([\w-]+)$/.exec(header);
    expect(match).not.toBeNull();
    const [, h = '', p = '', s = '', k = ''] = match ?? [];
    expect(k).toBe(keys.publicKey);
    expect(decodeJson(h)).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(decodeJson(p)).toEqual({
      aud: 'https://fcm.googleapis.com',
      exp: Math.floor(now.getTime() / 1000) + 12 * 3600,
      sub: 'mailto:ops@meridian.example',
    });
    const verifyKey = await crypto.subtle.importKey(
      'raw',
      base64ToBytes(k),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    const signature = base64ToBytes(s);
    expect(signature.byteLength).toBe(64);
    const data = new TextEncoder().encode(`${h}.${p}`);
    const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, verifyKey, signature, data);
    expect(ok).toBe(true);
    const other = await generateVapidKeys();
    const otherKey = await crypto.subtle.importKey(
      'raw',
      base64ToBytes(other.publicKey),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, otherKey, signature, data)).toBe(
      false,
    );
  });

  it('refuses a bad subject, a lifetime over 24 h and a malformed key', async () => {
    const keys = await generateVapidKeys();
    const endpoint = FCM_ENDPOINT;
    await expect(
      vapidAuthorization({ endpoint, vapid: { ...keys, subject: 'ops@meridian.example' } }),
    ).rejects.toThrow(/mailto/);
    await expect(
      vapidAuthorization({ endpoint, vapid: { ...keys, subject: 'http://meridian.example' } }),
    ).rejects.toThrow(/mailto/);
    await expect(
      vapidAuthorization({
        endpoint,
        vapid: { ...keys, subject: 'https://meridian.example' },
        expiresInSeconds: 24 * 3600 + 1,
      }),
    ).rejects.toThrow(/24 h/);
    await expect(
      vapidAuthorization({
        endpoint,
        vapid: { ...keys, publicKey: 'AAAA', subject: 'https://meridian.example' },
      }),
    ).rejects.toThrow(/65 bytes/);
  });
});

interface Delivered {
  plaintext: string;
  headers: Record<string, string | null>;
  jwt: Record<string, unknown>;
  redirect: string | undefined;
}

/**
 * A local push service: checks the request the way RFC 8030/8292 services do (headers, the
 * VAPID signature with the key from `k=`, its aud/exp/sub), decrypts the body with the
 * subscription's private key (RFC 8291) and answers 201.
 */
function pushServiceStub(ua: { keys: CryptoKeyPair; auth: string }, delivered: Delivered[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    expect(request.method).toBe('POST');
    expect(request.headers.get('Content-Encoding')).toBe('aes128gcm');
    expect(request.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(request.headers.get('TTL')).toMatch(/^\d+$/);

    const auth = /^vapid t=([\w-]+)\.([\w-]+)\.([\w-]+), k=([\w-]+)$/.exec(
      request.headers.get('Authorization') ?? '',
    );
    if (!auth) return new Response('missing vapid', { status: 401 });
    const [, h = '', p = '', s = '', k = ''] = auth;
    const key = await crypto.subtle.importKey(
      'raw',
      base64ToBytes(k),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    const signed = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      base64ToBytes(s),
      new TextEncoder().encode(`${h}.${p}`),
    );
    if (!signed || decodeJson(h).alg !== 'ES256') return new Response('bad signature', { status: 403 });
    const claims = decodeJson(p);
    const now = Date.now() / 1000;
    if (claims.aud !== new URL(request.url).origin) return new Response('bad aud', { status: 403 });
    if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + 24 * 3600) {
      return new Response('bad exp', { status: 403 });
    }
    if (typeof claims.sub !== 'string' || !/^(mailto|https):/.test(claims.sub)) {
      return new Response('bad sub', { status: 403 });
    }

    const body = new Uint8Array(await request.arrayBuffer());
    const plaintext = decoder.decode(await decryptWebPush(body, ua.keys, ua.auth));
    delivered.push({
      plaintext,
      jwt: claims,
      redirect: init?.redirect,
      headers: Object.fromEntries(
        ['TTL', 'Urgency', 'Topic'].map((name) => [name, request.headers.get(name)] as const),
      ),
    });
    return new Response(null, { status: 201, headers: { Location: `${request.url}/msg/1` } });
  };
}

function answering(status: number, headers: Record<string, string> = {}) {
  const calls: string[] = [];
  const stub: typeof fetch = async (input) => {
    calls.push(new Request(input).url);
    return new Response(status === 204 ? null : 'body', { status, headers });
  };
  return { stub, calls };
}

describe('sendPush', () => {
  async function setup() {
    const ua = await newUserAgent();
    const vapid: VapidCredentials = {
      ...(await generateVapidKeys()),
      subject: 'mailto:push@meridian.example',
    };
    const subscription = { endpoint: FCM_ENDPOINT, keys: { p256dh: ua.p256dh, auth: ua.auth } };
    return { ua, vapid, subscription };
  }

  it('delivers to a push service that verifies VAPID and decrypts the message', async () => {
    const { ua, vapid, subscription } = await setup();
    const delivered: Delivered[] = [];
    const payload = JSON.stringify({ type: 'price_alert', asset: 'BTC', price: 101_250.5 });
    const result = await sendPush({
      subscription,
      payload,
      vapid,
      ttlSeconds: 3600,
      urgency: 'high',
      topic: 'alert-btc',
      fetch: pushServiceStub(ua, delivered),
    });
    expect(result).toEqual({ status: 'delivered', httpStatus: 201 });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.plaintext).toBe(payload);
    expect(delivered[0]?.headers).toEqual({ TTL: '3600', Urgency: 'high', Topic: 'alert-btc' });
    expect(delivered[0]?.jwt).toMatchObject({ aud: 'https://fcm.googleapis.com', sub: vapid.subject });
    expect(delivered[0]?.redirect).toBe('manual');
  });

  it('sends a one-day TTL and no Urgency or Topic by default', async () => {
    const { ua, vapid, subscription } = await setup();
    const delivered: Delivered[] = [];
    const result = await sendPush({
      subscription,
      payload: 'hi',
      vapid,
      fetch: pushServiceStub(ua, delivered),
    });
    expect(result.status).toBe('delivered');
    expect(delivered[0]?.plaintext).toBe('hi');
    expect(delivered[0]?.headers).toEqual({ TTL: '86400', Urgency: null, Topic: null });
    const exp = delivered[0]?.jwt.exp;
    expect(
      typeof exp === 'number' && Math.abs(exp - (Date.now() / 1000 + VAPID_TOKEN_TTL_SECONDS)),
    ).toBeLessThan(5);
  });

  it.each([
    [404, 'expired'],
    [410, 'expired'],
    [202, 'delivered'],
    [200, 'delivered'],
    [400, 'rejected'],
    [403, 'rejected'],
    [413, 'rejected'],
    [301, 'rejected'],
    [500, 'retry'],
  ] as const)('answers %i as %s', async (httpStatus, status) => {
    const { vapid, subscription } = await setup();
    const { stub, calls } = answering(
      httpStatus,
      httpStatus === 301 ? { Location: 'https://127.0.0.1/' } : {},
    );
    const result = await sendPush({ subscription, payload: 'x', vapid, fetch: stub });
    expect(result).toEqual({ status, httpStatus });
    expect(calls).toEqual([FCM_ENDPOINT]);
  });

  it('answers 429 with Retry-After as retry with the delay', async () => {
    const { vapid, subscription } = await setup();
    const { stub } = answering(429, { 'Retry-After': '120' });
    expect(await sendPush({ subscription, payload: 'x', vapid, fetch: stub })).toEqual({
      status: 'retry',
      httpStatus: 429,
      retryAfterSeconds: 120,
    });
  });

  it('reads an HTTP-date Retry-After on 503', async () => {
    const { vapid, subscription } = await setup();
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 90_000).toUTCString();
    const result = await sendPush({
      subscription,
      payload: 'x',
      vapid,
      fetch: answering(503, { 'Retry-After': at }).stub,
    });
    expect(result.status).toBe('retry');
    expect(result.httpStatus).toBe(503);
    expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(88);
    expect(result.retryAfterSeconds).toBeLessThanOrEqual(91);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', new Date('2015-10-21T07:27:00Z'))).toBe(60);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(classifyPushResponse(408)).toBe('retry');
  });

  it('refuses an oversize payload without calling the push service', async () => {
    const { vapid, subscription } = await setup();
    const { stub, calls } = answering(201);
    const error = await rejection(sendPush({ subscription, payload: 'é'.repeat(2000), vapid, fetch: stub }));
    expect(error).toBeInstanceOf(PushPayloadTooLargeError);
    expect((error as Error).message).toContain('4000 bytes');
    expect(calls).toEqual([]);
  });

  it('refuses a private endpoint without calling it', async () => {
    const { vapid, subscription } = await setup();
    const { stub, calls } = answering(201);
    const error = await rejection(
      sendPush({
        subscription: { ...subscription, endpoint: 'https://169.254.169.254/latest/meta-data' },
        payload: 'x',
        vapid,
        fetch: stub,
      }),
    );
    expect(error).toBeInstanceOf(PushEndpointError);
    expect(error).toMatchObject({ reason: 'private_ipv4' });
    expect(calls).toEqual([]);
  });

  it('refuses a bad topic or TTL', async () => {
    const { vapid, subscription } = await setup();
    const { stub, calls } = answering(201);
    await expect(
      sendPush({ subscription, payload: 'x', vapid, topic: 'has space', fetch: stub }),
    ).rejects.toThrow(/topic/);
    await expect(
      sendPush({ subscription, payload: 'x', vapid, ttlSeconds: -1, fetch: stub }),
    ).rejects.toThrow(/ttlSeconds/);
    expect(calls).toEqual([]);
  });
});

describe('assertPushEndpoint (SSRF guard)', () => {
  it.each([
    ['http://fcm.googleapis.com/fcm/send/abc', 'not_https'],
    ['ftp://fcm.googleapis.com/x', 'not_https'],
    ['not a url', 'invalid_url'],
    ['https://localhost/push', 'local_hostname'],
    ['https://LOCALHOST./push', 'local_hostname'],
    ['https://api.localhost/push', 'local_hostname'],
    ['https://printer.local/push', 'local_hostname'],
    ['https://metadata.google.internal/computeMetadata', 'local_hostname'],
    ['https://nas.home.arpa/push', 'local_hostname'],
    ['https://intranet/push', 'single_label_hostname'],
    ['https://localhost../push', 'local_hostname'],
    ['https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/push', 'local_hostname'],
    ['https://127\u30020\u30020\u30021/push', 'private_ipv4'],
    ['https://127.0.0.1/push', 'private_ipv4'],
    ['https://127.1/push', 'private_ipv4'],
    ['https://10.1.2.3/push', 'private_ipv4'],
    ['https://172.16.0.1/push', 'private_ipv4'],
    ['https://172.31.255.255/push', 'private_ipv4'],
    ['https://192.168.1.1/push', 'private_ipv4'],
    ['https://100.64.0.1/push', 'private_ipv4'],
    ['https://169.254.169.254/latest/meta-data', 'private_ipv4'],
    ['https://0.0.0.0/push', 'private_ipv4'],
    ['https://192.0.0.8/push', 'private_ipv4'],
    ['https://198.19.0.1/push', 'private_ipv4'],
    ['https://224.0.0.1/push', 'private_ipv4'],
    ['https://240.0.0.1/push', 'private_ipv4'],
    ['https://255.255.255.255/push', 'private_ipv4'],
    ['https://2130706433/push', 'private_ipv4'],
    ['http://2130706433/', 'not_https'],
    ['https://0x7f.0.0.1/push', 'private_ipv4'],
    ['https://0x7f.1/push', 'private_ipv4'],
    ['https://0177.0.0.1/push', 'private_ipv4'],
    ['https://0xa9fea9fe/push', 'private_ipv4'],
    ['https://[::1]/push', 'private_ipv6'],
    ['https://[::]/push', 'private_ipv6'],
    ['https://[fc00::1]/push', 'private_ipv6'],
    ['https://[fd12:3456::1]/push', 'private_ipv6'],
    ['https://[fe80::1]/push', 'private_ipv6'],
    ['https://[ff02::1]/push', 'private_ipv6'],
    ['https://[::ffff:127.0.0.1]/push', 'private_ipv6'],
    ['https://[::ffff:10.0.0.1]/push', 'private_ipv6'],
    ['https://[::ffff:a9fe:a9fe]/push', 'private_ipv6'],
    ['https://[64:ff9b::7f00:1]/push', 'private_ipv6'],
    ['https://[2002:7f00:1::1]/push', 'private_ipv6'],
    ['https://user:pass@fcm.googleapis.com/fcm/send/abc', 'credentials'],
    ['https://user@fcm.googleapis.com/fcm/send/abc', 'credentials'],
    ['https://fcm.googleapis.com:8443/fcm/send/abc', 'port'],
    ['https://fcm.googleapis.com:80/fcm/send/abc', 'port'],
  ] satisfies Array<[string, PushEndpointErrorReason]>)('rejects %s (%s)', (url, reason) => {
    let error: unknown;
    try {
      assertPushEndpoint(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PushEndpointError);
    expect(error).toMatchObject({ name: 'PushEndpointError', reason });
  });

  it.each([
    FCM_ENDPOINT,
    'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk',
    'https://web.push.apple.com/QGx1c2VyLmV4YW1wbGU',
    'https://wns2-by3p.notify.windows.com/w/?token=BQYAAA',
    'https://fcm.googleapis.com:443/fcm/send/abc',
    'https://8.8.8.8/push',
    'https://[2001:4860:4860::8888]/push',
    'https://[::ffff:8.8.8.8]/push',
    'https://172.32.0.1/push',
  ])('accepts %s', (url) => {
    expect(assertPushEndpoint(url).protocol).toBe('https:');
  });

  it('returns the parsed URL', () => {
    const url = assertPushEndpoint(FCM_ENDPOINT);
    expect(url.hostname).toBe('fcm.googleapis.com');
    expect(url.href).toBe(FCM_ENDPOINT);
  });

  it('sees what new URL() makes of numeric hosts in workerd, and parses them the same way itself', () => {
    expect(new URL('https://2130706433/').hostname).toBe('127.0.0.1');
    expect(new URL('https://0x7f.1/').hostname).toBe('127.0.0.1');
    expect(new URL('https://0177.0.0.1/').hostname).toBe('127.0.0.1');
    expect(new URL('https://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
    // Our own WHATWG IPv4 parser, for hosts that did not come through new URL().
    const loopback = 0x7f000001;
    expect(parseWhatwgIpv4('2130706433')).toBe(loopback);
    expect(parseWhatwgIpv4('0x7f.0.0.1')).toBe(loopback);
    expect(parseWhatwgIpv4('0x7f.1')).toBe(loopback);
    expect(parseWhatwgIpv4('0177.0.0.1')).toBe(loopback);
    expect(parseWhatwgIpv4('127.1.')).toBe(loopback);
    expect(parseWhatwgIpv4('fcm.googleapis.com')).toBeUndefined();
    expect(parseWhatwgIpv4('1.2.3.4.5')).toBeNull();
    expect(parseWhatwgIpv4('256.0.0.1')).toBeNull();
    expect(parseWhatwgIpv4('09.0.0.1')).toBeNull();
    expect(parseIpv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIpv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
  });
});
