import Decimal from 'decimal.js';
import { and, eq, gt, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import { formatUnits, getAddress, type Hex, type PublicClient, parseAbiItem, parseUnits } from 'viem';
import { log } from '../../core/logger';
import { db } from '../../db/client';
import { wallets, walletTransactions } from '../../db/schema';
import type { ChainInfo } from '../../providers/chains/chains';
import { rpc } from '../../providers/chains/rpc';
import { activity } from '../audit/service';
import type { WalletRow } from './service';

/** Blocks a deposit must be buried under before it is recorded (reorg safety). */
export const DEPOSIT_CONFIRMATIONS = 12;
/** eth_getLogs is asked for at most this many blocks at once (public RPCs cap the range). */
export const LOG_CHUNK_BLOCKS = 5_000;
/** ...and at most this many chunks per refresh; the cursor carries the rest to the next one. */
export const LOG_CHUNKS_PER_REFRESH = 10;
/** A custodial wallet's first scan looks this far back for token deposits made before it. */
export const FIRST_SCAN_LOOKBACK_BLOCKS = 50_000;

const TRANSFER = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

export interface DepositScan {
  /** The block up to which deposits are accounted (head less the confirmations). */
  safe_block: number;
  native_from_block: number | null;
  logs_from_block: number | null;
  logs_to_block: number | null;
  deposits_recorded: number;
  /** Native outflow our own transactions do not explain (an external wallet spending on its own). */
  unexplained_outflow: string | null;
  method: string;
}

const METHOD =
  'ERC-20 deposits: Transfer logs to the wallet from each tracked token (eth_getLogs), one row per log; native deposits: the growth of eth_getBalance between two scanned blocks that our own mined sends (value and gas) do not explain. Only blocks at least 12 deep are scanned; rows have deterministic ids, so a re-run or a concurrent refresh records nothing twice.';

const changes = (r: unknown) => (r as { meta?: { changes?: number } }).meta?.changes ?? 0;

async function depositId(...parts: (string | number)[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(parts.join('|')));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `tx_dep${hex.slice(0, 26)}`;
}

/** Wei our own transactions from this wallet moved out in blocks (from, to]: value sent plus gas paid. */
async function ownOutflowWei(env: Env, w: WalletRow, from: number | null, to: number): Promise<bigint> {
  const rows = await db(env)
    .select()
    .from(walletTransactions)
    .where(
      and(
        eq(walletTransactions.walletId, w.id),
        inArray(walletTransactions.type, ['withdrawal', 'swap']),
        inArray(walletTransactions.status, ['confirmed', 'reverted']),
        isNotNull(walletTransactions.blockNumber),
        from === null ? undefined : gt(walletTransactions.blockNumber, from),
        lte(walletTransactions.blockNumber, to),
      ),
    );
  let wei = 0n;
  for (const r of rows) {
    if (r.fromAddress.toLowerCase() !== w.address.toLowerCase()) continue;
    if (r.gasUsed && r.gasPrice) wei += BigInt(r.gasUsed) * BigInt(r.gasPrice);
    if (r.status === 'confirmed' && r.tokenAddress === null) wei += parseUnits(r.amount, 18);
  }
  return wei;
}

/**
 * Records what the wallet received since its last scan as `deposit` transactions (the
 * `refresh-balances` job and the refresh routes run it after settling our own pending sends).
 * Idempotent: native deposits are keyed by the scan's starting block, token deposits by their log,
 * and each cursor moves only from the value this scan started at, in the same D1 batch.
 */
export async function detectDeposits(
  env: Env,
  w: WalletRow,
  client: PublicClient,
  chain: ChainInfo,
  head: bigint,
  price: (symbol: string | null) => { price: number } | undefined,
): Promise<DepositScan> {
  const d = db(env);
  const safe = Number(head) - DEPOSIT_CONFIRMATIONS;
  const scan: DepositScan = {
    safe_block: Math.max(safe, 0),
    native_from_block: w.nativeScannedBlock,
    logs_from_block: null,
    logs_to_block: null,
    deposits_recorded: 0,
    unexplained_outflow: null,
    method: METHOD,
  };
  if (safe < 0) return scan;
  const owner = w.address as Hex;
  const now = new Date().toISOString();

  // Native: the balance at the safe block against the last scanned one.
  if (w.nativeScannedBlock === null || w.nativeScannedBlock < safe) {
    const wei = await rpc(chain, 'eth_getBalance', () =>
      client.getBalance({ address: owner, blockNumber: BigInt(safe) }),
    );
    // A custodial key is ours from birth, so its history starts at zero; an external wallet's
    // history before it was registered is not ours to account: its first scan is the baseline.
    const baseline =
      w.nativeScannedBlock === null ? (w.type === 'custodial' ? 0n : wei) : BigInt(w.nativeScannedWei ?? '0');
    const incoming = wei - baseline + (await ownOutflowWei(env, w, w.nativeScannedBlock, safe));
    const cursor = sql`${wallets.nativeScannedBlock} IS ${w.nativeScannedBlock}`;
    const statements = [];
    if (incoming > 0n) {
      const amount = formatUnits(incoming, 18);
      const p = price(chain.nativePriceSymbol);
      statements.push(
        d
          .insert(walletTransactions)
          .values({
            id: await depositId('native', w.id, w.nativeScannedBlock ?? 'genesis'),
            walletId: w.id,
            userId: w.userId,
            chainId: chain.id,
            type: 'deposit',
            status: 'confirmed',
            hash: null,
            fromAddress: 'unknown',
            toAddress: w.address,
            tokenAddress: null,
            tokenSymbol: chain.nativeSymbol,
            amount,
            amountUsd: p ? new Decimal(amount).times(p.price).toFixed(2) : null,
            blockNumber: safe,
            detection: 'balance_delta',
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing(),
      );
    } else if (incoming < 0n) {
      scan.unexplained_outflow = formatUnits(-incoming, 18);
      log('warn', 'wallet.unexplained_outflow', { wallet_id: w.id, chain_id: chain.id, to_block: safe });
    }
    const res = await d.batch([
      d
        .update(wallets)
        .set({ nativeScannedBlock: safe, nativeScannedWei: wei.toString() })
        .where(and(eq(wallets.id, w.id), cursor)),
      ...statements,
    ]);
    for (const r of res.slice(1)) scan.deposits_recorded += changes(r);
  }

  // ERC-20: Transfer logs to the wallet from the tracked tokens, chunked.
  if (chain.tokens.length > 0) {
    const start =
      w.logsScannedBlock !== null
        ? w.logsScannedBlock + 1
        : w.type === 'custodial'
          ? Math.max(0, safe - FIRST_SCAN_LOOKBACK_BLOCKS)
          : safe + 1;
    const end = Math.min(safe, start + LOG_CHUNK_BLOCKS * LOG_CHUNKS_PER_REFRESH - 1);
    if (w.logsScannedBlock === null || start <= end) {
      scan.logs_from_block = start;
      scan.logs_to_block = Math.max(end, start - 1);
      const logs = [];
      for (let from = start; from <= end; from += LOG_CHUNK_BLOCKS) {
        const to = Math.min(end, from + LOG_CHUNK_BLOCKS - 1);
        logs.push(
          ...(await rpc(chain, 'eth_getLogs', () =>
            client.getLogs({
              address: chain.tokens.map((t) => t.address),
              event: TRANSFER,
              args: { to: owner },
              fromBlock: BigInt(from),
              toBlock: BigInt(to),
            }),
          )),
        );
      }
      // A swap's proceeds arrive in the swap's own transaction: that is the swap, not a deposit.
      const own = new Set(
        (
          await d
            .select({ hash: walletTransactions.hash })
            .from(walletTransactions)
            .where(
              and(
                eq(walletTransactions.walletId, w.id),
                inArray(walletTransactions.type, ['withdrawal', 'swap']),
              ),
            )
        ).map((r) => r.hash?.toLowerCase()),
      );
      const rows = [];
      for (const l of logs) {
        const token = chain.tokens.find((t) => t.address.toLowerCase() === l.address.toLowerCase());
        if (!token || !l.transactionHash || l.logIndex === null || l.blockNumber === null) continue;
        if (own.has(l.transactionHash.toLowerCase())) continue;
        const from = l.args.from ? getAddress(l.args.from) : 'unknown';
        if (from === w.address || l.args.value === undefined || l.args.value === 0n) continue;
        const amount = formatUnits(l.args.value, token.decimals);
        const p = price(token.priceSymbol);
        rows.push({
          id: await depositId('log', chain.id, l.transactionHash, l.logIndex, w.id),
          walletId: w.id,
          userId: w.userId,
          chainId: chain.id,
          type: 'deposit' as const,
          status: 'confirmed' as const,
          hash: l.transactionHash,
          fromAddress: from,
          toAddress: w.address,
          tokenAddress: token.address,
          tokenSymbol: token.symbol,
          amount,
          amountUsd: p ? new Decimal(amount).times(p.price).toFixed(2) : null,
          blockNumber: Number(l.blockNumber),
          detection: 'transfer_log' as const,
          logIndex: l.logIndex,
          createdAt: now,
          updatedAt: now,
        });
      }
      // At most 24 columns a row: 4 rows keep a statement under D1's 100 bound parameters.
      const inserts = [];
      for (let i = 0; i < rows.length; i += 4)
        inserts.push(
          d
            .insert(walletTransactions)
            .values(rows.slice(i, i + 4))
            .onConflictDoNothing(),
        );
      const res = await d.batch([
        d
          .update(wallets)
          .set({ logsScannedBlock: scan.logs_to_block })
          .where(and(eq(wallets.id, w.id), sql`${wallets.logsScannedBlock} IS ${w.logsScannedBlock}`)),
        ...inserts,
      ]);
      for (const r of res.slice(1)) scan.deposits_recorded += changes(r);
    }
  }
  if (scan.deposits_recorded > 0)
    await d.batch([
      activity(d, {
        userId: w.userId,
        action: 'wallet_deposits_detected',
        details: { wallet_id: w.id, chain_id: chain.id, count: scan.deposits_recorded, to_block: safe },
      }),
    ]);
  return scan;
}
