import { z } from '@hono/zod-openapi';
import { getAddress, isAddress } from 'viem';
import { CHAIN_IDS } from '../../providers/chains/chains';

/** One of the seven documented chains (EIP-155 ids). */
export const ChainId = z.coerce
  .number()
  .int()
  .refine((v) => CHAIN_IDS.includes(v), {
    message: `chain_id must be one of ${CHAIN_IDS.join(', ')} (Ethereum, Base, Arbitrum One, Polygon, Optimism, Avalanche, BNB Chain)`,
  })
  .openapi({ type: 'integer', example: 1, enum: [...CHAIN_IDS] });

/**
 * An EVM address. All-lowercase or all-uppercase hex is accepted as unchecksummed; mixed case
 * must be a valid EIP-55 checksum (a typo in a mixed-case address is caught here, not on chain).
 * Normalized to the EIP-55 form.
 */
export const EvmAddress = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be 0x followed by 40 hex digits')
  .refine((v) => isAddress(v, { strict: true }), 'fails its EIP-55 checksum')
  .transform((v) => getAddress(v))
  .openapi({ type: 'string', example: '0x742D35CC6634c0532925A3b844BC9E7595F0BEb0' });

/** A positive decimal amount as a string, in the token's unit (e.g. "0.5" ETH). */
export const DecimalAmount = z
  .string()
  .trim()
  .regex(/^(0|[1-9]\d{0,29})(\.\d{1,36})?$/, 'must be a decimal string such as "0.5"')
  .refine((v) => /[1-9]/.test(v), 'must be greater than zero')
  .openapi({ type: 'string', example: '0.5' });

export const TwoFactorToken = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');

export const WalletIdParam = z.object({
  wallet_id: z.string().min(1).max(64).openapi({ example: 'wallet_01h...' }),
});

export const WalletSchema = z
  .object({
    id: z.string(),
    address: z.string().openapi({ description: 'EIP-55 checksummed' }),
    type: z.enum(['custodial', 'external']),
    chain_id: z.number().int(),
    chain_name: z.string(),
    label: z.string().nullable(),
    balance: z
      .string()
      .nullable()
      .openapi({ description: 'Native balance at the last refresh, decimal string; null until refreshed' }),
    balance_updated_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Wallet');

export const CreateWalletBody = z
  .object({
    chain_id: ChainId,
    label: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .openapi('WalletCreate');

export const CreatedWalletSchema = z
  .object({
    id: z.string(),
    address: z.string(),
    type: z.literal('custodial'),
    chain_id: z.number().int(),
    chain_name: z.string(),
    label: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('WalletCreated');

export const NonceBody = z
  .object({ address: EvmAddress, chain_id: ChainId })
  .strict()
  .openapi('WalletNonceRequest');

export const NonceSchema = z
  .object({
    nonce: z.string(),
    message: z
      .string()
      .openapi({ description: 'The EIP-4361 message to sign with personal_sign (EIP-191), byte for byte' }),
    domain: z.string(),
    chain_id: z.number().int(),
    address: z.string(),
    issued_at: z.string(),
    expires_at: z.string(),
  })
  .openapi('WalletNonce');

export const RegisterExternalBody = z
  .object({
    address: EvmAddress,
    chain_id: ChainId,
    signature: z
      .string()
      .trim()
      .regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 65-byte hex signature (0x + 130 hex digits)'),
    nonce: z.string().trim().min(8).max(64),
    message: z
      .string()
      .max(2000)
      .optional()
      .openapi({ description: 'The signed message, if the client sends it back; it must be the issued one' }),
    label: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .openapi('ExternalWalletRegister');

export const RegisteredWalletSchema = z
  .object({
    id: z.string(),
    address: z.string(),
    type: z.literal('external'),
    chain_id: z.number().int(),
    chain_name: z.string(),
    registered_at: z.string(),
  })
  .openapi('ExternalWalletRegistered');

export const BalanceSchema = z
  .object({
    wallet_id: z.string(),
    balance: z.string().nullable(),
    balance_usd: z.string().nullable(),
    balance_updated_at: z.string().nullable(),
    chain_id: z.number().int(),
    chain_name: z.string(),
    symbol: z.string(),
  })
  .openapi('WalletBalance');

export const TokenBalanceSchema = z.object({
  address: z.string().openapi({
    description: 'Token contract; 0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE for the native coin',
  }),
  symbol: z.string(),
  balance: z.string(),
  balance_usd: z
    .string()
    .nullable()
    .openapi({ description: 'Null when we hold no market price for the token' }),
  price_usd: z.string().nullable(),
  price_as_of: z.string().nullable(),
});

export const RefreshedBalanceSchema = z
  .object({
    wallet_id: z.string(),
    chain_id: z.number().int(),
    balance: z.string(),
    balance_usd: z.string().nullable(),
    tokens: z.array(TokenBalanceSchema),
    block_number: z.number().int(),
    refreshed_at: z.string(),
    deposits: z
      .object({
        safe_block: z.number().int(),
        native_from_block: z.number().int().nullable(),
        logs_from_block: z.number().int().nullable(),
        logs_to_block: z.number().int().nullable(),
        deposits_recorded: z.number().int(),
        unexplained_outflow: z.string().nullable(),
        method: z.string(),
      })
      .openapi({
        description:
          'Deposit detection this refresh ran (incoming transfers recorded as deposit transactions)',
      }),
    method: z.string(),
  })
  .openapi('WalletRefreshedBalance');

export const RefreshAllSchema = z
  .object({
    status: z.enum(['success', 'partial', 'failed']),
    wallets_updated: z.number().int(),
    wallets_failed: z.number().int(),
    deposits_recorded: z
      .number()
      .int()
      .openapi({ description: 'Deposits newly recorded across the wallets' }),
    job_id: z.string(),
    updated_at: z.string(),
    errors: z.array(z.object({ wallet_id: z.string(), error: z.string() })),
  })
  .openapi('WalletRefreshAll');

export const TransactionSchema = z
  .object({
    id: z.string(),
    transaction_hash: z.string().nullable(),
    hash: z.string().nullable(),
    chain_id: z.number().int(),
    chain_name: z.string(),
    type: z.enum(['withdrawal', 'deposit', 'swap']),
    status: z.enum(['pending', 'confirmed', 'failed', 'reverted']),
    from_address: z.string(),
    to_address: z.string(),
    from_token: z.string().nullable(),
    to_token: z.string().nullable(),
    token_address: z.string().nullable(),
    amount: z.string(),
    fee: z.string().nullable(),
    block_number: z.number().int().nullable(),
    created_at: z.string(),
    timestamp: z.string(),
  })
  .openapi('WalletTransaction');

export const TransactionsQuery = z.object({
  chain_id: ChainId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const TransactionListSchema = z
  .object({
    transactions: z.array(TransactionSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi('WalletTransactionList');

export const WithdrawBody = z
  .object({
    to_address: EvmAddress,
    amount: DecimalAmount,
    token_address: EvmAddress.nullable().optional(),
    two_factor_token: TwoFactorToken,
  })
  .strict()
  .openapi('WalletWithdraw');

export const WithdrawalSchema = z
  .object({
    id: z.string(),
    transaction_hash: z.string(),
    status: z.enum(['pending', 'confirmed', 'failed', 'reverted']),
    from_address: z.string(),
    to_address: z.string(),
    amount: z.string(),
    token_address: z.string().nullable(),
    symbol: z.string(),
    chain_id: z.number().int(),
    max_fee: z.string().openapi({ description: 'The most the network fee can be, in the native unit' }),
    created_at: z.string(),
  })
  .openapi('WalletWithdrawal');
