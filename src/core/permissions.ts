export type Role = 'user' | 'admin';

/** Permissions carried in access tokens (001's token structure). */
export function permissionsFor(role: Role): string[] {
  const base = ['read:personal', 'write:personal'];
  return role === 'admin'
    ? [...base, 'admin:system', 'admin:users', 'admin:metrics', 'admin:performance']
    : base;
}

/** Scopes an API key may be given. `read` allows safe methods, `write` the others, `admin` admin routes. */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
