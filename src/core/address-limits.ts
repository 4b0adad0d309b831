import type { BucketState, LimitDecision } from '../../durable/lib/rate-limiter';
import { type Bucket, ruleById } from './rate-limits';

/**
 * Where a client address's buckets live. Guests' own rules (`guest.*`) are counted in one of
 * GUEST_LIMIT_SHARDS shard objects, the address's buckets keyed by address inside it: a
 * guest's first request then reaches an object that is already awake instead of creating one
 * per address (measured in README "Benchmarks"), and each address still maps to exactly one
 * object, so its limits stay exact. The sign-in guards (`auth.*`, for everyone) stay in the
 * address's own object, with the live-socket slots.
 */
export const GUEST_LIMIT_SHARDS = 64;

/** The shard objects' names: `guest-shard:<n>`. */
export const GUEST_SHARD_PREFIX = 'guest-shard:';

/** FNV-1a over the address key: stable, cheap, spread evenly enough over 64 shards. */
function shardOf(address: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) {
    h ^= address.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % GUEST_LIMIT_SHARDS;
}

export interface Placement {
  /** The CLIENT_ADDRESS object's name. */
  object: string;
  buckets: Bucket[];
}

function isGuestRule(ruleId: string): boolean {
  return ruleById(ruleId)?.appliesTo === 'guest';
}

/** The object (and storage key) holding one address-scoped rule of `address`. */
export function placeRule(address: string, ruleId: string): { object: string; key: string } {
  return isGuestRule(ruleId)
    ? { object: `${GUEST_SHARD_PREFIX}${shardOf(address)}`, key: `${address}|${ruleId}` }
    : { object: address, key: ruleId };
}

/** The address's buckets grouped by the object that holds them: the address's own first. */
export function placeBuckets(address: string, buckets: Bucket[]): Placement[] {
  const own: Bucket[] = [];
  const shard: Bucket[] = [];
  for (const b of buckets) (isGuestRule(b.rule) ? shard : own).push(b);
  const out: Placement[] = [];
  if (own.length) out.push({ object: address, buckets: own });
  if (shard.length)
    out.push({
      object: placeRule(address, shard[0]?.rule ?? '').object,
      buckets: shard.map((b) => ({ ...b, key: `${address}|${b.rule}` })),
    });
  return out;
}

/**
 * Counts a request in every bucket of `address` if all have room, else counts nothing. A
 * guest's sign-in request spans two objects: the address's own (the exact sign-in guards)
 * decides first; if the shard then refuses, what the first counted is given back.
 */
export async function consumeAddress(env: Env, address: string, buckets: Bucket[]): Promise<LimitDecision> {
  const [first, second] = placeBuckets(address, buckets);
  if (!first) return { allowed: true, buckets: [] };
  const a = await env.CLIENT_ADDRESS.getByName(first.object).consume(first.buckets);
  if (!second) return a;
  if (!a.allowed) {
    const peeked = await env.CLIENT_ADDRESS.getByName(second.object).peekLimits(second.buckets);
    return { allowed: false, buckets: [...a.buckets, ...peeked] };
  }
  const b = await env.CLIENT_ADDRESS.getByName(second.object).consume(second.buckets);
  if (!b.allowed) await env.CLIENT_ADDRESS.getByName(first.object).refund(first.buckets);
  return {
    allowed: b.allowed,
    buckets: [...(b.allowed ? a.buckets : a.buckets.map(undo)), ...b.buckets],
  };
}

/** A bucket's state as it was before this request counted in it. */
function undo(s: BucketState): BucketState {
  return { ...s, used: s.used - 1, remaining: s.remaining + 1 };
}

/** The address's buckets without counting anything. */
export async function peekAddress(env: Env, address: string, buckets: Bucket[]): Promise<BucketState[]> {
  const states = await Promise.all(
    placeBuckets(address, buckets).map((p) => env.CLIENT_ADDRESS.getByName(p.object).peekLimits(p.buckets)),
  );
  return states.flat();
}
