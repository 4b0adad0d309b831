import { z } from '@hono/zod-openapi';
import { PasswordSchema } from '../../core/passwords';

/** Surrounding spaces are forgiven; case is normalized by the service. */
const EmailSchema = z.string().trim().max(254).pipe(z.email());

export const RegisterBody = z
  .object({
    email: EmailSchema.openapi({ example: 'user@example.com' }),
    password: PasswordSchema.openapi({ example: 'securepassword123' }),
    first_name: z.string().trim().min(1).max(100).optional(),
    last_name: z.string().trim().min(1).max(100).optional(),
    firstName: z.string().trim().min(1).max(100).optional().openapi({ description: "002's spelling" }),
    lastName: z.string().trim().min(1).max(100).optional().openapi({ description: "002's spelling" }),
    name: z.string().trim().min(1).max(200).optional().openapi({ description: "003's full name" }),
    full_name: z.string().trim().min(1).max(200).optional().openapi({ description: "004's full name" }),
    username: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,32}$/)
      .optional(),
  })
  .strict()
  .openapi('RegisterRequest');

export const LoginBody = z
  .object({
    email: EmailSchema,
    password: z.string().min(1).max(128),
    totp_code: z
      .string()
      .regex(/^\d{6}$/)
      .optional()
      .openapi({ description: 'Required when two-factor authentication is on.' }),
  })
  .strict()
  .openapi('LoginRequest');

export const RefreshBody = z
  .object({ refresh_token: z.string().min(1).max(512).optional() })
  .strict()
  .openapi('RefreshRequest');

export const LogoutBody = RefreshBody;

/** A user as every seed's client reads it: snake_case, 002's camelCase and 003's `name`. */
export const AuthUserSchema = z
  .object({
    id: z.string().openapi({ example: 'usr_01hzy3k8m0a2b3c4d5e6f7g8h9' }),
    email: z.string(),
    username: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    full_name: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    name: z.string().nullable(),
    role: z.enum(['user', 'admin']),
    tier: z.string(),
    is_active: z.boolean(),
    is_verified: z.boolean(),
    mfa_enabled: z.boolean(),
    created_at: z.string(),
    portfolio_id: z.string().nullable().openapi({
      description:
        "004's default portfolio: always set by `/auth/me` (made on first use), null in sign-in bodies until it exists.",
    }),
  })
  .openapi('AuthUser');

const tokenFields = {
  access_token: z.string(),
  refresh_token: z.string().optional(),
  token: z
    .string()
    .openapi({ description: 'The access token again, for 002/003 clients that read `token`.' }),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().openapi({ description: 'Seconds until the access token expires.' }),
  refresh_expires_in: z.number().int().optional(),
  session_id: z.string(),
  user_id: z.string(),
};

const AuthData = z.object({ ...tokenFields, user: AuthUserSchema });

/**
 * One body for every seed's auth client (DESIGN.md): 001/004's token fields, 002/003's
 * `token` and `user`, 004 register's user fields at the top level, and 001's envelope.
 */
export const AuthResponseSchema = AuthUserSchema.extend({
  ...tokenFields,
  user: AuthUserSchema,
  success: z.literal(true),
  data: AuthData,
  meta: z.object({ timestamp: z.string(), request_id: z.string() }),
}).openapi('AuthResponse');

export const MeResponseSchema = AuthUserSchema.extend({
  user: AuthUserSchema,
  success: z.literal(true),
  data: AuthUserSchema,
  meta: z.object({ timestamp: z.string(), request_id: z.string() }),
}).openapi('MeResponse');

export const LogoutResponseSchema = z
  .object({
    success: z.literal(true),
    message: z.string(),
    data: z.object({ message: z.string(), session_id: z.string() }),
    meta: z.object({ timestamp: z.string(), request_id: z.string() }),
  })
  .openapi('LogoutResponse');

export const JwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.string(),
        crv: z.string(),
        x: z.string(),
        kid: z.string(),
        alg: z.string(),
        use: z.string(),
      }),
    ),
  })
  .openapi('JWKS');

export const TotpCodeBody = z.object({ code: z.string().regex(/^\d{6}$/) }).strict();

export const TwoFactorStatusSchema = z
  .object({ enabled: z.boolean(), pending_enrolment: z.boolean() })
  .openapi('TwoFactorStatus');

export const TwoFactorEnrolmentSchema = z
  .object({
    secret: z.string().openapi({ description: 'Base32 secret, for manual entry.' }),
    otpauth_uri: z.string().openapi({ example: 'otpauth://totp/Meridian:user%40example.com?secret=...' }),
    algorithm: z.literal('SHA1'),
    digits: z.literal(6),
    period: z.literal(30),
  })
  .openapi('TwoFactorEnrolment');
