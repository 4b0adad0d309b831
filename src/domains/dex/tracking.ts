import { and, eq } from 'drizzle-orm';
import { formatUnits, type Hex } from 'viem';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { db } from '../../db/client';
import { dexTrades, walletTransactions } from '../../db/schema';
import type { Principal } from '../../env';
import { trackedToken } from '../../providers/chains/chains';
import { chainClient, receiptOrNull, rpc } from '../../providers/chains/rpc';
import { activity } from '../audit/service';

type TradeRow = typeof dexTrades.$inferSelect;

async function ownedTrade(env: Env, userId: string, tradeId: string): Promise<TradeRow> {
  const [t] = await db(env)
    .select()
    .from(dexTrades)
    .where(and(eq(dexTrades.id, tradeId), eq(dexTrades.userId, userId)))
    .limit(1);
  if (!t) throw new ApiError('NOT_FOUND', 'Trade not found');
  return t;
}

function statusView(row: TradeRow, confirmations: number) {
  return {
    trade_id: row.id,
    transaction_hash: row.txHash,
    status: row.status,
    block_number: row.blockNumber,
    confirmations,
    sell_amount: row.sellAmount,
    buy_amount: row.buyAmount,
    gas_used: row.gasUsed,
    gas_price: row.gasPrice,
    chain_id: row.chainId,
    aggregator: row.aggregator,
    mode: row.mode,
    updated_at: row.updatedAt,
  };
}

/**
 * A trade's status. A pending live trade is checked on the chain first: a receipt settles it
 * (confirmed or reverted); a transaction the node no longer knows whose sender has already used
 * its nonce was dropped or replaced, so the trade failed.
 */
export async function tradeStatus(env: Env, userId: string, tradeId: string) {
  const t = await ownedTrade(env, userId, tradeId);
  if (t.mode === 'paper') return statusView(t, 1);
  if (!t.txHash) return statusView(t, 0);
  const d = db(env);
  const { client, chain } = chainClient(env, t.chainId);
  const hash = t.txHash as Hex;
  const [receipt, head] = await rpc(chain, 'receipt', () =>
    Promise.all([receiptOrNull(client, hash), client.getBlockNumber({ cacheTime: 0 })]),
  );
  const now = new Date().toISOString();
  const swapTx = and(
    eq(walletTransactions.chainId, t.chainId),
    eq(walletTransactions.type, 'swap'),
    eq(walletTransactions.hash, t.txHash),
  );
  if (!receipt) {
    if (t.status !== 'pending') return statusView(t, 0);
    const [tx] = await d.select().from(walletTransactions).where(swapTx).limit(1);
    const known = await rpc(chain, 'eth_getTransactionByHash', () =>
      client.getTransaction({ hash }).then(
        () => true,
        (e: unknown) => {
          if (e instanceof Error && e.name === 'TransactionNotFoundError') return false;
          throw e;
        },
      ),
    );
    if (known || !tx || tx.txNonce === null) return statusView(t, 0);
    const used = await rpc(chain, 'eth_getTransactionCount', () =>
      client.getTransactionCount({ address: tx.fromAddress as Hex, blockTag: 'latest' }),
    );
    if (used <= tx.txNonce) return statusView(t, 0);
    await d.batch([
      d
        .update(dexTrades)
        .set({ status: 'failed', updatedAt: now })
        .where(and(eq(dexTrades.id, t.id), eq(dexTrades.status, 'pending'))),
      d
        .update(walletTransactions)
        .set({
          status: 'failed',
          error: 'dropped or replaced: its nonce was used by another transaction',
          updatedAt: now,
        })
        .where(and(swapTx, eq(walletTransactions.status, 'pending'))),
      activity(d, {
        userId,
        action: 'dex_swap_failed',
        details: { trade_id: t.id, hash: t.txHash, reason: 'dropped' },
      }),
    ]);
    return statusView({ ...t, status: 'failed', updatedAt: now }, 0);
  }
  const confirmations = Number(head - receipt.blockNumber) + 1;
  if (t.status !== 'pending') return statusView(t, confirmations);
  const status = receipt.status === 'success' ? ('confirmed' as const) : ('reverted' as const);
  const patch = {
    status,
    blockNumber: Number(receipt.blockNumber),
    gasUsed: receipt.gasUsed.toString(),
    gasPrice: receipt.effectiveGasPrice.toString(),
    updatedAt: now,
  };
  await d.batch([
    d
      .update(dexTrades)
      .set(patch)
      .where(and(eq(dexTrades.id, t.id), eq(dexTrades.status, 'pending'))),
    d
      .update(walletTransactions)
      .set({
        status,
        blockNumber: patch.blockNumber,
        gasUsed: patch.gasUsed,
        gasPrice: patch.gasPrice,
        fee: formatUnits(receipt.gasUsed * receipt.effectiveGasPrice, 18),
        updatedAt: now,
      })
      .where(and(swapTx, eq(walletTransactions.status, 'pending'))),
    activity(d, { userId, action: `dex_swap_${status}`, details: { trade_id: t.id, hash: t.txHash } }),
  ]);
  return statusView({ ...t, ...patch }, confirmations);
}

