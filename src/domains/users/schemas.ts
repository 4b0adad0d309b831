import { z } from '@hono/zod-openapi';
import { freeformObject } from '../../core/json';
import { PasswordSchema } from '../../core/passwords';

export const ProfileSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    email: z.string(),
    username: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    full_name: z.string().nullable(),
    role: z.enum(['user', 'admin']),
    tier: z.string(),
    subscription: z.object({ plan: z.string(), name: z.string(), rate_limit_multiplier: z.number() }),
    status: z.string(),
    is_active: z.boolean(),
    is_verified: z.boolean(),
    mfa_enabled: z.boolean(),
    timezone: z.string(),
    language: z.string(),
    preferences: z.record(z.string(), z.unknown()),
    referral_code: z.string().nullable(),
    login_count: z.number().int(),
    last_login_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('UserProfile');

/** Only these fields; role, tier, status and anything else answer 400. */
export const ProfileUpdateBody = z
  .object({
    first_name: z.string().trim().min(1).max(100).optional(),
    last_name: z.string().trim().min(1).max(100).optional(),
    full_name: z.string().trim().min(1).max(200).optional(),
    username: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,32}$/)
      .optional(),
    timezone: z
      .string()
      .max(64)
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'Unknown IANA time zone')
      .optional(),
    language: z
      .string()
      .regex(/^[a-z]{2}(-[A-Z]{2})?$/)
      .optional(),
    preferences: freeformObject('Merged deeply into the stored preferences; null removes a key.').optional(),
  })
  .strict()
  .openapi('ProfileUpdate');

export const ChangePasswordBody = z
  .object({ current_password: z.string().min(1).max(128), new_password: PasswordSchema })
  .strict()
  .openapi('ChangePasswordRequest');

export const MessageSchema = z.object({ message: z.string() }).passthrough().openapi('Message');

export const ActivitySchema = z
  .object({
    activities: z.array(
      z.object({
        id: z.string(),
        action: z.string(),
        details: z.unknown(),
        ip_address: z.string().nullable(),
        user_agent: z.string().nullable(),
        session_id: z.string().nullable(),
        created_at: z.string(),
      }),
    ),
    engagement: z.object({
      login_count: z.number().int(),
      last_login_at: z.string().nullable(),
      member_since: z.string(),
      active_sessions: z.number().int(),
      active_days_30d: z.number().int(),
      actions_30d: z.record(z.string(), z.number()),
    }),
  })
  .openapi('UserActivity');

export const PreferencesSchema = freeformObject().openapi('Preferences', {
  example: { theme: 'dark', language: 'en', notifications: { email: true, push: true, tradeAlerts: true } },
});

export const SessionSchema = z
  .object({
    id: z.string(),
    session_id: z.string(),
    device: z.string().nullable(),
    user_agent: z.string().nullable(),
    ip_address: z.string().nullable(),
    country: z.string().nullable(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string(),
    is_active: z.boolean(),
    is_current: z.boolean(),
    revoked_at: z.string().nullable(),
    revoked_reason: z.string().nullable(),
  })
  .openapi('Session');
