import { env } from 'cloudflare:workers';
import { callJson } from './api';

let n = 0;

/**
 * A client address of its own (documentation ranges, RFC 5737/3849), so per-address limits
 * of one test never touch another's.
 */
export function freshIp(): string {
  n++;
  return n < 250 ? `203.0.113.${n}` : `2001:db8:${n.toString(16)}::1`;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  sessionId: string;
  ip: string;
  /** Pass as `as` to `call`/`callJson`. */
  as: { token: string };
  /** Headers that make requests come from this user's address. */
  headers: Record<string, string>;
}

interface AuthBody {
  access_token: string;
  refresh_token: string;
  session_id: string;
  user_id: string;
}

/** Registers a new user (unique email and address) and returns their tokens. */
export async function signUp(overrides: { email?: string; password?: string } = {}): Promise<TestUser> {
  const ip = freshIp();
  const email = overrides.email ?? `user-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = overrides.password ?? 'correct-horse-42';
  const { res, body } = await callJson<AuthBody>('/api/v1/auth/register', {
    method: 'POST',
    body: { email, password, first_name: 'Test', last_name: 'User' },
    headers: { 'CF-Connecting-IP': ip },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(body)}`);
  return {
    id: body.user_id,
    email,
    password,
    token: body.access_token,
    refreshToken: body.refresh_token,
    sessionId: body.session_id,
    ip,
    as: { token: body.access_token },
    headers: { 'CF-Connecting-IP': ip },
  };
}

/** Signs an existing user in again from a fresh address: a second session. */
export async function signIn(user: { email: string; password: string }, extra: Record<string, unknown> = {}) {
  const ip = freshIp();
  const { res, body } = await callJson<AuthBody>('/api/v1/auth/login', {
    method: 'POST',
    body: { email: user.email, password: user.password, ...extra },
    headers: { 'CF-Connecting-IP': ip },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return {
    token: body.access_token,
    refreshToken: body.refresh_token,
    sessionId: body.session_id,
    as: { token: body.access_token },
  };
}

/** A user promoted to admin the way `npm run admin:create` does, then signed in. */
export async function signUpAdmin(): Promise<TestUser> {
  const user = await signUp();
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(user.id).run();
  const session = await signIn(user);
  return { ...user, ...session, as: session.as };
}
