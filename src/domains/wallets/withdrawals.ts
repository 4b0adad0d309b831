import Decimal from 'decimal.js';
import { and, eq, gte, inArray, isNull, lt, or } from 'drizzle-orm';
import { encodeFunctionData, erc20Abi, formatUnits, type Hex, keccak256, parseUnits } from 'viem';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { log } from '../../core/logger';
import { db } from '../../db/client';
import { wallets, walletTransactions, withdrawalDestinations } from '../../db/schema';
import { config, type Principal } from '../../env';
import { type ChainInfo, trackedToken } from '../../providers/chains/chains';
import { chainClient, erc20BalanceOf, rpc } from '../../providers/chains/rpc';
import { catalogAssetId } from '../assets/catalog';
import { activity } from '../audit/service';
import { consumeTotp } from '../auth/service';
import { pricesFor } from '../portfolios/services/valuation';
import { unsealAccount } from './keys';
import { chainOf, getOwnedWallet, settlePending, type WalletRow } from './service';

/** How long a spend may hold its wallet; a crashed request frees it after this. */
const SPEND_LOCK_MS = 60_000;
const DAY_MS = 86_400_000;

export interface WithdrawInput {
  to_address: string;
  amount: string;
  token_address?: string | null | undefined;
  two_factor_token: string;
}

interface Asset {
  symbol: string;
  decimals: number;
  token: Hex | null;
  priceSymbol: string | null;
}

function assetOf(chain: ChainInfo, tokenAddress: string | null | undefined): Asset {
  if (!tokenAddress)
    return { symbol: chain.nativeSymbol, decimals: 18, token: null, priceSymbol: chain.nativePriceSymbol };
  const t = trackedToken(chain.id, tokenAddress);
  if (!t)
    throw new ApiError('VALIDATION_ERROR', `Token ${tokenAddress} is not supported on ${chain.name}`, {
      details: { field: 'token_address', supported: chain.tokens.map((x) => x.address) },
    });
  return { symbol: t.symbol, decimals: t.decimals, token: t.address, priceSymbol: t.priceSymbol };
}

/** Exact conversion to base units; more decimals than the token has is an error, never rounded. */
export function toBaseUnits(amount: string, decimals: number): bigint {
  const fraction = amount.split('.')[1] ?? '';
  if (fraction.length > decimals)
    throw new ApiError('VALIDATION_ERROR', `amount has more than ${decimals} decimal places`, {
      details: { field: 'amount', decimals },
    });
  return parseUnits(amount, decimals);
}

/**
 * Takes the wallet's spend lock: one conditional UPDATE, so of two concurrent spends exactly
 * one gets it (D1 serializes writes). The other is refused, and nothing of it is signed.
 */
async function lockWallet(env: Env, walletId: string): Promise<number> {
  const now = Date.now();
  const until = now + SPEND_LOCK_MS;
  const res = await db(env)
    .update(wallets)
    .set({ spendLockUntil: until })
    .where(and(eq(wallets.id, walletId), or(isNull(wallets.spendLockUntil), lt(wallets.spendLockUntil, now))))
    .returning({ id: wallets.id });
  if (res.length !== 1)
    throw new ApiError(
      'INTEGRITY_ERROR',
      'Another withdrawal or swap from this wallet is in progress; retry shortly',
      {
        headers: { 'Retry-After': '5' },
      },
    );
  return until;
}

async function unlockWallet(env: Env, walletId: string, until: number) {
  await db(env)
    .update(wallets)
    .set({ spendLockUntil: null })
    .where(and(eq(wallets.id, walletId), eq(wallets.spendLockUntil, until)));
}

/** Runs `fn` holding the wallet's spend lock. */
export async function withSpendLock<T>(env: Env, walletId: string, fn: () => Promise<T>): Promise<T> {
  const until = await lockWallet(env, walletId);
  try {
    return await fn();
  } finally {
    await unlockWallet(env, walletId, until);
  }
}

async function checkDestination(env: Env, userId: string, chain: ChainInfo, to: string, facts: RequestFacts) {
  const d = db(env);
  const [own] = await d
    .select({ id: wallets.id })
    .from(wallets)
    .where(
      and(
        eq(wallets.userId, userId),
        eq(wallets.chainId, chain.id),
        eq(wallets.address, to),
        isNull(wallets.deletedAt),
      ),
    )
    .limit(1);
  if (own) return; // between one's own wallets there is nothing to cool off
  const [known] = await d
    .select()
    .from(withdrawalDestinations)
    .where(
      and(
        eq(withdrawalDestinations.userId, userId),
        eq(withdrawalDestinations.chainId, chain.id),
        eq(withdrawalDestinations.address, to),
      ),
    )
    .limit(1);
  const now = Date.now();
  let activeAt = known?.activeAt;
  if (activeAt === undefined) {
    activeAt = now + config(env).WITHDRAWAL_COOLING_OFF_SECONDS * 1000;
    await d.batch([
      d
        .insert(withdrawalDestinations)
        .values({ userId, chainId: chain.id, address: to, activeAt })
        .onConflictDoNothing(),
      activity(d, {
        userId,
        action: 'withdrawal_destination_added',
        facts,
        details: { chain_id: chain.id, address: to, active_at: new Date(activeAt).toISOString() },
      }),
    ]);
  }
  if (activeAt > now)
    throw new ApiError(
      'ADDRESS_NOT_WHITELISTED',
      `New withdrawal address: it can receive from ${new Date(activeAt).toISOString()} (cooling-off period)`,
      {
        details: {
          address: to,
          chain_id: chain.id,
          active_at: new Date(activeAt).toISOString(),
          cooling_off_seconds: config(env).WITHDRAWAL_COOLING_OFF_SECONDS,
        },
      },
    );
}

