import type { Context } from 'hono';

/**
 * The caller's address as Cloudflare saw it. IPv6 addresses are cut to their /64, the
 * block one subscriber usually holds, so rotating within it does not escape a limit.
 */
export function clientAddress(c: Context): string {
  return addressKey(c.req.header('CF-Connecting-IP'));
}

/** The rate-limit key of an address: IPv4 as is, IPv6 by its /64. */
export function addressKey(ip: string | undefined | null): string {
  const value = ip?.trim();
  if (!value) return 'unknown';
  if (!value.includes(':')) return value;
  const [head = '', tail] = value.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Facts about the request recorded with sessions and activities. */
export function requestFacts(c: Context) {
  const cf = c.req.raw.cf;
  return {
    ipAddress: c.req.header('CF-Connecting-IP')?.trim() ?? null,
    userAgent: c.req.header('User-Agent')?.slice(0, 512) ?? null,
    country: typeof cf?.country === 'string' ? cf.country : null,
  };
}

export type RequestFacts = ReturnType<typeof requestFacts>;
