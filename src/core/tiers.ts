/**
 * Subscription tiers and their rate-limit multipliers (seed 002, "Tier-Based Rate Limits").
 * The one source of truth: the seed copies it into D1's `subscription_tiers` for joins and
 * admin screens; the rate limiter reads it from here.
 */
export const TIERS = [
  { code: 'free', name: 'Free', rateLimitMultiplier: 1, description: 'Default tier for new accounts.' },
  { code: 'basic', name: 'Basic', rateLimitMultiplier: 1.5, description: '1.5x the standard limits.' },
  { code: 'pro', name: 'Pro', rateLimitMultiplier: 2, description: '2x the standard limits.' },
  { code: 'enterprise', name: 'Enterprise', rateLimitMultiplier: 3, description: '3x the standard limits.' },
  { code: 'mega', name: 'Mega', rateLimitMultiplier: 5, description: '5x the standard limits.' },
] as const;

export type TierCode = (typeof TIERS)[number]['code'];
