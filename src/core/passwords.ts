import { z } from 'zod';
import { base64ToBytes, bytesToBase64, timingSafeEqual } from './crypto';

/**
 * PBKDF2-HMAC-SHA256 cost. 100,000 is the most production Workers accept (more throws
 * NotSupportedError there, though local workerd allows it); the count is stored in each
 * hash, so it can be raised, or the scheme replaced, with `needsRehash` upgrading users
 * at their next login.
 */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'pbkdf2-sha256';

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64), with a fresh random salt. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${bytesToBase64(salt)}$${bytesToBase64(hash)}`;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array;
}

function parse(stored: string): ParsedHash | null {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== SCHEME || !iterations || !salt || !hash) return null;
  const n = Number(iterations);
  if (!Number.isInteger(n) || n < 1 || n > PBKDF2_ITERATIONS) return null;
  return { iterations: n, salt: base64ToBytes(salt), hash: base64ToBytes(hash) };
}

/** Checks `password` against a stored hash in constant time. Unknown formats never match. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  return timingSafeEqual(await derive(password, parsed.salt, parsed.iterations), parsed.hash);
}

/** Whether a stored hash uses weaker settings than today's, so it should be replaced. */
export function needsRehash(stored: string): boolean {
  return parse(stored)?.iterations !== PBKDF2_ITERATIONS;
}

/** A hash of a random password, verified against when the email is unknown, so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomUUID());
  return decoy;
}

const COMMON = new Set([
  'password',
  'password1',
  'password123',
  '12345678',
  'qwerty123',
  'letmein1',
  'iloveyou1',
]);

/** 8-128 characters, at least one letter and one non-letter, not a well-known password. */
export const PasswordSchema = z
  .string()
  .min(8, 'Password must be at least 8 characters')
  .max(128, 'Password must be at most 128 characters')
  .refine((p) => /\p{L}/u.test(p) && /[^\p{L}]/u.test(p), 'Password needs a letter and a digit or symbol')
  .refine((p) => !COMMON.has(p.toLowerCase()), 'This password is too common');

/** Emails compare trimmed and lower-cased; that form is the one stored. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
