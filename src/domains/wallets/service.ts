import Decimal from 'decimal.js';
import { and, count, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { formatUnits, getAddress, type Hex, recoverMessageAddress } from 'viem';
import { createSiweMessage, parseSiweMessage } from 'viem/siwe';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { log } from '../../core/logger';
import { db } from '../../db/client';
import { walletNonces, wallets, walletTransactions } from '../../db/schema';
import type { Principal } from '../../env';
import { CHAINS, type ChainInfo, chainInfo } from '../../providers/chains/chains';
import { chainClient, erc20BalanceOf, rpc } from '../../providers/chains/rpc';
import { NATIVE_TOKEN } from '../../providers/dex/types';
import { catalogAssetId } from '../assets/catalog';
import { activity } from '../audit/service';
import { pricesFor } from '../portfolios/services/valuation';
import { detectDeposits } from './deposits';
import { masterKeyId, newSealedKey, rewrapDataKey } from './keys';
import { settlePending } from './settle';

export type WalletRow = typeof wallets.$inferSelect;
export type WalletTxRow = typeof walletTransactions.$inferSelect;

/** A user may hold this many wallets (custodial and external together). */
export const MAX_WALLETS_PER_USER = 50;
/** SIWE nonces live this long. */
export const NONCE_TTL_MS = 10 * 60_000;

export function chainOf(chainId: number): ChainInfo {
  const chain = chainInfo(chainId);
  if (!chain) throw new ApiError('VALIDATION_ERROR', `Unsupported chain_id ${chainId}`);
  return chain;
}

/** The public view: never the sealed key, the wrapped data key or its id. */
export function walletView(w: WalletRow) {
  return {
    id: w.id,
    address: w.address,
    type: w.type,
    chain_id: w.chainId,
    chain_name: chainOf(w.chainId).name,
    label: w.label,
    balance: w.balance,
    balance_updated_at: w.balanceUpdatedAt,
    created_at: w.createdAt,
  };
}

export async function listWallets(env: Env, userId: string) {
  const rows = await db(env)
    .select()
    .from(wallets)
    .where(and(eq(wallets.userId, userId), isNull(wallets.deletedAt)))
    .orderBy(wallets.createdAt);
  return rows.map(walletView);
}

/** The caller's wallet, or 404 (another user's wallet is indistinguishable from none). */
export async function getOwnedWallet(env: Env, userId: string, walletId: string): Promise<WalletRow> {
  const [row] = await db(env)
    .select()
    .from(wallets)
    .where(and(eq(wallets.id, walletId), eq(wallets.userId, userId), isNull(wallets.deletedAt)))
    .limit(1);
  if (!row) throw new ApiError('NOT_FOUND', 'Wallet not found');
  return row;
}

async function assertRoom(env: Env, userId: string) {
  const [row] = await db(env)
    .select({ n: count() })
    .from(wallets)
    .where(and(eq(wallets.userId, userId), isNull(wallets.deletedAt)));
  if ((row?.n ?? 0) >= MAX_WALLETS_PER_USER)
    throw new ApiError('VALIDATION_ERROR', `A user may hold at most ${MAX_WALLETS_PER_USER} wallets`);
}

export async function createCustodialWallet(
  env: Env,
  principal: Principal,
  input: { chain_id: number; label?: string | undefined },
  facts: RequestFacts,
) {
  const chain = chainOf(input.chain_id);
  await assertRoom(env, principal.userId);
  const sealed = await newSealedKey(env);
  const id = newId('wallet');
  const d = db(env);
  const [, , [row]] = await d.batch([
    d.insert(wallets).values({
      id,
      userId: principal.userId,
      type: 'custodial',
      chainId: chain.id,
      address: sealed.address,
      label: input.label ?? null,
      sealedKey: sealed.sealedKey,
      wrappedDataKey: sealed.wrappedDataKey,
      keyId: sealed.keyId,
    }),
    activity(d, {
      userId: principal.userId,
      action: 'wallet_created',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { wallet_id: id, chain_id: chain.id, address: sealed.address, type: 'custodial' },
    }),
    d.select().from(wallets).where(eq(wallets.id, id)),
  ]);
  if (!row) throw new ApiError('DATABASE_ERROR', 'Wallet was not stored');
  const view = walletView(row);
  return {
    id: view.id,
    address: view.address,
    type: 'custodial' as const,
    chain_id: view.chain_id,
    chain_name: view.chain_name,
    label: view.label,
    created_at: view.created_at,
  };
}

/**
 * Removes a wallet from the user's list. The row (and a custodial wallet's sealed key) is
 * kept, so funds sent to it later can still be recovered by support; it just stops being usable.
 */
export async function deleteWallet(env: Env, principal: Principal, walletId: string, facts: RequestFacts) {
  const w = await getOwnedWallet(env, principal.userId, walletId);
  const d = db(env);
  const now = new Date().toISOString();
  await d.batch([
    d.update(wallets).set({ deletedAt: now, updatedAt: now }).where(eq(wallets.id, w.id)),
    activity(d, {
      userId: principal.userId,
      action: 'wallet_deleted',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { wallet_id: w.id, chain_id: w.chainId, address: w.address },
    }),
  ]);
  return { id: w.id, deleted: true, deleted_at: now };
}

// ---- External wallets: Sign-In with Ethereum (EIP-4361) over personal_sign (EIP-191). ----

export interface SiweOrigin {
  /** RFC 3986 authority the message binds to (our host). */
  domain: string;
  uri: string;
}

/** Issues a single-use nonce and the exact EIP-4361 message the address must sign. */
export async function issueNonce(
  env: Env,
  principal: Principal,
  input: { address: string; chain_id: number },
  origin: SiweOrigin,
) {
  const chain = chainOf(input.chain_id);
  const address = getAddress(input.address);
  // EIP-4361 nonces are alphanumeric, at least 8 characters: 128 random bits in hex.
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  const issuedAt = new Date();
  const expiresAt = new Date(issuedAt.getTime() + NONCE_TTL_MS);
  const message = createSiweMessage({
    domain: origin.domain,
    address,
    statement: `Register this wallet with Meridian for account ${principal.userId}.`,
    uri: origin.uri,
    version: '1',
    chainId: chain.id,
    nonce,
    issuedAt,
    expirationTime: expiresAt,
  });
  const d = db(env);
  await d.batch([
    // Expired nonces of this user go as new ones come, so the table stays small.
    d
      .delete(walletNonces)
      .where(and(eq(walletNonces.userId, principal.userId), sql`${walletNonces.expiresAt} < ${Date.now()}`)),
    d.insert(walletNonces).values({
      nonce,
      userId: principal.userId,
      address,
      chainId: chain.id,
      message,
      expiresAt: expiresAt.getTime(),
    }),
  ]);
  return {
    nonce,
    message,
    domain: origin.domain,
    chain_id: chain.id,
    address,
    issued_at: issuedAt.toISOString(),
    expires_at: expiresAt.toISOString(),
  };
}

export async function registerExternalWallet(
  env: Env,
  principal: Principal,
  input: {
    address: string;
    chain_id: number;
    signature: string;
    nonce: string;
    message?: string | undefined;
    label?: string | undefined;
  },
  origin: SiweOrigin,
  facts: RequestFacts,
) {
  const chain = chainOf(input.chain_id);
  const address = getAddress(input.address);
  const d = db(env);
  const [issued] = await d
    .select()
    .from(walletNonces)
    .where(and(eq(walletNonces.nonce, input.nonce), eq(walletNonces.userId, principal.userId)))
    .limit(1);
  const refuse = async (
    reason: string,
    code: 'VALIDATION_ERROR' | 'AUTHORIZATION_ERROR' = 'AUTHORIZATION_ERROR',
  ) => {
    await d.batch([
      activity(d, {
        userId: principal.userId,
        action: 'wallet_register_refused',
        facts,
        sessionId: principal.sessionId ?? null,
        details: { address, chain_id: chain.id, reason },
      }),
    ]);
    return new ApiError(code, reason);
  };
  if (!issued)
    throw await refuse(
      'Unknown nonce: request one from POST /api/wallets/external/nonce',
      'VALIDATION_ERROR',
    );
  if (issued.usedAt !== null)
    throw await refuse('This nonce was already used; request a new one', 'VALIDATION_ERROR');
  if (issued.expiresAt <= Date.now())
    throw await refuse('This nonce has expired; request a new one', 'VALIDATION_ERROR');
  if (issued.address !== address) throw await refuse('The nonce was issued for another address');
  if (issued.chainId !== chain.id) throw await refuse('The nonce was issued for another chain_id');
  if (input.message !== undefined && input.message !== issued.message) {
    const parsed = parseSiweMessage(input.message);
    if (parsed.domain !== origin.domain)
      throw await refuse(
        `SIWE domain mismatch: the message names ${parsed.domain ?? 'no domain'}, expected ${origin.domain}`,
      );
    if (parsed.chainId !== chain.id) throw await refuse('SIWE chain id mismatch');
    throw await refuse('The signed message is not the one issued with this nonce');
  }
  // The issued message pins domain, URI, chain id, nonce and expiry: a signature over it proves all of them.
  const stored = parseSiweMessage(issued.message);
  if (stored.domain !== origin.domain) throw await refuse(`SIWE domain mismatch: expected ${origin.domain}`);
  let signer: string;
  try {
    signer = await recoverMessageAddress({ message: issued.message, signature: input.signature as Hex });
  } catch {
    throw await refuse('The signature is malformed');
  }
  if (signer !== address) throw await refuse('The signature was not made by this address');
  // Single use: the first request to flip used_at wins; a replay racing it changes nothing.
  const now = Date.now();
  const [spent] = await d
    .update(walletNonces)
    .set({ usedAt: now })
    .where(
      and(eq(walletNonces.nonce, issued.nonce), isNull(walletNonces.usedAt), gt(walletNonces.expiresAt, now)),
    )
    .returning({ nonce: walletNonces.nonce });
  if (!spent) throw await refuse('This nonce was already used; request a new one', 'VALIDATION_ERROR');

  const [existing] = await d
    .select()
    .from(wallets)
    .where(
      and(eq(wallets.userId, principal.userId), eq(wallets.chainId, chain.id), eq(wallets.address, address)),
    )
    .limit(1);
  if (existing && existing.deletedAt === null)
    throw new ApiError('INTEGRITY_ERROR', 'This wallet is already registered', {
      details: { wallet_id: existing.id },
    });
  if (existing?.type === 'custodial')
    throw new ApiError('INTEGRITY_ERROR', 'This address is one of your custodial wallets');
  await assertRoom(env, principal.userId);
  const id = existing?.id ?? newId('wallet');
  const iso = new Date(now).toISOString();
  await d.batch([
    existing
      ? d
          .update(wallets)
          .set({ deletedAt: null, label: input.label ?? existing.label, updatedAt: iso })
          .where(eq(wallets.id, id))
      : d.insert(wallets).values({
          id,
          userId: principal.userId,
          type: 'external',
          chainId: chain.id,
          address,
          label: input.label ?? null,
        }),
    activity(d, {
      userId: principal.userId,
      action: 'wallet_registered',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { wallet_id: id, chain_id: chain.id, address, type: 'external', proof: 'eip-4361' },
    }),
  ]);
  return {
    id,
    address,
    type: 'external' as const,
    chain_id: chain.id,
    chain_name: chain.name,
    registered_at: iso,
  };
}

// ---- Balances over JSON-RPC, priced from market data. ----

const usd = (amount: string, price: number | undefined) =>
  price === undefined ? null : new Decimal(amount).times(price).toDecimalPlaces(2).toFixed(2);

async function priceMap(env: Env, symbols: (string | null)[]) {
  const ids = [...new Set(symbols.filter((s): s is string => s !== null))].map(catalogAssetId);
  const prices = await pricesFor(env, ids);
  return (symbol: string | null) => (symbol === null ? undefined : prices.get(catalogAssetId(symbol)));
}

export function balanceView(w: WalletRow) {
  const chain = chainOf(w.chainId);
  return {
    wallet_id: w.id,
    balance: w.balance,
    balance_usd: w.balanceUsd,
    balance_updated_at: w.balanceUpdatedAt,
    chain_id: w.chainId,
    chain_name: chain.name,
    symbol: chain.nativeSymbol,
  };
}

/**
 * Reads the wallet's native balance (`eth_getBalance`) and each tracked token's
 * (`balanceOf` by `eth_call`) at one block, prices them from market quotes, and stores them.
 */
export async function refreshWalletBalance(env: Env, w: WalletRow) {
  const { client, chain } = chainClient(env, w.chainId);
  const owner = w.address as Hex;
  // Our own sends are settled first, so deposit detection can tell them from what arrived.
  await settlePending(env, w);
  // cacheTime 0: viem otherwise serves a block number up to 4 s old from its client cache.
  const blockNumber = await rpc(chain, 'eth_blockNumber', () => client.getBlockNumber({ cacheTime: 0 }));
  const [native, ...tokenRaw] = await rpc(chain, 'balance reads', () =>
    Promise.all([
      client.getBalance({ address: owner, blockNumber }),
      ...chain.tokens.map((t) => erc20BalanceOf(client, t.address, owner)),
    ]),
  );
  const price = await priceMap(env, [chain.nativePriceSymbol, ...chain.tokens.map((t) => t.priceSymbol)]);
  const nativeAmount = formatUnits(native ?? 0n, 18);
  const nativePrice = price(chain.nativePriceSymbol);
  const tokens = [
    {
      // The native coin under the sentinel address aggregators use, so it can go straight into a quote.
      address: NATIVE_TOKEN as string,
      symbol: chain.nativeSymbol,
      balance: nativeAmount,
      balance_usd: usd(nativeAmount, nativePrice?.price),
      price_usd: nativePrice ? String(nativePrice.price) : null,
      price_as_of: nativePrice ? new Date(nativePrice.at).toISOString() : null,
    },
    ...chain.tokens.map((t, i) => {
      const amount = formatUnits(tokenRaw[i] ?? 0n, t.decimals);
      const p = price(t.priceSymbol);
      return {
        address: t.address as string,
        symbol: t.symbol,
        balance: amount,
        balance_usd: usd(amount, p?.price),
        price_usd: p ? String(p.price) : null,
        price_as_of: p ? new Date(p.at).toISOString() : null,
      };
    }),
  ];
  const refreshedAt = new Date().toISOString();
  const balanceUsd = tokens[0]?.balance_usd ?? null;
  await db(env)
    .update(wallets)
    .set({ balance: nativeAmount, balanceUsd, balanceUpdatedAt: refreshedAt, tokens, updatedAt: refreshedAt })
    .where(eq(wallets.id, w.id));
  const deposits = await detectDeposits(env, w, client, chain, blockNumber, price);
  return {
    wallet_id: w.id,
    chain_id: w.chainId,
    balance: nativeAmount,
    balance_usd: balanceUsd,
    tokens,
    block_number: Number(blockNumber),
    refreshed_at: refreshedAt,
    deposits,
    method:
      'eth_getBalance and ERC-20 balanceOf (eth_call) at one block; USD from the latest market quote (or daily close) of the priced asset; null where we hold no price',
  };
}

/** Refreshes every wallet of the user; one failing chain does not stop the others. */
export async function refreshAllBalances(env: Env, userId: string) {
  const rows = await db(env)
    .select()
    .from(wallets)
    .where(and(eq(wallets.userId, userId), isNull(wallets.deletedAt)));
  const errors: { wallet_id: string; error: string }[] = [];
  let updated = 0;
  let deposits = 0;
  for (const w of rows) {
    try {
      deposits += (await refreshWalletBalance(env, w)).deposits.deposits_recorded;
      updated++;
    } catch (e) {
      errors.push({ wallet_id: w.id, error: e instanceof ApiError ? e.message : 'balance refresh failed' });
      log('warn', 'wallet.refresh_failed', { wallet_id: w.id, chain_id: w.chainId });
    }
  }
  return {
    status:
      errors.length === 0 ? ('success' as const) : updated > 0 ? ('partial' as const) : ('failed' as const),
    wallets_updated: updated,
    wallets_failed: errors.length,
    deposits_recorded: deposits,
    updated_at: new Date().toISOString(),
    errors,
  };
}

// ---- Transactions. ----

export { settlePending };

export function transactionView(t: WalletTxRow) {
  const chain = chainOf(t.chainId);
  const outgoing = t.type !== 'deposit';
  return {
    id: t.id,
    transaction_hash: t.hash,
    hash: t.hash,
    chain_id: t.chainId,
    chain_name: chain.name,
    type: t.type,
    status: t.status,
    from_address: t.fromAddress,
    to_address: t.toAddress,
    from_token: outgoing ? t.tokenSymbol : null,
    to_token: outgoing ? null : t.tokenSymbol,
    token_address: t.tokenAddress,
    amount: t.amount,
    fee: t.fee,
    block_number: t.blockNumber,
    created_at: t.createdAt,
    timestamp: t.createdAt,
  };
}

export async function listTransactions(
  env: Env,
  userId: string,
  walletId: string,
  q: { chain_id?: number | undefined; limit: number; offset: number },
) {
  const w = await getOwnedWallet(env, userId, walletId);
  // Pending ones are brought up to date from the chain first, when it is reachable.
  await settlePending(env, w).catch(() => undefined);
  const where = and(
    eq(walletTransactions.walletId, w.id),
    q.chain_id === undefined ? undefined : eq(walletTransactions.chainId, q.chain_id),
  );
  const d = db(env);
  const [rows, [total]] = await d.batch([
    d
      .select()
      .from(walletTransactions)
      .where(where)
      .orderBy(desc(walletTransactions.createdAt))
      .limit(q.limit)
      .offset(q.offset),
    d.select({ n: count() }).from(walletTransactions).where(where),
  ]);
  return { transactions: rows.map(transactionView), total: total?.n ?? 0, limit: q.limit, offset: q.offset };
}

export { CHAINS };

/**
 * Moves every custodial wallet still wrapped under the previous master key to the current one
 * (the `wallets.rewrap-keys` job, run after `wrangler secret put DATA_ENCRYPTION_KEY` with the
 * old value in DATA_ENCRYPTION_KEY_PREVIOUS). Idempotent: current rows are skipped.
 */
export async function rewrapWalletKeys(env: Env): Promise<{ rewrapped: number; current: number }> {
  const d = db(env);
  const current = await masterKeyId(env);
  const rows = await d
    .select({ id: wallets.id, wrappedDataKey: wallets.wrappedDataKey, keyId: wallets.keyId })
    .from(wallets)
    .where(and(eq(wallets.type, 'custodial'), sql`${wallets.keyId} IS NOT ${current}`));
  let rewrapped = 0;
  for (const row of rows) {
    const next = await rewrapDataKey(env, row);
    if (!next) continue;
    // Conditional on the old wrapping, so a concurrent run cannot interleave badly.
    await d
      .update(wallets)
      .set({ wrappedDataKey: next.wrappedDataKey, keyId: next.keyId })
      .where(and(eq(wallets.id, row.id), eq(wallets.keyId, row.keyId ?? '')));
    rewrapped++;
  }
  return { rewrapped, current: rows.length - rewrapped };
}