async function checkLimits(env: Env, userId: string, asset: Asset, amount: string) {
  const cfg = config(env);
  const price = asset.priceSymbol
    ? (await pricesFor(env, [catalogAssetId(asset.priceSymbol)])).get(catalogAssetId(asset.priceSymbol))
    : undefined;
  if (!price)
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      `No market price for ${asset.symbol}, so the withdrawal limits cannot be applied`,
    );
  const valueUsd = new Decimal(amount).times(price.price);
  if (valueUsd.gt(cfg.WITHDRAWAL_MAX_USD))
    throw new ApiError(
      'WITHDRAWAL_LIMIT_EXCEEDED',
      `One withdrawal may move at most $${cfg.WITHDRAWAL_MAX_USD}`,
      {
        details: {
          value_usd: valueUsd.toFixed(2),
          limit_usd: cfg.WITHDRAWAL_MAX_USD,
          price_usd: price.price,
        },
      },
    );
  const since = new Date(Date.now() - DAY_MS).toISOString();
  const recent = await db(env)
    .select({ amountUsd: walletTransactions.amountUsd })
    .from(walletTransactions)
    .where(
      and(
        eq(walletTransactions.userId, userId),
        eq(walletTransactions.type, 'withdrawal'),
        inArray(walletTransactions.status, ['pending', 'confirmed']),
        gte(walletTransactions.createdAt, since),
      ),
    );
  const used = recent.reduce((s, r) => s.plus(r.amountUsd ?? 0), new Decimal(0));
  if (used.plus(valueUsd).gt(cfg.WITHDRAWAL_DAILY_LIMIT_USD))
    throw new ApiError(
      'WITHDRAWAL_LIMIT_EXCEEDED',
      `Withdrawals are limited to $${cfg.WITHDRAWAL_DAILY_LIMIT_USD} in 24 hours`,
      {
        details: {
          used_usd: used.toFixed(2),
          requested_usd: valueUsd.toFixed(2),
          limit_usd: cfg.WITHDRAWAL_DAILY_LIMIT_USD,
        },
      },
    );
  return valueUsd.toFixed(2);
}

/** Wei and token units our own still-pending sends hold, which the chain's latest balance does not yet show. */
async function pendingHolds(env: Env, w: WalletRow, token: Hex | null) {
  const rows = await db(env)
    .select()
    .from(walletTransactions)
    .where(and(eq(walletTransactions.walletId, w.id), eq(walletTransactions.status, 'pending')));
  let wei = 0n;
  let tokenUnits = 0n;
  for (const r of rows) {
    wei += BigInt(r.maxFeeWei ?? '0');
    const t = r.tokenAddress ? trackedToken(r.chainId, r.tokenAddress) : undefined;
    if (!r.tokenAddress) wei += parseUnits(r.amount, 18);
    else if (token && t && r.tokenAddress.toLowerCase() === token.toLowerCase())
      tokenUnits += parseUnits(r.amount, t.decimals);
  }
  return { wei, tokenUnits };
}

/**
 * A withdrawal from a custodial wallet: validated, limited, cooled-off, TOTP-checked, then built,
 * signed and submitted over JSON-RPC while holding the wallet's spend lock. Every step is audited.
 */
