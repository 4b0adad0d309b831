import type { BucketState } from '../../../durable/lib/rate-limiter';
import { peekAddress, placeRule } from '../../core/address-limits';
import { addressKey, type RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { bucketsForCaller, RATE_LIMIT_RULES, ruleById } from '../../core/rate-limits';
import { db } from '../../db/client';
import { config, type Principal } from '../../env';
import { audit } from '../audit/service';

export interface LimitStatus extends BucketState {
  scope: 'address' | 'user';
  source: string;
}

/** The caller's buckets and their use so far, without counting this look. */
export async function callerLimits(
  env: Env,
  principal: Principal | undefined,
  address: string,
): Promise<{ unlimited: boolean; limits: LimitStatus[] }> {
  const caller = principal
    ? { kind: 'user' as const, role: principal.role, tier: principal.tier }
    : { kind: 'guest' as const };
  const buckets = bucketsForCaller(caller, config(env).RATE_LIMIT_SCALE);
  const [addressStates, userStates] = await Promise.all([
    peekAddress(env, address, buckets.address),
    principal && buckets.user.length
      ? env.USER.getByName(principal.userId).peekLimits(buckets.user)
      : Promise.resolve([] as BucketState[]),
  ]);
  const describe = (s: BucketState, scope: 'address' | 'user'): LimitStatus => ({
    ...s,
    scope,
    source: ruleById(s.rule)?.source ?? '',
  });
  return {
    unlimited: principal?.role === 'admin',
    limits: [
      ...userStates.map((s) => describe(s, 'user')),
      ...addressStates.map((s) => describe(s, 'address')),
    ],
  };
}

/**
 * Clears one rule's history for a user (user-scoped rules) or an address (address-scoped
 * ones): an admin's way out for a customer locked out by mistake. Audited.
 */
export async function resetLimit(
  env: Env,
  admin: Principal,
  input: { rule: string; userId?: string | undefined; clientIp?: string | undefined },
  facts: RequestFacts & { requestId: string },
): Promise<{ rule: string; subject: string; had_history: boolean }> {
  const rule = ruleById(input.rule);
  if (!rule) {
    throw new ApiError('NOT_FOUND', `No rate limit named ${input.rule}`, {
      details: { known: RATE_LIMIT_RULES.map((r) => r.id) },
    });
  }
  let subject: string;
  let hadHistory: boolean;
  if (rule.scope === 'user') {
    subject = input.userId ?? admin.userId;
    hadHistory = await env.USER.getByName(subject).resetLimit(rule.id);
  } else {
    subject = addressKey(input.clientIp ?? facts.ipAddress);
    const placed = placeRule(subject, rule.id);
    hadHistory = await env.CLIENT_ADDRESS.getByName(placed.object).resetLimit(placed.key);
  }
  const d = db(env);
  await d.batch([
    audit(d, {
      actorUserId: admin.userId,
      action: 'rate_limit_reset',
      targetType: rule.scope === 'user' ? 'user' : 'client_address',
      targetId: subject,
      details: { rule: rule.id },
      facts,
      requestId: facts.requestId,
    }),
  ]);
  return { rule: rule.id, subject, had_history: hadHistory };
}
