import { z } from '@hono/zod-openapi';
import { getAddress, isAddress } from 'viem';
import { NATIVE_TOKEN } from '../../providers/dex/types';
import { ChainId, EvmAddress, TwoFactorToken } from '../wallets/schemas';

/** A token address; the native-coin sentinel 0xEeee...EEeE is accepted in any letter case. */
export const TokenAddress = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be 0x followed by 40 hex digits')
  .refine(
    (v) => v.toLowerCase() === NATIVE_TOKEN.toLowerCase() || isAddress(v, { strict: true }),
    'fails its EIP-55 checksum',
  )
  .transform((v) => getAddress(v.toLowerCase() === NATIVE_TOKEN.toLowerCase() ? NATIVE_TOKEN : v))
  .openapi({ type: 'string', example: '0xdAC17F958D2ee523a2206206994597C13D831ec7' });

/** Base units of the sell token, as an integer string (1000 USDC = "1000000000"). */
export const BaseUnits = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,77}$/, "must be a positive integer string in the token's base units")
  .openapi({ type: 'string', example: '1000000000' });

export const Slippage = z
  .number()
  .min(0.01)
  .max(5)
  .default(0.5)
  .openapi({ description: 'Maximum slippage in percent (0.5 = 0.5 %); at most 5' });

export const QuoteBody = z
  .object({
    sell_token: TokenAddress,
    buy_token: TokenAddress,
    sell_amount: BaseUnits,
    chain_id: ChainId,
    slippage_percentage: Slippage,
    cross_chain: z
      .literal(false)
      .default(false)
      .openapi({ description: 'Cross-chain routes are not offered; must be false' }),
  })
  .strict()
  .openapi('DexQuoteRequest');

export const SwapBody = z
  .object({
    sell_token: TokenAddress,
    buy_token: TokenAddress,
    sell_amount: BaseUnits,
    chain_id: ChainId,
    slippage_percentage: Slippage,
    custodial: z.boolean().default(true),
    wallet_id: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: 'Custodial: which of your wallets on the chain (default: the oldest)' }),
    user_wallet_address: EvmAddress.optional().openapi({
      description: 'Non-custodial: your registered external wallet',
    }),
    signature: z.string().max(200).optional().openapi({
      description:
        'Accepted for 002 clients; a non-custodial swap is signed by your wallet from the returned transaction',
    }),
    two_factor_token: TwoFactorToken.optional().openapi({
      description: 'Required when the swap is worth more than $100',
    }),
  })
  .strict()
  .openapi('DexSwapRequest');

export const SubmitSwapBody = z
  .object({
    transaction_hash: z
      .string()
      .trim()
      .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits')
      .openapi({ description: 'The hash of the transaction your wallet signed and broadcast' }),
  })
  .strict()
  .openapi('DexSubmitSwapRequest');

const Outcome = z.object({
  aggregator: z.string(),
  status: z.enum(['ok', 'timeout', 'error', 'circuit_open', 'not_configured', 'no_route', 'simulated']),
  latency_ms: z.number().nullable(),
  buy_amount: z.string().nullable(),
  error: z.string().nullable(),
});

export const QuoteSchema = z
  .object({
    aggregator: z.string(),
    sell_token: z.string(),
    buy_token: z.string(),
    sell_amount: z.string(),
    buy_amount: z.string(),
    min_buy_amount: z.string(),
    price: z.number().openapi({ description: 'Buy token per sell token, in whole units' }),
    estimated_gas: z.string().nullable(),
    sources: z.array(z.object({ dex: z.string(), percentage: z.number() })),
    chain_id: z.number().int(),
    price_impact: z.number().openapi({ description: 'Fraction (0.01 = 1 %): >0.01 warns, >0.05 is refused' }),
    price_impact_method: z.string(),
    price_impact_warning: z.boolean(),
    warnings: z.array(z.string()),
    slippage_percentage: z.number(),
    value_usd: z.string().nullable(),
    simulated: z.boolean(),
    mode: z.enum(['paper', 'live']),
    selection_reason: z.string(),
    aggregators: z.array(Outcome),
    as_of: z.string(),
  })
  .openapi('DexQuote');

export const SwapSchema = z
  .object({
    success: z.literal(true),
    trade_id: z.string(),
    sell_token: z.string(),
    buy_token: z.string(),
    sell_amount: z.string(),
    buy_amount: z.string(),
    min_buy_amount: z.string(),
    fee_amount: z.string(),
    transaction_hash: z.string().nullable(),
    status: z.enum(['pending', 'awaiting_signature', 'confirmed', 'failed', 'reverted']),
    chain_id: z.number().int(),
    aggregator: z.string(),
    mode: z.enum(['paper', 'live']),
    simulated: z.boolean(),
    price_impact: z.number(),
    warnings: z.array(z.string()),
    transaction: z
      .object({
        to: z.string(),
        data: z.string(),
        value: z.string(),
        gas: z.string().nullable(),
        chain_id: z.number().int(),
      })
      .nullable()
      .openapi({ description: 'Non-custodial: the transaction for your wallet to sign and send' }),
    portfolio_trade_ids: z
      .array(z.string())
      .openapi({ description: 'Paper: the two ledger trades the swap settled into' }),
    created_at: z.string(),
  })
  .openapi('DexSwap');

export const TradeStatusSchema = z
  .object({
    trade_id: z.string(),
    transaction_hash: z.string().nullable(),
    status: z.enum(['pending', 'awaiting_signature', 'confirmed', 'failed', 'reverted']),
    block_number: z.number().int().nullable(),
    confirmations: z.number().int(),
    sell_amount: z.string(),
    buy_amount: z.string(),
    gas_used: z.string().nullable(),
    gas_price: z.string().nullable(),
    chain_id: z.number().int(),
    aggregator: z.string(),
    mode: z.enum(['paper', 'live']),
    updated_at: z.string(),
  })
  .openapi('DexTradeStatus');

const AggregatorState = z.object({
  status: z.enum(['healthy', 'degraded', 'down', 'unknown', 'not_configured']),
  response_time_ms: z.number().nullable(),
  circuit: z.enum(['closed', 'open', 'half_open']),
  consecutive_failures: z.number().int(),
  successes: z.number().int(),
  failures: z.number().int(),
  last_success_at: z.string().nullable(),
  last_failure_at: z.string().nullable(),
  last_error: z.string().nullable(),
});

export const HealthSchema = z
  .object({
    aggregators: z.record(z.string(), AggregatorState),
    overall_status: z.enum(['healthy', 'degraded', 'down']),
    fallback_order: z.array(z.string()),
    mode: z.enum(['paper', 'live']),
    scope: z.string(),
  })
  .openapi('DexAggregatorHealth');
