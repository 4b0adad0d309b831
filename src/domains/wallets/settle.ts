import { and, eq } from 'drizzle-orm';
import { formatUnits, type Hex } from 'viem';
import { db } from '../../db/client';
import { walletTransactions } from '../../db/schema';
import { chainClient, receiptOrNull, rpc } from '../../providers/chains/rpc';
import { activity } from '../audit/service';
import type { WalletRow } from './service';

/**
 * Moves the wallet's pending transactions to confirmed/reverted from their receipts, and to failed
 * when the node no longer knows one whose nonce its sender has since used (dropped or replaced).
 */
export async function settlePending(env: Env, w: WalletRow): Promise<void> {
  const d = db(env);
  const pending = await d
    .select()
    .from(walletTransactions)
    .where(and(eq(walletTransactions.walletId, w.id), eq(walletTransactions.status, 'pending')))
    .limit(20);
  if (pending.length === 0) return;
  const { client, chain } = chainClient(env, w.chainId);
  let usedNonces: number | null = null;
  for (const tx of pending) {
    if (!tx.hash) continue;
    const hash = tx.hash as Hex;
    const receipt = await rpc(chain, 'eth_getTransactionReceipt', () => receiptOrNull(client, hash));
    const now = new Date().toISOString();
    if (!receipt) {
      if (tx.txNonce === null) continue;
      const known = await rpc(chain, 'eth_getTransactionByHash', () =>
        client.getTransaction({ hash }).then(
          () => true,
          (e: unknown) => {
            if (e instanceof Error && e.name === 'TransactionNotFoundError') return false;
            throw e;
          },
        ),
      );
      if (known) continue;
      usedNonces ??= await rpc(chain, 'eth_getTransactionCount', () =>
        client.getTransactionCount({ address: tx.fromAddress as Hex, blockTag: 'latest' }),
      );
      if (usedNonces <= tx.txNonce) continue;
      await d.batch([
        d
          .update(walletTransactions)
          .set({
            status: 'failed',
            error: 'dropped or replaced: its nonce was used by another transaction',
            updatedAt: now,
          })
          .where(and(eq(walletTransactions.id, tx.id), eq(walletTransactions.status, 'pending'))),
        activity(d, {
          userId: tx.userId,
          action: `${tx.type}_failed`,
          details: { wallet_id: w.id, transaction_id: tx.id, hash: tx.hash, reason: 'dropped' },
        }),
      ]);
      continue;
    }
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    await d.batch([
      d
        .update(walletTransactions)
        .set({
          status: receipt.status === 'success' ? 'confirmed' : 'reverted',
          blockNumber: Number(receipt.blockNumber),
          gasUsed: receipt.gasUsed.toString(),
          gasPrice: receipt.effectiveGasPrice.toString(),
          fee: formatUnits(fee, 18),
          updatedAt: now,
        })
        .where(and(eq(walletTransactions.id, tx.id), eq(walletTransactions.status, 'pending'))),
      activity(d, {
        userId: tx.userId,
        action: receipt.status === 'success' ? `${tx.type}_confirmed` : `${tx.type}_reverted`,
        details: {
          wallet_id: w.id,
          transaction_id: tx.id,
          hash: tx.hash,
          block_number: Number(receipt.blockNumber),
        },
      }),
    ]);
  }
}
