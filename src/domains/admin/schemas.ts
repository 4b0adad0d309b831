import { z } from '@hono/zod-openapi';
import { TIERS } from '../../core/tiers';
import { ProfileSchema } from '../users/schemas';

export const AdminUserSchema = ProfileSchema.extend({
  failed_login_count: z.number().int(),
  locked_until: z.string().nullable(),
  is_locked: z.boolean(),
  admin_notes: z.string().nullable(),
}).openapi('AdminUser');

const tierCodes = TIERS.map((t) => t.code) as [string, ...string[]];
const boolish = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();

export const UserListQuery = z.object({
  role: z.enum(['user', 'admin', 'all']).optional(),
  status: z.enum(['active', 'suspended', 'disabled']).optional(),
  active: boolish,
  locked: boolish,
  tier: z.enum(tierCodes).optional(),
  search: z.string().max(100).optional(),
});

export const UserIdParam = z.object({ user_id: z.string().min(1).max(64) });

export const AdminUserUpdate = z
  .object({
    role: z.enum(['user', 'admin']).optional(),
    status: z.enum(['active', 'suspended', 'disabled']).optional(),
    is_active: z.boolean().optional(),
    tier: z.enum(tierCodes).optional(),
    subscription_plan: z.enum(tierCodes).optional().openapi({ description: "000's name for tier" }),
    is_verified: z.boolean().optional(),
    notes: z.string().max(2000).nullable().optional(),
    unlock: z.boolean().optional().openapi({ description: 'Clear failed sign-ins and any lock.' }),
  })
  .strict()
  .openapi('AdminUserUpdate');

export const UserStatisticsSchema = z.object({
  total_users: z.number().int(),
  active_users: z.number().int(),
  admins: z.number().int(),
  verified_users: z.number().int(),
  mfa_enabled: z.number().int(),
  locked_accounts: z.number().int(),
});

export const AdminSessionSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    user_agent: z.string().nullable(),
    ip_address: z.string().nullable(),
    country: z.string().nullable(),
    is_active: z.boolean(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string(),
    revoked_at: z.string().nullable(),
    revoked_reason: z.string().nullable(),
  })
  .openapi('AdminSession');

export const AuditLogSchema = z
  .object({
    id: z.string(),
    actor_user_id: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    details: z.unknown(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('AuditLog');
