import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';
import { users } from './users';

/**
 * Users' wallets. A custodial wallet's private key is sealed with a per-wallet data key
 * (AES-256-GCM), and that data key is wrapped under the deployment's DATA_ENCRYPTION_KEY
 * (`key_id` names which one, for rotation). Neither column ever leaves the service layer.
 */
export const wallets = sqliteTable(
  'wallets',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    type: text('type', { enum: ['custodial', 'external'] }).notNull(),
    chainId: integer('chain_id').notNull(),
    /** EIP-55 checksummed. */
    address: text('address').notNull(),
    label: text('label'),
    /** `v1.<iv>.<ciphertext>` of the private key under the wallet's data key; null for external wallets. */
    sealedKey: text('sealed_key'),
    /** The wallet's data key, wrapped under the master key named by `key_id`. */
    wrappedDataKey: text('wrapped_data_key'),
    keyId: text('key_id'),
    /** Native balance, decimal string in the chain's unit; null until first refreshed. */
    balance: text('balance'),
    balanceUsd: text('balance_usd'),
    balanceUpdatedAt: text('balance_updated_at'),
    /** Token balances at the last refresh, JSON. */
    tokens: text('tokens', { mode: 'json' }),
    /** Epoch ms until which a withdrawal holds this wallet (serializes spends). */
    spendLockUntil: integer('spend_lock_until'),
    /** Deposit detection: the block the native balance was last accounted at, and that balance in wei. */
    nativeScannedBlock: integer('native_scanned_block'),
    nativeScannedWei: text('native_scanned_wei'),
    /** Deposit detection: the last block whose ERC-20 Transfer logs to this wallet were read. */
    logsScannedBlock: integer('logs_scanned_block'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [
    index('wallets_user_idx').on(t.userId, t.deletedAt),
    uniqueIndex('wallets_user_chain_address_uq').on(t.userId, t.chainId, t.address),
  ],
);

/** Server-issued SIWE nonces: single use, expiring. */
export const walletNonces = sqliteTable(
  'wallet_nonces',
  {
    nonce: text('nonce').primaryKey(),
    userId: text('user_id').notNull(),
    address: text('address').notNull(),
    chainId: integer('chain_id').notNull(),
    /** The exact EIP-4361 message the address must sign. */
    message: text('message').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('wallet_nonces_user_idx').on(t.userId)],
);

/** What a wallet sent or received through us: withdrawals, swaps, and observed deposits. */
export const walletTransactions = sqliteTable(
  'wallet_transactions',
  {
    id: text('id').primaryKey(),
    walletId: text('wallet_id').notNull(),
    userId: text('user_id').notNull(),
    chainId: integer('chain_id').notNull(),
    type: text('type', { enum: ['withdrawal', 'deposit', 'swap'] }).notNull(),
    status: text('status', { enum: ['pending', 'confirmed', 'failed', 'reverted'] }).notNull(),
    hash: text('hash'),
    fromAddress: text('from_address').notNull(),
    toAddress: text('to_address').notNull(),
    /** Token contract, null for the native coin. */
    tokenAddress: text('token_address'),
    tokenSymbol: text('token_symbol').notNull(),
    /** Decimal string in the token's unit. */
    amount: text('amount').notNull(),
    amountUsd: text('amount_usd'),
    /** Fee in the native unit once mined; before that the most it can cost. */
    fee: text('fee'),
    /** Most the transaction can cost in wei (gas limit x max fee), held against the balance while pending. */
    maxFeeWei: text('max_fee_wei'),
    txNonce: integer('tx_nonce'),
    blockNumber: integer('block_number'),
    gasUsed: text('gas_used'),
    gasPrice: text('gas_price'),
    error: text('error'),
    /**
     * How a deposit was observed: `transfer_log` (an ERC-20 Transfer log, with its hash and log
     * index) or `balance_delta` (native balance growth our own sends do not explain); null for
     * transactions we sent.
     */
    detection: text('detection', { enum: ['transfer_log', 'balance_delta'] }),
    logIndex: integer('log_index'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('wallet_transactions_wallet_idx').on(t.walletId, t.createdAt),
    index('wallet_transactions_user_idx').on(t.userId, t.type, t.createdAt),
    // Not unique: one transaction can be a swap we sent and, through its Transfer logs, a deposit
    // to another wallet. Deposits are kept unique by their deterministic ids.
    index('wallet_transactions_hash_idx').on(t.chainId, t.hash),
  ],
);

/**
 * Withdrawal destinations per user and chain: a new one can receive only from `active_at`
 * (the cooling-off period), as exchanges do.
 */
export const withdrawalDestinations = sqliteTable(
  'withdrawal_destinations',
  {
    userId: text('user_id').notNull(),
    chainId: integer('chain_id').notNull(),
    address: text('address').notNull(),
    activeAt: integer('active_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('withdrawal_destinations_pk').on(t.userId, t.chainId, t.address)],
);

/** DEX trades: live (custodial or not) and paper, with their on-chain status. */
export const dexTrades = sqliteTable(
  'dex_trades',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    walletId: text('wallet_id'),
    mode: text('mode', { enum: ['live', 'paper'] }).notNull(),
    custodial: integer('custodial', { mode: 'boolean' }).notNull(),
    chainId: integer('chain_id').notNull(),
    aggregator: text('aggregator').notNull(),
    sellToken: text('sell_token').notNull(),
    buyToken: text('buy_token').notNull(),
    /** Base units (integer strings), as the seed shows. */
    sellAmount: text('sell_amount').notNull(),
    buyAmount: text('buy_amount').notNull(),
    minBuyAmount: text('min_buy_amount').notNull(),
    feeAmount: text('fee_amount').notNull(),
    priceImpact: text('price_impact').notNull(),
    valueUsd: text('value_usd'),
    status: text('status', {
      enum: ['pending', 'awaiting_signature', 'confirmed', 'failed', 'reverted'],
    }).notNull(),
    txHash: text('tx_hash'),
    /** The transaction as quoted (live): who must send it, to which router, with what calldata and value. */
    fromAddress: text('from_address'),
    txTo: text('tx_to'),
    txData: text('tx_data'),
    txValue: text('tx_value'),
    blockNumber: integer('block_number'),
    gasUsed: text('gas_used'),
    gasPrice: text('gas_price'),
    /** The paper portfolio trade it settled into. */
    portfolioTradeId: text('portfolio_trade_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('dex_trades_user_idx').on(t.userId, t.createdAt),
    // A transaction hash settles at most one trade.
    uniqueIndex('dex_trades_tx_hash_uq').on(t.chainId, t.txHash),
  ],
);