/**
 * A non-custodial swap's signed transaction, reported by its hash. It is read from the chain and
 * accepted only if it is exactly the transaction we handed out: sent by the trade's wallet, to the
 * quoted router, with the quoted calldata and value, on the trade's chain. Then the trade is
 * pending and tracked like a custodial one. Reporting the same hash again is a no-op.
 */
export async function submitSignedSwap(
  env: Env,
  principal: Principal,
  tradeId: string,
  input: { transaction_hash: string },
  facts: RequestFacts,
) {
  const t = await ownedTrade(env, principal.userId, tradeId);
  const hash = input.transaction_hash.toLowerCase() as Hex;
  if (t.txHash === hash) return tradeStatus(env, principal.userId, t.id);
  if (t.mode !== 'live' || t.custodial || t.status !== 'awaiting_signature')
    throw new ApiError(
      'VALIDATION_ERROR',
      `Only a non-custodial swap awaiting its signature takes a transaction hash (this one is ${t.custodial ? 'custodial' : t.mode}, ${t.status})`,
    );
  if (!t.fromAddress || !t.txTo || t.txData === null || t.txValue === null)
    throw new ApiError(
      'VALIDATION_ERROR',
      'This trade has no quoted transaction to match; prepare a new swap',
    );
  const d = db(env);
  const refuse = async (reason: string, details: Record<string, unknown> = {}) => {
    await d.batch([
      activity(d, {
        userId: principal.userId,
        action: 'dex_swap_report_refused',
        facts,
        sessionId: principal.sessionId ?? null,
        details: { trade_id: t.id, hash, reason, ...details },
      }),
    ]);
    return new ApiError('VALIDATION_ERROR', reason, { details: { field: 'transaction_hash', ...details } });
  };
  const { client, chain } = chainClient(env, t.chainId);
  const tx = await rpc(chain, 'eth_getTransactionByHash', () =>
    client.getTransaction({ hash }).catch((e: unknown) => {
      if (e instanceof Error && e.name === 'TransactionNotFoundError') return null;
      throw e;
    }),
  );
  if (!tx)
    throw await refuse(
      `No transaction ${hash} is known on ${chain.name}; broadcast it first, then report its hash`,
    );
  const mismatches: string[] = [];
  if (tx.from.toLowerCase() !== t.fromAddress.toLowerCase()) mismatches.push("from (not the trade's wallet)");
  if (tx.to?.toLowerCase() !== t.txTo.toLowerCase()) mismatches.push('to (not the quoted router)');
  if (tx.input.toLowerCase() !== t.txData.toLowerCase()) mismatches.push('data (not the quoted calldata)');
  if (tx.value.toString() !== t.txValue) mismatches.push('value');
  if (tx.chainId !== undefined && tx.chainId !== t.chainId) mismatches.push('chain id');
  if (mismatches.length)
    throw await refuse(
      `The transaction is not the one quoted for this trade: ${mismatches.join(', ')} differ`,
      {
        mismatches,
      },
    );
  const sold = trackedToken(t.chainId, t.sellToken);
  const now = new Date().toISOString();
  const moved = await d
    .update(dexTrades)
    .set({ status: 'pending', txHash: hash, updatedAt: now })
    .where(and(eq(dexTrades.id, t.id), eq(dexTrades.status, 'awaiting_signature')))
    .returning({ id: dexTrades.id })
    .catch((e: unknown) => {
      throw new ApiError('INTEGRITY_ERROR', 'This transaction hash was already reported for another trade', {
        cause: e,
      });
    });
  if (moved.length !== 1) return tradeStatus(env, principal.userId, t.id);
  await d.batch([
    d.insert(walletTransactions).values({
      id: newId('walletTx'),
      walletId: t.walletId ?? '',
      userId: principal.userId,
      chainId: t.chainId,
      type: 'swap',
      status: 'pending',
      hash,
      fromAddress: t.fromAddress,
      toAddress: t.txTo,
      tokenAddress: sold ? sold.address : null,
      tokenSymbol: sold ? sold.symbol : chain.nativeSymbol,
      amount: formatUnits(BigInt(t.sellAmount), sold ? sold.decimals : 18),
      amountUsd: t.valueUsd,
      txNonce: tx.nonce,
      createdAt: now,
      updatedAt: now,
    }),
    activity(d, {
      userId: principal.userId,
      action: 'dex_swap_submitted',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { trade_id: t.id, hash, custodial: false },
    }),
  ]);
  return tradeStatus(env, principal.userId, t.id);
}
