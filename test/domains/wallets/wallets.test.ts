import { env } from 'cloudflare:workers';
import { getAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { unsealAccount } from '../../../src/domains/wallets/keys';
import { call, callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

interface Wallet {
  id: string;
  address: string;
  type: string;
  chain_id: number;
  chain_name: string;
}

async function createWallet(user: TestUser, chain_id = 1): Promise<Wallet> {
  const { res, body } = await callJson<Wallet>('/api/wallets', {
    method: 'POST',
    as: user.as,
    body: { chain_id, label: 'Main' },
  });
  expect(res.status).toBe(201);
  return body;
}

describe('custodial wallets', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    await seedMarket(['ETH']);
    alice = await signUp();
    bob = await signUp();
  });

  it('creates a wallet on each of the seven chains with an EIP-55 address and lists them', async () => {
    const ids = [1, 8453, 42161, 137, 10, 43114, 56];
    const names = ['Ethereum', 'Base', 'Arbitrum One', 'Polygon', 'Optimism', 'Avalanche', 'BNB Chain'];
    const user = await signUp();
    for (const [i, chain_id] of ids.entries()) {
      const w = await createWallet(user, chain_id);
      expect(w.id).toMatch(/^wallet_/);
      expect(w.type).toBe('custodial');
      expect(w.chain_name).toBe(names[i]);
      expect(getAddress(w.address)).toBe(w.address);
      expect(w.address).not.toBe(w.address.toLowerCase());
    }
    const { body } = await callJson<Wallet[]>('/api/wallets', { as: user.as });
    expect(body.map((w) => w.chain_id)).toEqual(ids);
    expect(new Set(body.map((w) => w.address)).size).toBe(7);
  });

  it('rejects an unknown chain and extra fields, and stores nothing', async () => {
    const user = await signUp();
    for (const body of [{ chain_id: 31337 }, { chain_id: 1, private_key: '0x01' }, { chain_id: 'x' }, {}]) {
      const { res, body: err } = await callJson<{ error: { code: string } }>('/api/wallets', {
        method: 'POST',
        as: user.as,
        body,
      });
      expect(res.status).toBe(400);
      expect(err.error.code).toBe('VALIDATION_ERROR');
    }
    const { body } = await callJson<Wallet[]>('/api/wallets', { as: user.as });
    expect(body).toEqual([]);
  });

  it('seals the key under a per-wallet data key; no response or log ever carries key material', async () => {
    const logs: string[] = [];
    const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        logs.push(args.map(String).join(' '));
      }),
    );
    const responses: string[] = [];
    const record = async (path: string, init: Parameters<typeof call>[1]) => {
      const res = await call(path, init);
      responses.push(`${[...res.headers].join(';')}\n${await res.text()}`);
      return res;
    };
    try {
      const w = await createWallet(alice);
      await record('/api/wallets', { as: alice.as });
      await record(`/api/wallets/${w.id}`, { as: alice.as });
      await record(`/api/wallets/${w.id}/balance`, { as: alice.as });
      await record(`/api/wallets/${w.id}/refresh-balance`, { method: 'POST', as: alice.as });
      await record(`/api/wallets/${w.id}/transactions`, { as: alice.as });
      await record(`/api/wallets/${w.id}/withdraw`, {
        method: 'POST',
        as: alice.as,
        body: {
          to_address: '0x742D35CC6634c0532925A3b844BC9E7595F0BEb0',
          amount: '1',
          two_factor_token: '123456',
        },
      });
      await record('/api/wallets/refresh-balances', { method: 'POST', as: alice.as });
      await record('/openapi.json', {});

      const row = await env.DB.prepare(
        'SELECT sealed_key, wrapped_data_key, key_id, address FROM wallets WHERE id = ?',
      )
        .bind(w.id)
        .first<{ sealed_key: string; wrapped_data_key: string; key_id: string; address: string }>();
      expect(row?.key_id).toMatch(/^dek-[0-9a-f]{16}$/);
      expect(row?.sealed_key).toMatch(/^v1\./);
      const account = await unsealAccount(env, {
        sealedKey: row?.sealed_key ?? null,
        wrappedDataKey: row?.wrapped_data_key ?? null,
        keyId: row?.key_id ?? null,
        address: row?.address ?? '',
      });
      expect(account.address).toBe(w.address);
      // The private key itself: recover it the only way there is, by unsealing, then look for it.
      const { decryptString } = await import('../../../src/core/crypto');
      const dataKey = await decryptString(env.DATA_ENCRYPTION_KEY, row?.wrapped_data_key ?? '');
      const secrets = [dataKey, row?.sealed_key ?? '', row?.wrapped_data_key ?? '', env.DATA_ENCRYPTION_KEY];
      const haystack = [...responses, ...logs].join('\n');
      for (const s of secrets) expect(haystack).not.toContain(s);
      // Sealed rows of two wallets never share a data key.
      const w2 = await createWallet(alice);
      const row2 = await env.DB.prepare('SELECT wrapped_data_key FROM wallets WHERE id = ?')
        .bind(w2.id)
        .first<{ wrapped_data_key: string }>();
      expect(await decryptString(env.DATA_ENCRYPTION_KEY, row2?.wrapped_data_key ?? '')).not.toBe(dataKey);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it("answers 404 for another user's wallet on every wallet route, and changes nothing", async () => {
    const w = await createWallet(alice);
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/wallets/${w.id}`],
      ['DELETE', `/api/wallets/${w.id}`],
      ['GET', `/api/wallets/${w.id}/balance`],
      ['POST', `/api/wallets/${w.id}/refresh-balance`],
      ['GET', `/api/wallets/${w.id}/transactions`],
      [
        'POST',
        `/api/wallets/${w.id}/withdraw`,
        { to_address: '0x742D35CC6634c0532925A3b844BC9E7595F0BEb0', amount: '1', two_factor_token: '123456' },
      ],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(path, { method, as: bob.as, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path} ${await res.clone().text()}`).toBe(404);
    }
    const { body } = await callJson<Wallet[]>('/api/wallets', { as: bob.as });
    expect(body.find((x) => x.id === w.id)).toBeUndefined();
    expect((await call(`/api/wallets/${w.id}`, { as: alice.as })).status).toBe(200);
  });

  it('requires a signed-in user', async () => {
    expect((await call('/api/wallets')).status).toBe(401);
    expect((await call('/api/wallets', { method: 'POST', body: { chain_id: 1 } })).status).toBe(401);
  });

  it('deletes a wallet: gone from the list, 404 after', async () => {
    const w = await createWallet(alice);
    expect((await call(`/api/wallets/${w.id}`, { method: 'DELETE', as: alice.as })).status).toBe(200);
    expect((await call(`/api/wallets/${w.id}`, { as: alice.as })).status).toBe(404);
    expect((await call(`/api/wallets/${w.id}`, { method: 'DELETE', as: alice.as })).status).toBe(404);
  });
});