export async function withdraw(
  env: Env,
  principal: Principal,
  walletId: string,
  input: WithdrawInput,
  facts: RequestFacts,
) {
  const w = await getOwnedWallet(env, principal.userId, walletId);
  const chain = chainOf(w.chainId);
  const d = db(env);
  const audit = (action: string, details: Record<string, unknown>) =>
    d.batch([
      activity(d, {
        userId: principal.userId,
        action,
        facts,
        sessionId: principal.sessionId ?? null,
        details: { wallet_id: w.id, chain_id: w.chainId, ...details },
      }),
    ]);
  try {
    if (w.type !== 'custodial')
      throw new ApiError(
        'VALIDATION_ERROR',
        'Only custodial wallets can withdraw through the API; sign from your own wallet instead',
      );
    const asset = assetOf(chain, input.token_address);
    const units = toBaseUnits(input.amount, asset.decimals);
    if (input.to_address === w.address)
      throw new ApiError('VALIDATION_ERROR', 'to_address is this wallet itself');
    await audit('withdrawal_requested', { to: input.to_address, amount: input.amount, symbol: asset.symbol });
    await checkDestination(env, principal.userId, chain, input.to_address, facts);
    const amountUsd = await checkLimits(env, principal.userId, asset, input.amount);

    return await withSpendLock(env, w.id, async () => {
      await consumeTotp(env, principal, input.two_factor_token, facts, 'withdrawal_2fa');
      const { client } = chainClient(env, w.chainId);
      await settlePending(env, w);
      const from = w.address as Hex;
      const to = input.to_address as Hex;
      const call = asset.token
        ? {
            to: asset.token,
            value: 0n,
            data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, units] }),
          }
        : { to, value: units, data: undefined };
      const [nativeBalance, tokenBalance, nonce, fees, gas, holds] = await rpc(
        chain,
        'building the transaction',
        () =>
          Promise.all([
            client.getBalance({ address: from }),
            asset.token ? erc20BalanceOf(client, asset.token, from) : Promise.resolve(0n),
            client.getTransactionCount({ address: from, blockTag: 'pending' }),
            client.estimateFeesPerGas(),
            asset.token
              ? client.estimateGas({ account: from, to: call.to, data: call.data }).catch(() => 100_000n)
              : Promise.resolve(21_000n),
            pendingHolds(env, w, asset.token),
          ]),
      );
      const maxFeeWei = gas * fees.maxFeePerGas;
      const needWei = maxFeeWei + call.value + holds.wei;
      if (nativeBalance < needWei)
        throw new ApiError(
          'INSUFFICIENT_BALANCE',
          `Insufficient ${chain.nativeSymbol} for the amount plus the network fee`,
          {
            details: {
              balance: formatUnits(nativeBalance, 18),
              required: formatUnits(needWei, 18),
              max_network_fee: formatUnits(maxFeeWei, 18),
              held_by_pending: formatUnits(holds.wei, 18),
            },
          },
        );
      if (asset.token && tokenBalance - holds.tokenUnits < units)
        throw new ApiError('INSUFFICIENT_BALANCE', `Insufficient ${asset.symbol}`, {
          details: {
            balance: formatUnits(tokenBalance, asset.decimals),
            held_by_pending: formatUnits(holds.tokenUnits, asset.decimals),
          },
        });

      const account = await unsealAccount(env, w);
      const signed = await account.signTransaction({
        type: 'eip1559',
        chainId: chain.id,
        nonce,
        to: call.to,
        value: call.value,
        ...(call.data ? { data: call.data } : {}),
        gas,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      const hash = keccak256(signed);
      const id = newId('walletTx');
      const createdAt = new Date().toISOString();
      // Recorded before it is sent: a crash after sending still leaves the hash to track.
      await d.batch([
        d.insert(walletTransactions).values({
          id,
          walletId: w.id,
          userId: principal.userId,
          chainId: chain.id,
          type: 'withdrawal',
          status: 'pending',
          hash,
          fromAddress: w.address,
          toAddress: input.to_address,
          tokenAddress: asset.token,
          tokenSymbol: asset.symbol,
          amount: input.amount,
          amountUsd,
          maxFeeWei: maxFeeWei.toString(),
          fee: formatUnits(maxFeeWei, 18),
          txNonce: nonce,
          createdAt,
          updatedAt: createdAt,
        }),
        activity(d, {
          userId: principal.userId,
          action: 'withdrawal_signed',
          facts,
          details: { wallet_id: w.id, transaction_id: id, hash, nonce },
        }),
      ]);
      try {
        await client.sendRawTransaction({ serializedTransaction: signed });
      } catch (cause) {
        await d.batch([
          d
            .update(walletTransactions)
            .set({ status: 'failed', error: 'rejected by the node', updatedAt: new Date().toISOString() })
            .where(eq(walletTransactions.id, id)),
          activity(d, {
            userId: principal.userId,
            action: 'withdrawal_failed',
            facts,
            details: { wallet_id: w.id, transaction_id: id, hash },
          }),
        ]);
        log('warn', 'wallet.withdrawal_send_failed', { wallet_id: w.id, transaction_id: id });
        throw new ApiError('BLOCKCHAIN_RPC_ERROR', `${chain.name} did not accept the transaction`, { cause });
      }
      await audit('withdrawal_submitted', { transaction_id: id, hash });
      return {
        id,
        transaction_hash: hash,
        status: 'pending' as const,
        from_address: w.address,
        to_address: input.to_address,
        amount: input.amount,
        token_address: asset.token,
        symbol: asset.symbol,
        chain_id: chain.id,
        max_fee: formatUnits(maxFeeWei, 18),
        created_at: createdAt,
      };
    });
  } catch (e) {
    if (e instanceof ApiError)
      await audit('withdrawal_refused', { code: e.code, reason: e.message }).catch(() => undefined);
    throw e;
  }
}
