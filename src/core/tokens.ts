import {
  createLocalJWKSet,
  errors,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import { config } from '../env';
import { ApiError } from './errors';
import type { Role } from './permissions';

/** The only algorithm we sign with and accept: `none`, HS256 and the rest are refused. */
export const JWT_ALG = 'EdDSA';

const PrivateJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  d: z.string(),
  kid: z.string().min(1),
});
const PublicJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  kid: z.string().min(1),
});

interface KeyRing {
  kid: string;
  signingKey: CryptoKey;
  jwks: JSONWebKeySet;
  verify: ReturnType<typeof createLocalJWKSet>;
}

const rings = new Map<string, Promise<KeyRing>>();

async function buildRing(signing: string, extra: string | undefined): Promise<KeyRing> {
  const priv = PrivateJwk.parse(JSON.parse(signing));
  const others = extra ? z.array(PublicJwk).parse(JSON.parse(extra)) : [];
  const publicKeys: JWK[] = [priv, ...others.filter((k) => k.kid !== priv.kid)].map((k) => ({
    kty: k.kty,
    crv: k.crv,
    x: k.x,
    kid: k.kid,
    alg: JWT_ALG,
    use: 'sig',
  }));
  const jwks = { keys: publicKeys };
  const signingKey = (await importJWK({ ...priv, alg: JWT_ALG }, JWT_ALG)) as CryptoKey;
  return { kid: priv.kid, signingKey, jwks, verify: createLocalJWKSet(jwks) };
}

/** The signing key and every public key still accepted, parsed once per key configuration. */
export function keyRing(env: Env): Promise<KeyRing> {
  const signing = env.JWT_SIGNING_KEY;
  if (!signing)
    throw new Error('JWT_SIGNING_KEY is not set (npm start writes a development key to .dev.vars)');
  const cacheKey = `${signing}\n${env.JWT_VERIFY_KEYS ?? ''}`;
  let ring = rings.get(cacheKey);
  if (!ring) {
    ring = buildRing(signing, env.JWT_VERIFY_KEYS || undefined);
    rings.set(cacheKey, ring);
  }
  return ring;
}

export interface AccessClaims {
  sub: string;
  user_id: string;
  email: string;
  role: Role;
  tier: string;
  permissions: string[];
  sid: string;
}

/** Signs an access token for a session: EdDSA, with `kid`, `iss`, `aud`, `iat`, `nbf`, `exp`, `jti`. */
export async function signAccessToken(env: Env, claims: Omit<AccessClaims, 'sub'>): Promise<string> {
  const ring = await keyRing(env);
  const cfg = config(env);
  const { user_id, ...rest } = claims;
  return new SignJWT({ user_id, ...rest })
    .setProtectedHeader({ alg: JWT_ALG, kid: ring.kid, typ: 'JWT' })
    .setSubject(user_id)
    .setIssuer(cfg.JWT_ISSUER)
    .setAudience(cfg.JWT_AUDIENCE)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${cfg.ACCESS_TOKEN_TTL_SECONDS}s`)
    .setJti(crypto.randomUUID())
    .sign(ring.signingKey);
}

const Claims = z.object({
  sub: z.string(),
  user_id: z.string(),
  email: z.string(),
  role: z.enum(['user', 'admin']),
  tier: z.string(),
  permissions: z.array(z.string()),
  sid: z.string(),
});

const CLOCK_TOLERANCE_SECONDS = 30;
const VERIFIED_MAX = 2_000;

/**
 * Tokens this isolate has verified, per key ring: a token's signature and claims never change,
 * so while the clock is inside its `nbf`..`exp` window (with the same tolerance) a repeat is
 * answered without verifying again. Keys change only with a new deployment (secrets), which is
 * a new isolate; whether the session is still live is the user object's to say on every request.
 */
const verifiedByRing = new WeakMap<KeyRing, Map<string, AccessClaims & JWTPayload>>();

function stillInWindow(claims: JWTPayload, nowSeconds: number): boolean {
  return (
    (claims.exp ?? 0) + CLOCK_TOLERANCE_SECONDS > nowSeconds &&
    (claims.nbf ?? 0) - CLOCK_TOLERANCE_SECONDS <= nowSeconds
  );
}

/**
 * Verifies signature (by `kid`, EdDSA only), `iss`, `aud`, `exp` and `nbf`. Expired tokens
 * answer TOKEN_EXPIRED; anything else wrong answers INVALID_TOKEN.
 */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessClaims & JWTPayload> {
  const ring = await keyRing(env);
  let verified = verifiedByRing.get(ring);
  if (!verified) {
    verified = new Map();
    verifiedByRing.set(ring, verified);
  }
  const hit = verified.get(token);
  if (hit && stillInWindow(hit, Date.now() / 1000)) return hit;
  const claims = await verifyAgainst(env, ring, token);
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
  verified.set(token, claims);
  return claims;
}

async function verifyAgainst(env: Env, ring: KeyRing, token: string): Promise<AccessClaims & JWTPayload> {
  const cfg = config(env);
  try {
    const { payload } = await jwtVerify(token, ring.verify, {
      algorithms: [JWT_ALG],
      issuer: cfg.JWT_ISSUER,
      audience: cfg.JWT_AUDIENCE,
      requiredClaims: ['exp', 'nbf', 'iat', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const claims = Claims.safeParse(payload);
    if (!claims.success || claims.data.sub !== claims.data.user_id) {
      throw new ApiError('INVALID_TOKEN', 'Token claims are invalid');
    }
    return { ...payload, ...claims.data };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof errors.JWTExpired) throw new ApiError('TOKEN_EXPIRED', 'Access token has expired');
    throw new ApiError('INVALID_TOKEN', 'Access token is invalid', { cause: err });
  }
}
