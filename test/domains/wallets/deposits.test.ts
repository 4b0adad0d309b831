import { env } from 'cloudflare:workers';
import { formatEther, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { enableTwoFactor, fund } from '../../helpers/chain';
import { mine, registerExternal, sendFrom, transferCalldata, transferLogToken } from '../../helpers/dex-live';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';

interface Tx {
  type: string;
  status: string;
  amount: string;
  to_token: string | null;
  from_address: string;
  transaction_hash: string | null;
}
interface Refreshed {
  deposits: { deposits_recorded: number; unexplained_outflow: string | null; safe_block: number };
}

beforeAll(async () => {
  await seedMarket(['ETH']);
  // USDC on the local chain: a contract whose every call emits a real Transfer(caller, to, amount) log.
  await transferLogToken(USDC);
});

async function newWallet(user: TestUser) {
  const { body } = await callJson<{ id: string; address: string }>('/api/wallets', {
    method: 'POST',
    as: user.as,
    body: { chain_id: 1 },
  });
  return body;
}
async function refresh(user: TestUser, id: string) {
  const r = await callJson<Refreshed>(`/api/wallets/${id}/refresh-balance`, { method: 'POST', as: user.as });
  expect(r.res.status, JSON.stringify(r.body)).toBe(200);
  return r;
}
const deposits = async (user: TestUser, id: string) =>
  (
    await callJson<{ transactions: Tx[] }>(`/api/wallets/${id}/transactions?limit=100`, { as: user.as })
  ).body.transactions.filter((t) => t.type === 'deposit');
const sender = privateKeyToAccount(generatePrivateKey());

describe('deposit detection (refresh-balances)', () => {
  it('records native and ERC-20 deposits from the chain once they are 12 blocks deep, once', async () => {
    const user = await signUp();
    const w = await newWallet(user);
    await sendFrom(sender, { to: w.address as `0x${string}`, value: parseEther('1'), gas: 21_000n });
    const hash = await sendFrom(sender, { to: USDC, data: transferCalldata(w.address, 250_000_000n) });
    // Not deep enough yet: nothing recorded.
    const early = await refresh(user, w.id);
    expect(early.res.status, JSON.stringify(early.body)).toBe(200);
    expect(await deposits(user, w.id)).toEqual([]);
    await mine(13);
    const first = await refresh(user, w.id);
    expect(first.body.deposits.deposits_recorded).toBe(2);
    const rows = await deposits(user, w.id);
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          status: 'confirmed',
          amount: '1',
          to_token: 'ETH',
          transaction_hash: null,
        }),
        expect.objectContaining({
          status: 'confirmed',
          amount: '250',
          to_token: 'USDC',
          transaction_hash: hash,
          from_address: sender.address,
        }),
      ]),
    );
    // Again, and the job over every wallet: nothing twice.
    expect((await refresh(user, w.id)).body.deposits.deposits_recorded).toBe(0);
    const all = await callJson<{ deposits_recorded: number }>('/api/wallets/refresh-balances', {
      method: 'POST',
      as: user.as,
    });
    expect(all.body.deposits_recorded).toBe(0);
    expect(await deposits(user, w.id)).toHaveLength(2);
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM user_activities WHERE user_id = ? AND action = 'wallet_deposits_detected'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });

  it('concurrent refreshes record each deposit exactly once', async () => {
    const user = await signUp();
    const w = await newWallet(user);
    await sendFrom(sender, { to: w.address as `0x${string}`, value: parseEther('0.3'), gas: 21_000n });
    for (const amount of [1_000_000n, 2_000_000n, 3_000_000n])
      await sendFrom(sender, { to: USDC, data: transferCalldata(w.address, amount) });
    await mine(13);
    const results = await Promise.all([refresh(user, w.id), refresh(user, w.id), refresh(user, w.id)]);
    for (const r of results) expect(r.res.status).toBe(200);
    const rows = await deposits(user, w.id);
    expect(rows.map((r) => r.amount).sort()).toEqual(['0.3', '1', '2', '3']);
  });

  it('our own withdrawal is not taken for a deposit; a later top-up is', async () => {
    const user = await signUp();
    const code = await enableTwoFactor(user);
    const w = await newWallet(user);
    await fund(w.address, parseEther('1'));
    await mine(13);
    await refresh(user, w.id);
    const to = privateKeyToAccount(generatePrivateKey()).address;
    await env.DB.prepare(
      'INSERT INTO withdrawal_destinations (user_id, chain_id, address, active_at) VALUES (?, 1, ?, 0)',
    )
      .bind(user.id, to)
      .run();
    const sent = await callJson(`/api/wallets/${w.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: { to_address: to, amount: '0.2', two_factor_token: await code() },
    });
    expect(sent.res.status, JSON.stringify(sent.body)).toBe(200);
    await mine(13);
    const after = await refresh(user, w.id);
    expect(after.body.deposits).toMatchObject({ deposits_recorded: 0, unexplained_outflow: null });
    // A top-up of 0.5 ETH.
    await sendFrom(sender, { to: w.address as `0x${string}`, value: parseEther('0.5'), gas: 21_000n });
    await mine(13);
    expect((await refresh(user, w.id)).body.deposits.deposits_recorded).toBe(1);
    const amounts = (await deposits(user, w.id)).map((d) => d.amount).sort();
    expect(amounts).toEqual(['0.5', '1']);
  });

  it("an external wallet's balance before registration is its baseline, not a deposit", async () => {
    const user = await signUp();
    const ext = await registerExternal(user);
    await fund(ext.account.address, parseEther('3'));
    await mine(13);
    const first = await refresh(user, ext.walletId);
    expect(first.body.deposits.deposits_recorded).toBe(0);
    await sendFrom(sender, { to: ext.account.address, value: parseEther('0.25'), gas: 21_000n });
    await mine(13);
    expect((await refresh(user, ext.walletId)).body.deposits.deposits_recorded).toBe(1);
    expect((await deposits(user, ext.walletId)).map((d) => d.amount)).toEqual([
      formatEther(parseEther('0.25')),
    ]);
  });
});