describe('external wallets (Sign-In with Ethereum)', () => {
  interface Nonce {
    nonce: string;
    message: string;
    domain: string;
    expires_at: string;
  }
  const owner = privateKeyToAccount(generatePrivateKey());

  async function nonceFor(user: TestUser, address: string = owner.address, chain_id = 1) {
    const { res, body } = await callJson<Nonce>('/api/wallets/external/nonce', {
      method: 'POST',
      as: user.as,
      body: { address, chain_id },
    });
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body;
  }

  it('registers an address that signed the issued EIP-4361 message; the nonce is single-use', async () => {
    const user = await signUp();
    const n = await nonceFor(user);
    expect(n.domain).toBe('meridian.test');
    expect(n.message).toContain(`Nonce: ${n.nonce}`);
    expect(n.message).toContain('Chain ID: 1');
    const signature = await owner.signMessage({ message: n.message });
    const body = { address: owner.address, chain_id: 1, signature, nonce: n.nonce };
    const ok = await callJson<{ id: string; type: string; address: string }>(
      '/api/wallets/external/register',
      {
        method: 'POST',
        as: user.as,
        body,
      },
    );
    expect(ok.res.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.type).toBe('external');
    expect(ok.body.address).toBe(owner.address);
    const replay = await callJson<{ error: { code: string; message: string } }>(
      '/api/wallets/external/register',
      {
        method: 'POST',
        as: user.as,
        body,
      },
    );
    expect(replay.res.status).toBe(400);
    expect(replay.body.error.message).toMatch(/already used/);
    const { body: list } = await callJson<Wallet[]>('/api/wallets', { as: user.as });
    expect(list.map((w) => w.type)).toEqual(['external']);
  });

  it('refuses a signature over a message for another domain', async () => {
    const user = await signUp();
    const n = await nonceFor(user);
    const phishing = createSiweMessage({
      domain: 'evil.example',
      address: owner.address,
      uri: 'https://evil.example',
      version: '1',
      chainId: 1,
      nonce: n.nonce,
      issuedAt: new Date(),
    });
    const signature = await owner.signMessage({ message: phishing });
    const withMessage = await callJson<{ error: { message: string } }>('/api/wallets/external/register', {
      method: 'POST',
      as: user.as,
      body: { address: owner.address, chain_id: 1, signature, nonce: n.nonce, message: phishing },
    });
    expect(withMessage.res.status).toBe(403);
    expect(withMessage.body.error.message).toMatch(/domain mismatch/);
    const withoutMessage = await call('/api/wallets/external/register', {
      method: 'POST',
      as: user.as,
      body: { address: owner.address, chain_id: 1, signature, nonce: n.nonce },
    });
    expect(withoutMessage.status).toBe(403);
  });

  it("refuses another signer, another chain, an expired nonce and another user's nonce", async () => {
    const user = await signUp();
    const intruder = privateKeyToAccount(generatePrivateKey());
    let n = await nonceFor(user);
    const forged = await intruder.signMessage({ message: n.message });
    expect(
      (
        await call('/api/wallets/external/register', {
          method: 'POST',
          as: user.as,
          body: { address: owner.address, chain_id: 1, signature: forged, nonce: n.nonce },
        })
      ).status,
    ).toBe(403);
    const good = await owner.signMessage({ message: n.message });
    expect(
      (
        await call('/api/wallets/external/register', {
          method: 'POST',
          as: user.as,
          body: { address: owner.address, chain_id: 8453, signature: good, nonce: n.nonce },
        })
      ).status,
    ).toBe(403);
    // Another user cannot spend this user's nonce.
    const other = await signUp();
    expect(
      (
        await call('/api/wallets/external/register', {
          method: 'POST',
          as: other.as,
          body: { address: owner.address, chain_id: 1, signature: good, nonce: n.nonce },
        })
      ).status,
    ).toBe(400);
    n = await nonceFor(user);
    await env.DB.prepare('UPDATE wallet_nonces SET expires_at = ? WHERE nonce = ?')
      .bind(Date.now() - 1, n.nonce)
      .run();
    const expired = await callJson<{ error: { message: string } }>('/api/wallets/external/register', {
      method: 'POST',
      as: user.as,
      body: {
        address: owner.address,
        chain_id: 1,
        signature: await owner.signMessage({ message: n.message }),
        nonce: n.nonce,
      },
    });
    expect(expired.res.status).toBe(400);
    expect(expired.body.error.message).toMatch(/expired/);
    const { body: list } = await callJson<Wallet[]>('/api/wallets', { as: user.as });
    expect(list).toEqual([]);
  });

  it('rejects a mixed-case address with a bad EIP-55 checksum', async () => {
    const user = await signUp();
    const bad = owner.address.replace(/[a-f]/, (c) => c.toUpperCase());
    const res = await call('/api/wallets/external/nonce', {
      method: 'POST',
      as: user.as,
      body: { address: bad, chain_id: 1 },
    });
    expect(res.status).toBe(400);
    // All-lowercase is accepted as unchecksummed and normalized.
    const n = await nonceFor(user, owner.address.toLowerCase());
    expect(n.message).toContain(owner.address);
  });
});
