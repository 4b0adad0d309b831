import { and, desc, eq, isNull } from 'drizzle-orm';
import { randomToken, sha256Hex } from '../../core/crypto';
import { ApiError, assert } from '../../core/errors';
import { newId } from '../../core/ids';
import type { ApiKeyScope } from '../../core/permissions';
import { db } from '../../db/client';
import { apiKeys, users } from '../../db/schema';
import type { Principal } from '../../env';

/** API keys start with this, so the auth middleware can tell them from JWTs. */
export const API_KEY_PREFIX = 'mk_';

export function isApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

function view(row: typeof apiKeys.$inferSelect): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    created_at: row.createdAt,
    last_used_at: row.lastUsedAt,
    expires_at: row.expiresAt,
    revoked_at: row.revokedAt,
  };
}

/** Creates a key; the only time the full key exists outside the client. */
export async function createApiKey(
  env: Env,
  owner: Principal,
  input: { name: string; scopes: ApiKeyScope[]; expires_in_days?: number | undefined },
): Promise<ApiKeyView & { key: string }> {
  assert(
    !input.scopes.includes('admin') || owner.role === 'admin',
    'AUTHORIZATION_ERROR',
    'Only admins can create keys with the admin scope',
  );
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const row = {
    id: newId('apiKey'),
    userId: owner.userId,
    name: input.name,
    prefix: key.slice(0, 11),
    keyHash: await sha256Hex(key),
    scopes: [...new Set(input.scopes)],
    expiresAt: input.expires_in_days
      ? new Date(Date.now() + input.expires_in_days * 86_400_000).toISOString()
      : null,
  };
  const [created] = await db(env).insert(apiKeys).values(row).returning();
  assert(created, 'DATABASE_ERROR', 'Could not create the API key');
  return { ...view(created), key };
}

export async function listApiKeys(env: Env, owner: Principal): Promise<ApiKeyView[]> {
  const rows = await db(env)
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.userId, owner.userId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(view);
}

/** Revokes one of the owner's keys; another user's key id answers 404. */
export async function revokeApiKey(env: Env, owner: Principal, id: string): Promise<ApiKeyView> {
  const [row] = await db(env)
    .update(apiKeys)
    .set({ revokedAt: new Date().toISOString() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, owner.userId), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) {
    const existing = await db(env)
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, owner.userId)))
      .get();
    if (!existing) throw new ApiError('NOT_FOUND', `API key ${id} not found`);
    return view(existing);
  }
  // A revoked key already fails every request; its open sockets close now too.
  await env.USER.getByName(owner.userId).closeApiKeySockets(id);
  return view(row);
}

/**
 * The principal an API key stands for, read fresh from D1 on every request so a revoked
 * key or suspended owner stops working at once. Unknown, revoked and expired keys all
 * answer the same 401.
 */
export async function principalForApiKey(
  env: Env,
  key: string,
): Promise<{ principal: Principal; status: string; touch: Promise<unknown> | null }> {
  const hash = await sha256Hex(key);
  const row = await db(env)
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.keyHash, hash))
    .get();
  const now = new Date();
  if (!row || row.key.revokedAt || (row.key.expiresAt && row.key.expiresAt <= now.toISOString())) {
    throw new ApiError('INVALID_TOKEN', 'API key is invalid, revoked or expired');
  }
  const stale = !row.key.lastUsedAt || Date.parse(row.key.lastUsedAt) < now.getTime() - 60_000;
  return {
    principal: {
      userId: row.user.id,
      email: row.user.email,
      role: row.user.role,
      tier: row.user.tier,
      apiKeyId: row.key.id,
      scopes: row.key.scopes,
    },
    status: row.user.status,
    touch: stale
      ? db(env).update(apiKeys).set({ lastUsedAt: now.toISOString() }).where(eq(apiKeys.id, row.key.id))
      : null,
  };
}
