import { env } from 'cloudflare:workers';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import { pricesFor } from '../../../src/domains/portfolios/services/valuation';
import { call, callJson } from '../../helpers/api';
import { balanceOf, constantToken, enableTwoFactor, fund } from '../../helpers/chain';
import { registerExternal } from '../../helpers/dex-live';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';

interface Wallet {
  id: string;
  address: string;
}
interface ApiErr {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

async function newWallet(user: TestUser, chain_id = 1): Promise<Wallet> {
  const { res, body } = await callJson<Wallet>('/api/wallets', {
    method: 'POST',
    as: user.as,
    body: { chain_id },
  });
  expect(res.status).toBe(201);
  return body;
}

/** A fresh destination, already past its cooling-off period. */
async function trustedDestination(user: TestUser): Promise<string> {
  const to = privateKeyToAccount(generatePrivateKey()).address;
  await env.DB.prepare(
    'INSERT INTO withdrawal_destinations (user_id, chain_id, address, active_at) VALUES (?, 1, ?, 0)',
  )
    .bind(user.id, to)
    .run();
  return to;
}

describe('balances over JSON-RPC', () => {
  beforeAll(async () => {
    await seedMarket(['ETH']);
  });

  it('reads the native balance and an ERC-20 balanceOf from the node and prices ETH in USD', async () => {
    const user = await signUp();
    const w = await newWallet(user);
    await fund(w.address, parseEther('2.5'));
    // USDT is a contract answering 1234.5 USDT (6 decimals) to balanceOf.
    await constantToken(USDT, 1_234_500_000n);
    const { res, body } = await callJson<{
      balance: string;
      balance_usd: string | null;
      tokens: { symbol: string; balance: string; balance_usd: string | null; price_usd: string | null }[];
      block_number: number;
    }>(`/api/wallets/${w.id}/refresh-balance`, { method: 'POST', as: user.as });
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.balance).toBe('2.5');
    const eth = body.tokens.find((t) => t.symbol === 'ETH');
    expect(eth?.price_usd).not.toBeNull();
    expect(Number(body.balance_usd)).toBeCloseTo(2.5 * Number(eth?.price_usd), 2);
    expect(body.tokens.find((t) => t.symbol === 'USDT')?.balance).toBe('1234.5');
    // USDC has no market series in this test's data: the balance is read, the USD value is absent, not invented.
    const usdc = body.tokens.find((t) => t.symbol === 'USDC');
    expect(usdc?.balance_usd).toBeNull();
    expect(body.block_number).toBeGreaterThanOrEqual(0);

    const stored = await callJson<{ balance: string; balance_usd: string }>(`/api/wallets/${w.id}/balance`, {
      as: user.as,
    });
    expect(stored.body.balance).toBe('2.5');
    const list = await callJson<{ balance: string }[]>('/api/wallets', { as: user.as });
    expect(list.body[0]?.balance).toBe('2.5');
  });

  it('refresh-balances refreshes every wallet and reports a chain without RPC per wallet', async () => {
    const user = await signUp();
    const a = await newWallet(user, 1);
    await newWallet(user, 8453);
    await fund(a.address, parseEther('1'));
    const { res, body } = await callJson<{
      status: string;
      wallets_updated: number;
      wallets_failed: number;
      errors: { error: string }[];
    }>('/api/wallets/refresh-balances', { method: 'POST', as: user.as });
    expect(res.status).toBe(200);
    expect(body.status).toBe('partial');
    expect(body.wallets_updated).toBe(1);
    expect(body.wallets_failed).toBe(1);
    expect(body.errors[0]?.error).toMatch(/No RPC endpoint is configured for Base/);
  });

  it('a chain without RPC answers 503 BLOCKCHAIN_RPC_ERROR on a single refresh', async () => {
    const user = await signUp();
    const w = await newWallet(user, 137);
    const { res, body } = await callJson<ApiErr>(`/api/wallets/${w.id}/refresh-balance`, {
      method: 'POST',
      as: user.as,
    });
    expect(res.status).toBe(503);
    expect(body.error.code).toBe('BLOCKCHAIN_RPC_ERROR');
  });
});

