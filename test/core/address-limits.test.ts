import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { GUEST_LIMIT_SHARDS, peekAddress, placeBuckets, placeRule } from '../../src/core/address-limits';
import { addressKey } from '../../src/core/client';
import { bucketsFor } from '../../src/core/rate-limits';
import { call, callJson } from '../helpers/api';
import { signUp, signUpAdmin } from '../helpers/users';

// Addresses of their own (198.18.0.0/15, the benchmarking range), so no other test's count meets them.
let n = Math.floor(Math.random() * 60_000);
const ip = () => {
  n++;
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
};

/** Two fresh addresses whose guest buckets live in the same shard object. */
function sameShardPair(): [string, string] {
  const first = ip();
  const shard = placeRule(first, 'guest.global').object;
  for (;;) {
    const other = ip();
    if (placeRule(other, 'guest.global').object === shard) return [first, other];
  }
}

const spend = (address: string, times: number) =>
  Promise.all(
    Array.from({ length: times }, () => call('/api/health', { headers: { 'CF-Connecting-IP': address } })),
  );

describe('guest limits in shard objects', () => {
  it('keep guests’ own rules in one of the shards and the sign-in guards in the address’s object', () => {
    const address = ip();
    const login = bucketsFor('POST', '/api/auth/login', { kind: 'guest' }).address;
    const placed = placeBuckets(address, login);
    expect(placed).toEqual([
      {
        object: address,
        buckets: expect.arrayContaining([
          expect.objectContaining({ rule: 'auth.login.minute', key: 'auth.login.minute' }),
        ]),
      },
      {
        object: expect.stringMatching(/^guest-shard:\d+$/),
        buckets: [expect.objectContaining({ rule: 'guest.global', key: `${address}|guest.global` })],
      },
    ]);
    const shards = new Set(Array.from({ length: 2000 }, () => placeRule(ip(), 'guest.global').object));
    expect(shards.size).toBe(GUEST_LIMIT_SHARDS);
  });

  it('count each address exactly: one address spent to its limit leaves another in its shard untouched', async () => {
    const [spent, neighbour] = sameShardPair();
    const statuses = (await spend(spent, 110)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const other = await call('/api/health', { headers: { 'CF-Connecting-IP': neighbour } });
    expect(other.status).toBe(200);
    expect(other.headers.get('X-RateLimit-Remaining')).toBe('99');
  });

  it('give back the sign-in count when the guest limit refuses a login', async () => {
    const address = ip();
    const user = await signUp();
    // Held mid-minute, so the login minute window cannot roll over between the two looks.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2031-03-01T00:00:30Z'));
    try {
      await spend(address, 100);
      const login = await call('/api/auth/login', {
        method: 'POST',
        body: { email: user.email, password: 'wrong-pass-1' },
        headers: { 'CF-Connecting-IP': address },
      });
      expect(login.status).toBe(429);
      const body = (await login.json()) as { error: { details: { limits: { rule: string }[] } } };
      expect(body.error.details.limits.map((l) => l.rule)).toEqual(['guest.global']);
      const states = await peekAddress(
        env,
        addressKey(address),
        bucketsFor('POST', '/api/auth/login', { kind: 'guest' }).address,
      );
      expect(states.find((s) => s.rule === 'auth.login.minute')?.used).toBe(0);
      expect(states.find((s) => s.rule === 'guest.global')?.used).toBe(100);
    } finally {
      vi.useRealTimers();
    }
  });

  it('are reported and reset per address through the admin route', async () => {
    const address = ip();
    await spend(address, 3);
    const status = await callJson<{ data: { limits: { rule: string; used: number }[] } }>(
      '/api/v1/security/rate-limits',
      { headers: { 'CF-Connecting-IP': address } },
    );
    expect(status.body.data.limits.find((l) => l.rule === 'guest.global')?.used).toBe(4);
    const admin = await signUpAdmin();
    const reset = await callJson<{ had_history: boolean }>(
      `/api/background-jobs/rate-limits/guest.global/reset?client_ip=${address}`,
      { method: 'POST', as: admin.as },
    );
    expect(reset.body).toMatchObject({ had_history: true });
    const after = await call('/api/health', { headers: { 'CF-Connecting-IP': address } });
    expect(after.headers.get('X-RateLimit-Remaining')).toBe('99');
  });
});