describe('withdrawals', () => {
  // A user per test: withdrawals are limited to 10 an hour per user (002).
  let user: TestUser;
  let code: () => Promise<string>;
  beforeAll(async () => {
    await seedMarket(['ETH']);
  });
  beforeEach(async () => {
    user = await signUp();
    code = await enableTwoFactor(user);
  });

  it('signs, submits and tracks a withdrawal to confirmed; the recipient receives it', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('3'));
    const to = await trustedDestination(user);
    const { res, body } = await callJson<{
      id: string;
      transaction_hash: string;
      status: string;
      from_address: string;
      amount: string;
    }>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '1.25', token_address: null, two_factor_token: await code() },
    });
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('pending');
    expect(body.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(body.from_address).toBe(w.address);
    expect(await balanceOf(to)).toBe(parseEther('1.25'));
    const txs = await callJson<{
      transactions: { id: string; status: string; block_number: number | null; fee: string; type: string }[];
      total: number;
    }>(`/api/wallets/${w.id}/transactions`, { as: user.as });
    expect(txs.body.total).toBe(1);
    expect(txs.body.transactions[0]).toMatchObject({ id: body.id, status: 'confirmed', type: 'withdrawal' });
    expect(txs.body.transactions[0]?.block_number).toBeGreaterThan(0);
    const audit = await env.DB.prepare(
      "SELECT action FROM user_activities WHERE user_id = ? AND action LIKE 'withdrawal_%' ORDER BY created_at",
    )
      .bind(user.id)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'withdrawal_requested',
        'withdrawal_signed',
        'withdrawal_submitted',
        'withdrawal_confirmed',
      ]),
    );
  });

  it('holds a new destination for the cooling-off period', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1'));
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const first = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.1', two_factor_token: await code() },
    });
    expect(first.res.status).toBe(400);
    expect(first.body.error.code).toBe('ADDRESS_NOT_WHITELISTED');
    expect(Date.parse(String(first.body.error.details?.active_at))).toBeGreaterThan(Date.now() + 86_000_000);
    const again = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.1', two_factor_token: await code() },
    });
    expect(again.body.error.code).toBe('ADDRESS_NOT_WHITELISTED');
    expect(await balanceOf(to)).toBe(0n);
  });

  it('requires two-factor: a wrong code, a reused code, and a user without 2FA are refused', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1'));
    const to = await trustedDestination(user);
    const wrong = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.1', two_factor_token: '000000' },
    });
    expect(wrong.body.error.code).toBe('INVALID_MFA_TOKEN');
    const good = await code();
    const ok = await call(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.1', two_factor_token: good },
    });
    expect(ok.status).toBe(200);
    const reused = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.1', two_factor_token: good },
    });
    expect(reused.body.error.code).toBe('INVALID_MFA_TOKEN');
    expect(await balanceOf(to)).toBe(parseEther('0.1'));

    const plain = await signUp();
    const pw = await newWallet(plain);
    await fund(pw.address, parseEther('1'));
    const none = await callJson<ApiErr>(`/api/wallets/${pw.id}/withdraw`, {
      method: 'POST',
      as: plain.as,
      body: { to_address: await trustedDestination(plain), amount: '0.1', two_factor_token: '123456' },
    });
    expect(none.body.error.code).toBe('MFA_NOT_ENABLED');
  });

  it('validates amount, decimals, token, checksum and balance including gas, moving nothing', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1'));
    const to = await trustedDestination(user);
    const cases: [Record<string, unknown>, string, RegExp?][] = [
      [{ amount: '0' }, 'VALIDATION_ERROR'],
      [{ amount: '-1' }, 'VALIDATION_ERROR'],
      [{ amount: '1e3' }, 'VALIDATION_ERROR'],
      [{ amount: '0.1234567890123456789' }, 'VALIDATION_ERROR', /18 decimal/],
      [{ amount: '1.0000001', token_address: USDT }, 'VALIDATION_ERROR', /6 decimal/],
      [
        { amount: '1', token_address: '0x0000000000000000000000000000000000000001' },
        'VALIDATION_ERROR',
        /not supported/,
      ],
      [{ to_address: to.replace(/[a-f]/, (c) => c.toUpperCase()) }, 'VALIDATION_ERROR', /checksum/],
      [{ to_address: w.address }, 'VALIDATION_ERROR', /itself/],
      // 1 ETH balance cannot send 1 ETH: the fee must fit too.
      [{ amount: '1' }, 'INSUFFICIENT_BALANCE'],
      [{ amount: '5' }, 'INSUFFICIENT_BALANCE'],
    ];
    for (const [i, [patch, expected, message]] of cases.entries()) {
      if (i === 5) {
        // Past the 10-an-hour withdraw limit of one user: the rest as a second user.
        const next = await signUp();
        const nextCode = await enableTwoFactor(next);
        const nw = await newWallet(next);
        await fund(nw.address, parseEther('1'));
        await env.DB.prepare('UPDATE wallets SET user_id = ? WHERE id = ?').bind(next.id, w.id).run();
        await env.DB.prepare('UPDATE withdrawal_destinations SET user_id = ? WHERE address = ?')
          .bind(next.id, to)
          .run();
        user = next;
        code = nextCode;
      }
      const { res, body } = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
        method: 'POST',
        as: user.as,
        body: { to_address: to, amount: '0.1', two_factor_token: await code(), ...patch },
      });
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(body.error.code, JSON.stringify(patch)).toBe(expected);
      if (message) expect(body.error.message).toMatch(message);
    }
    expect(await balanceOf(to)).toBe(0n);
    expect(await balanceOf(w.address)).toBe(parseEther('1'));
  });

  it('enforces the per-withdrawal USD limit', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1000'));
    const to = await trustedDestination(user);
    const { res, body } = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '900', two_factor_token: await code() },
    });
    expect(res.status).toBe(400);
    expect(body.error.code).toBe('WITHDRAWAL_LIMIT_EXCEEDED');
    expect(await balanceOf(to)).toBe(0n);
  });

  it('enforces the rolling 24-hour USD limit across withdrawals, sending nothing over it', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1000'));
    const to = await trustedDestination(user);
    const prices = await pricesFor(env, [catalogAssetId('ETH')]);
    const eth = prices.get(catalogAssetId('ETH'))?.price ?? 0;
    // 20,000 USD each: two fit under 50,000 a day, the third does not.
    const amount = (20_000 / eth).toFixed(6);
    const send = async () =>
      callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
        method: 'POST',
        as: user.as,
        body: { to_address: to, amount, two_factor_token: await code() },
      });
    expect((await send()).res.status).toBe(200);
    expect((await send()).res.status).toBe(200);
    const third = await send();
    expect(third.res.status).toBe(400);
    expect(third.body.error.code).toBe('WITHDRAWAL_LIMIT_EXCEEDED');
    expect(third.body.error.details).toMatchObject({ limit_usd: 50_000 });
    expect(await balanceOf(to)).toBe(2n * parseEther(amount));
  });

  it('a pending withdrawal the node dropped, whose nonce was used since, becomes failed', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1'));
    const to = await trustedDestination(user);
    const sent = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.1', two_factor_token: await code() },
    });
    expect(sent.res.status).toBe(200);
    // Two sends the node never mined: one at the nonce just used (dropped/replaced), one ahead.
    const insert = (id: string, hash: string, nonce: number) =>
      env.DB.prepare(
        `INSERT INTO wallet_transactions (id, wallet_id, user_id, chain_id, type, status, hash, from_address, to_address, token_symbol, amount, tx_nonce)
         VALUES (?, ?, ?, 1, 'withdrawal', 'pending', ?, ?, ?, 'ETH', '0.01', ?)`,
      )
        .bind(id, w.id, user.id, hash, w.address, to, nonce)
        .run();
    await insert(`tx_dropped${user.id}`, `0x${'d1'.repeat(32)}${user.id}`.slice(0, 66), 0);
    await insert(`tx_ahead${user.id}`, `0x${'a1'.repeat(32)}${user.id}`.slice(0, 66), 7);
    const { body } = await callJson<{ transactions: { id: string; status: string }[] }>(
      `/api/wallets/${w.id}/transactions`,
      { as: user.as },
    );
    const byId = new Map(body.transactions.map((t) => [t.id, t.status]));
    expect(byId.get(`tx_dropped${user.id}`)).toBe('failed');
    expect(byId.get(`tx_ahead${user.id}`)).toBe('pending');
    expect([...byId.values()].filter((s) => s === 'confirmed')).toHaveLength(1);
  });

  it('never double-spends: concurrent withdrawals of most of the balance send exactly one', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1'));
    const to = await trustedDestination(user);
    const twoFactor = await code();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
          method: 'POST',
          as: user.as,
          body: { to_address: to, amount: '0.6', two_factor_token: twoFactor },
        }),
      ),
    );
    const statuses = results.map((r) => r.res.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.res.status !== 200))
      expect(['INTEGRITY_ERROR', 'INVALID_MFA_TOKEN', 'INSUFFICIENT_BALANCE']).toContain(r.body.error.code);
    expect(await balanceOf(to)).toBe(parseEther('0.6'));
    // And sequentially, the second cannot spend what the first already did.
    const second = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.6', two_factor_token: await code() },
    });
    expect(second.body.error.code).toBe('INSUFFICIENT_BALANCE');
    expect(await balanceOf(to)).toBe(parseEther('0.6'));
  });

  it('an Idempotency-Key retry returns the first result and sends nothing more', async () => {
    const w = await newWallet(user);
    await fund(w.address, parseEther('1'));
    const to = await trustedDestination(user);
    const key = crypto.randomUUID();
    const body = { to_address: to, amount: '0.2', two_factor_token: await code() };
    const first = await callJson<{ transaction_hash: string }>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(first.res.status).toBe(200);
    const retry = await callJson<{ transaction_hash: string }>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(retry.res.status).toBe(200);
    expect(retry.body.transaction_hash).toBe(first.body.transaction_hash);
    expect(await balanceOf(to)).toBe(parseEther('0.2'));
  });

  it('withdraws an ERC-20 token: transfer() by eth_call-checked balance, refusing more than held', async () => {
    // A USDT price of $1 at the replay start, so the USD limits apply.
    await env.DB.prepare(
      "INSERT OR REPLACE INTO quotes (asset_id, price, source, as_of) VALUES ('ast_usdt', 1, 'test', ?)",
    )
      .bind(Date.parse(`${env.REPLAY_START}T00:00:00Z`))
      .run();
    await constantToken(USDT, 1_234_500_000n);
    const w = await newWallet(user);
    await fund(w.address, parseEther('0.1'));
    const to = await trustedDestination(user);
    const tooMuch = await callJson<ApiErr>(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '2000', token_address: USDT, two_factor_token: await code() },
    });
    expect(tooMuch.body.error.code).toBe('INSUFFICIENT_BALANCE');
    const { res, body } = await callJson<{ id: string; symbol: string; token_address: string }>(
      `/api/wallets/${w.id}/withdraw`,
      {
        method: 'POST',
        as: user.as,
        body: { to_address: to, amount: '100.5', token_address: USDT, two_factor_token: await code() },
      },
    );
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ symbol: 'USDT', token_address: USDT });
    const txs = await callJson<{
      transactions: { id: string; status: string; from_token: string; amount: string }[];
    }>(`/api/wallets/${w.id}/transactions`, { as: user.as });
    expect(txs.body.transactions[0]).toMatchObject({
      id: body.id,
      status: 'confirmed',
      from_token: 'USDT',
      amount: '100.5',
    });
  });

  it('allows 10 withdraw requests an hour per user (002), then 429', async () => {
    const w = await newWallet(user);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await call(`/api/wallets/${w.id}/withdraw`, {
        method: 'POST',
        as: user.as,
        body: { amount: 'x' },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('an external wallet cannot withdraw through the API', async () => {
    const { walletId } = await registerExternal(user);
    const { res, body } = await callJson<ApiErr>(`/api/wallets/${walletId}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: await trustedDestination(user), amount: '0.1', two_factor_token: await code() },
    });
    expect(res.status).toBe(400);
    expect(body.error.message).toMatch(/custodial/);
  });
});
