import Decimal from 'decimal.js';
import { and, eq, isNull } from 'drizzle-orm';
import { encodeFunctionData, erc20Abi, formatUnits, type Hex, keccak256 } from 'viem';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { db } from '../../db/client';
import { dexTrades, wallets, walletTransactions } from '../../db/schema';
import { config, type Principal } from '../../env';
import { chainInfo } from '../../providers/chains/chains';
import { chainClient, rpc } from '../../providers/chains/rpc';
import { bestQuote } from '../../providers/dex/aggregators';
import { allowedRouters } from '../../providers/dex/routers';
import { type AggregatorId, type DexQuote, NATIVE_TOKEN } from '../../providers/dex/types';
import { catalogAssetId } from '../assets/catalog';
import { activity } from '../audit/service';
import { consumeTotp } from '../auth/service';
import { recordTrades } from '../portfolios/services/ledger';
import { defaultPortfolio } from '../portfolios/services/portfolios';
import { today } from '../portfolios/services/positions';
import { pricesFor } from '../portfolios/services/valuation';
import { unsealAccount } from '../wallets/keys';
import { withSpendLock } from '../wallets/withdrawals';
import { D1AggregatorHealth } from './health';

/** 002: impact over 1 % warns, over 5 % is refused. */
export const IMPACT_WARN = 0.01;
export const IMPACT_REFUSE = 0.05;

/** The simulated quote's model (paper/replay mode). */
export const SIM_FEE = 0.003;
export const SIM_DEPTH_USD = 10_000_000;
export const IMPACT_MODEL = `simulated from market prices: constant-product pool with $${SIM_DEPTH_USD.toLocaleString('en-US')} of the sell token per pair and a ${SIM_FEE * 100}% LP fee; price_impact = v / (v + depth) for a sell worth v USD; buy_amount = v x (1 - fee) x (1 - impact) / buy price`;

interface TokenMeta {
  address: string;
  symbol: string;
  decimals: number;
  priceSymbol: string | null;
  native: boolean;
}

function tokenMeta(chainId: number, address: string): TokenMeta {
  const chain = chainInfo(chainId);
  if (!chain) throw new ApiError('VALIDATION_ERROR', `Unsupported chain_id ${chainId}`);
  if (address.toLowerCase() === NATIVE_TOKEN.toLowerCase())
    return {
      address: NATIVE_TOKEN,
      symbol: chain.nativeSymbol,
      decimals: 18,
      priceSymbol: chain.nativePriceSymbol,
      native: true,
    };
  const t = chain.tokens.find((x) => x.address.toLowerCase() === address.toLowerCase());
  if (!t)
    throw new ApiError('VALIDATION_ERROR', `Token ${address} is not supported on ${chain.name}`, {
      details: { supported: [NATIVE_TOKEN, ...chain.tokens.map((x) => x.address)] },
    });
  return {
    address: t.address,
    symbol: t.symbol,
    decimals: t.decimals,
    priceSymbol: t.priceSymbol,
    native: false,
  };
}

/** Test and bench seams: the aggregators' fetch and timeout. */
export interface DexOptions {
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  timeoutMs?: number;
}

export interface QuoteInput {
  sell_token: string;
  buy_token: string;
  sell_amount: string;
  chain_id: number;
  slippage_percentage: number;
}

function modeOf(env: Env): 'paper' | 'live' {
  return config(env).MARKET_DATA_MODE === 'live' ? 'live' : 'paper';
}

async function usdPrices(env: Env, metas: TokenMeta[]) {
  const ids = metas
    .map((m) => m.priceSymbol)
    .filter((s): s is string => s !== null)
    .map(catalogAssetId);
  const prices = await pricesFor(env, ids);
  return metas.map((m) => (m.priceSymbol ? prices.get(catalogAssetId(m.priceSymbol)) : undefined));
}

const toUnits = (value: Decimal, decimals: number) =>
  BigInt(value.times(new Decimal(10).pow(decimals)).floor().toFixed(0));
const fromUnits = (units: bigint, decimals: number) =>
  new Decimal(units.toString()).div(new Decimal(10).pow(decimals));

export interface PricedQuote {
  quote: DexQuote;
  sell: TokenMeta;
  buy: TokenMeta;
  mode: 'paper' | 'live';
  valueUsd: Decimal | null;
  priceImpact: number;
  impactMethod: string;
  warnings: string[];
  selectionReason: string;
  outcomes: {
    aggregator: string;
    status: 'ok' | 'timeout' | 'error' | 'circuit_open' | 'not_configured' | 'no_route' | 'simulated';
    latency_ms: number | null;
    buy_amount: string | null;
    error: string | null;
  }[];
  asOf: string;
  sellPrice: number | null;
  buyPrice: number | null;
}

/**
 * A quote: simulated from market prices in paper/replay mode, else the best of the
 * aggregators. Refuses a price impact over 5 %; warns over 1 %.
 */
export async function priceQuote(
  env: Env,
  input: QuoteInput,
  options: DexOptions & { taker?: string } = {},
): Promise<PricedQuote> {
  if (input.sell_token.toLowerCase() === input.buy_token.toLowerCase())
    throw new ApiError('VALIDATION_ERROR', 'sell_token and buy_token must differ');
  const sell = tokenMeta(input.chain_id, input.sell_token);
  const buy = tokenMeta(input.chain_id, input.buy_token);
  const sellAmount = BigInt(input.sell_amount);
  const slippage = input.slippage_percentage / 100;
  const mode = modeOf(env);
  const [sellPrice, buyPrice] = await usdPrices(env, [sell, buy]);
  const sellUnits = fromUnits(sellAmount, sell.decimals);
  const valueUsd = sellPrice ? sellUnits.times(sellPrice.price) : null;
  let quote: DexQuote;
  let impact: number;
  let impactMethod: string;
  let selectionReason: string;
  let outcomes: PricedQuote['outcomes'];
  let asOf = new Date().toISOString();
  if (mode === 'paper') {
    if (!sellPrice || !buyPrice || !valueUsd)
      throw new ApiError(
        'VALIDATION_ERROR',
        `A simulated quote needs market prices for both tokens; none for ${!sellPrice ? sell.symbol : buy.symbol}`,
      );
    impact = valueUsd.div(valueUsd.plus(SIM_DEPTH_USD)).toNumber();
    const buyUnits = valueUsd
      .times(1 - SIM_FEE)
      .times(1 - impact)
      .div(buyPrice.price);
    const buyAmount = toUnits(buyUnits, buy.decimals);
    const feeAmount = toUnits(valueUsd.times(SIM_FEE).div(buyPrice.price), buy.decimals);
    quote = {
      aggregator: '0x',
      buyAmount,
      minBuyAmount: (buyAmount * BigInt(10_000 - Math.round(slippage * 10_000))) / 10_000n,
      estimatedGas: sell.native ? 150_000n : 200_000n,
      sources: [{ dex: 'Simulated constant-product pool', percentage: 100 }],
      priceImpact: impact,
      feeAmount,
      transaction: null,
      allowanceTarget: null,
    };
    impactMethod = IMPACT_MODEL;
    selectionReason =
      'Paper/replay mode: no aggregator is called; the quote is simulated from market prices.';
    outcomes = [
      {
        aggregator: 'simulated',
        status: 'simulated',
        latency_ms: 0,
        buy_amount: buyAmount.toString(),
        error: null,
      },
    ];
    asOf = new Date(Math.min(sellPrice.at, buyPrice.at)).toISOString();
  } else {
    const result = await bestQuote(
      env,
      {
        chainId: input.chain_id,
        sellToken: sell.address,
        buyToken: buy.address,
        sellAmount,
        sellDecimals: sell.decimals,
        buyDecimals: buy.decimals,
        slippage,
        taker: options.taker,
      },
      {
        health: new D1AggregatorHealth(env),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      },
    );
    outcomes = result.outcomes;
    selectionReason = result.reason;
    if (!result.best)
      throw new ApiError('DEX_AGGREGATOR_UNAVAILABLE', 'No DEX aggregator could quote this swap', {
        details: { aggregators: result.outcomes },
      });
    quote = result.best;
    // The slippage bound is ours, whatever the aggregator proposes.
    const floor = (quote.buyAmount * BigInt(10_000 - Math.round(slippage * 10_000))) / 10_000n;
    if (quote.minBuyAmount < floor) quote = { ...quote, minBuyAmount: floor };
    if (quote.priceImpact !== null) {
      impact = quote.priceImpact;
      impactMethod = `reported by ${quote.aggregator}`;
    } else if (sellPrice && buyPrice && valueUsd?.gt(0)) {
      const received = fromUnits(quote.buyAmount, buy.decimals).times(buyPrice.price);
      impact = Math.max(0, 1 - received.div(valueUsd).toNumber());
      impactMethod =
        '1 - (buy_amount x buy price) / (sell_amount x sell price), market prices; includes fees';
    } else {
      impact = 0;
      impactMethod = 'unavailable: the aggregator reports none and we hold no market price for both tokens';
    }
  }
  const warnings: string[] = [];
  if (impact > IMPACT_REFUSE)
    throw new ApiError(
      'PRICE_IMPACT_TOO_HIGH',
      `Price impact ${(impact * 100).toFixed(2)}% exceeds the 5% limit`,
      {
        details: { price_impact: impact, limit: IMPACT_REFUSE, method: impactMethod },
        suggestion: 'Swap a smaller amount.',
      },
    );
  if (impact > IMPACT_WARN)
    warnings.push(`PRICE_IMPACT_HIGH: price impact ${(impact * 100).toFixed(2)}% is above 1%`);
  return {
    quote,
    sell,
    buy,
    mode,
    valueUsd,
    priceImpact: impact,
    impactMethod,
    warnings,
    selectionReason,
    outcomes,
    asOf,
    sellPrice: sellPrice?.price ?? null,
    buyPrice: buyPrice?.price ?? null,
  };
}

export function quoteView(input: QuoteInput, q: PricedQuote) {
  const sellUnits = fromUnits(BigInt(input.sell_amount), q.sell.decimals);
  const buyUnits = fromUnits(q.quote.buyAmount, q.buy.decimals);
  return {
    aggregator: q.mode === 'paper' ? 'simulated' : q.quote.aggregator,
    sell_token: q.sell.address,
    buy_token: q.buy.address,
    sell_amount: input.sell_amount,
    buy_amount: q.quote.buyAmount.toString(),
    min_buy_amount: q.quote.minBuyAmount.toString(),
    price: buyUnits.div(sellUnits).toDecimalPlaces(12).toNumber(),
    estimated_gas: q.quote.estimatedGas?.toString() ?? null,
    sources: q.quote.sources,
    chain_id: input.chain_id,
    price_impact: Number(q.priceImpact.toFixed(6)),
    price_impact_method: q.impactMethod,
    price_impact_warning: q.priceImpact > IMPACT_WARN,
    warnings: q.warnings,
    slippage_percentage: input.slippage_percentage,
    value_usd: q.valueUsd ? q.valueUsd.toFixed(2) : null,
    simulated: q.mode === 'paper',
    mode: q.mode,
    selection_reason: q.selectionReason,
    aggregators: q.outcomes,
    as_of: q.asOf,
  };
}

export interface SwapInput extends QuoteInput {
  custodial: boolean;
  wallet_id?: string | undefined;
  user_wallet_address?: string | undefined;
  signature?: string | undefined;
  two_factor_token?: string | undefined;
}

async function custodialWallet(env: Env, userId: string, chainId: number, walletId?: string) {
  const rows = await db(env)
    .select()
    .from(wallets)
    .where(
      and(
        eq(wallets.userId, userId),
        eq(wallets.chainId, chainId),
        eq(wallets.type, 'custodial'),
        isNull(wallets.deletedAt),
      ),
    )
    .orderBy(wallets.createdAt);
  const w = walletId ? rows.find((r) => r.id === walletId) : rows[0];
  if (!w)
    throw new ApiError(
      walletId ? 'NOT_FOUND' : 'VALIDATION_ERROR',
      walletId
        ? 'Wallet not found'
        : `You have no custodial wallet on chain ${chainId}; create one with POST /api/wallets`,
    );
  return w;
}

async function externalWallet(env: Env, userId: string, chainId: number, address: string | undefined) {
  if (!address)
    throw new ApiError('VALIDATION_ERROR', 'user_wallet_address is required for a non-custodial swap');
  const [w] = await db(env)
    .select()
    .from(wallets)
    .where(
      and(
        eq(wallets.userId, userId),
        eq(wallets.chainId, chainId),
        eq(wallets.address, address),
        isNull(wallets.deletedAt),
      ),
    )
    .limit(1);
  if (!w)
    throw new ApiError(
      'VALIDATION_ERROR',
      'user_wallet_address is not one of your registered wallets on this chain (POST /api/wallets/external/register)',
    );
  return w;
}

/**
 * A swap. Paper mode settles at the simulated quote into the user's paper portfolio ledger;
 * live custodial signs and submits the aggregator's transaction from the user's wallet (under
 * its spend lock); live non-custodial returns the transaction for the user's wallet to sign.
 * Over $100 (or of unknown value) needs a two-factor code.
 */
export async function swap(
  env: Env,
  principal: Principal,
  input: SwapInput,
  facts: RequestFacts,
  options: DexOptions = {},
) {
  const mode = modeOf(env);
  const wallet =
    mode === 'live'
      ? input.custodial
        ? await custodialWallet(env, principal.userId, input.chain_id, input.wallet_id)
        : await externalWallet(env, principal.userId, input.chain_id, input.user_wallet_address)
      : null;
  const q = await priceQuote(env, input, { ...(wallet ? { taker: wallet.address } : {}), ...options });
  const threshold = config(env).DEX_2FA_THRESHOLD_USD;
  const needs2fa = q.valueUsd === null || q.valueUsd.gt(threshold);
  if (needs2fa) {
    if (!input.two_factor_token)
      throw new ApiError('INVALID_MFA_TOKEN', `Swaps worth more than $${threshold} need two_factor_token`, {
        details: { value_usd: q.valueUsd?.toFixed(2) ?? null, threshold_usd: threshold },
      });
    await consumeTotp(env, principal, input.two_factor_token, facts, 'swap_2fa');
  }
  const d = db(env);
  const id = newId('dexTrade');
  const createdAt = new Date().toISOString();
  const base = {
    id,
    userId: principal.userId,
    walletId: wallet?.id ?? null,
    mode,
    custodial: input.custodial,
    chainId: input.chain_id,
    aggregator: mode === 'paper' ? 'simulated' : q.quote.aggregator,
    sellToken: q.sell.address,
    buyToken: q.buy.address,
    sellAmount: input.sell_amount,
    buyAmount: q.quote.buyAmount.toString(),
    minBuyAmount: q.quote.minBuyAmount.toString(),
    feeAmount: q.quote.feeAmount.toString(),
    priceImpact: String(q.priceImpact),
    valueUsd: q.valueUsd?.toFixed(2) ?? null,
    createdAt,
    updatedAt: createdAt,
  };
  const view = (
    status: 'pending' | 'awaiting_signature' | 'confirmed',
    hash: string | null,
    tx: ReturnType<typeof txView> | null,
    ledger: string[],
  ) => ({
    success: true as const,
    trade_id: id,
    sell_token: base.sellToken,
    buy_token: base.buyToken,
    sell_amount: base.sellAmount,
    buy_amount: base.buyAmount,
    min_buy_amount: base.minBuyAmount,
    fee_amount: base.feeAmount,
    transaction_hash: hash,
    status,
    chain_id: base.chainId,
    aggregator: base.aggregator,
    mode,
    simulated: mode === 'paper',
    price_impact: Number(q.priceImpact.toFixed(6)),
    warnings: q.warnings,
    transaction: tx,
    portfolio_trade_ids: ledger,
    created_at: createdAt,
  });
  const audit = (action: string, details: Record<string, unknown>) =>
    activity(d, {
      userId: principal.userId,
      action,
      facts,
      sessionId: principal.sessionId ?? null,
      details: { trade_id: id, ...details },
    });

  if (mode === 'paper') {
    // Settles at the simulated prices: sell leg at the sell token's market price, buy leg at the
    // price the quote actually delivered (so fees and impact show up as cost in the ledger).
    const portfolio = await defaultPortfolio(env, principal.userId, 'paper');
    const sellQty = fromUnits(BigInt(input.sell_amount), q.sell.decimals);
    const buyQty = fromUnits(q.quote.buyAmount, q.buy.decimals);
    const value = q.valueUsd ?? new Decimal(0);
    const date = await today(env);
    const { trades } = await recordTrades(
      env,
      portfolio,
      principal.userId,
      [
        {
          trade_type: 'sell',
          asset_type: 'crypto',
          symbol: q.sell.priceSymbol ?? q.sell.symbol,
          quantity: sellQty.toFixed(),
          price: String(q.sellPrice),
          trade_date: date,
          notes: `DEX swap ${id} (simulated)`,
        },
        {
          trade_type: 'buy',
          asset_type: 'crypto',
          symbol: q.buy.priceSymbol ?? q.buy.symbol,
          quantity: buyQty.toFixed(),
          price: value.div(buyQty).toDecimalPlaces(12).toFixed(),
          trade_date: date,
          notes: `DEX swap ${id} (simulated)`,
        },
      ],
      { action: 'dex.swap', details: { dex_trade_id: id } },
    );
    const ids = trades.map((t) => t.id);
    await d.batch([
      d.insert(dexTrades).values({ ...base, status: 'confirmed', portfolioTradeId: ids.join(',') }),
      audit('dex_swap_paper', { value_usd: base.valueUsd, portfolio_trade_ids: ids }),
    ]);
    return view('confirmed', null, null, ids);
  }

  const tx = q.quote.transaction;
  if (!tx)
    throw new ApiError(
      'DEX_AGGREGATOR_UNAVAILABLE',
      `${q.quote.aggregator} returned no transaction for this swap`,
    );
  if (!wallet) throw new ApiError('INTERNAL_ERROR', 'no wallet');
  await assertSafeTransaction(env, q, input, tx, (reason, details) =>
    d.batch([audit('dex_swap_refused', { reason, ...details })]),
  );
  const quoted = {
    fromAddress: wallet.address,
    txTo: tx.to,
    txData: tx.data,
    txValue: tx.value.toString(),
  };

  if (!input.custodial) {
    await d.batch([
      d.insert(dexTrades).values({ ...base, ...quoted, status: 'awaiting_signature' }),
      audit('dex_swap_prepared', { wallet_id: wallet.id }),
    ]);
    return view('awaiting_signature', null, txView(tx, input.chain_id), []);
  }

  return withSpendLock(env, wallet.id, async () => {
    const { client, chain } = chainClient(env, input.chain_id);
    const from = wallet.address as Hex;
    const account = await unsealAccount(env, wallet);
    const [nonce, fees, balance] = await rpc(chain, 'building the swap', () =>
      Promise.all([
        client.getTransactionCount({ address: from, blockTag: 'pending' }),
        client.estimateFeesPerGas(),
        client.getBalance({ address: from }),
      ]),
    );
    let next = nonce;
    const signedTxs: Hex[] = [];
    // An ERC-20 sell needs the aggregator's spender approved for exactly the amount first.
    if (!q.sell.native && q.quote.allowanceTarget) {
      const approve = await account.signTransaction({
        type: 'eip1559',
        chainId: chain.id,
        nonce: next++,
        to: q.sell.address as Hex,
        data: encodeFunctionData({
          abi: erc20Abi,
          functionName: 'approve',
          args: [q.quote.allowanceTarget as Hex, BigInt(input.sell_amount)],
        }),
        value: 0n,
        gas: 80_000n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      signedTxs.push(approve);
    }
    const gas =
      tx.gas ??
      (await rpc(chain, 'eth_estimateGas', () =>
        client.estimateGas({ account: from, to: tx.to, data: tx.data, value: tx.value }),
      ));
    const maxFee = (gas + (signedTxs.length ? 80_000n : 0n)) * fees.maxFeePerGas;
    if (balance < maxFee + tx.value)
      throw new ApiError(
        'INSUFFICIENT_BALANCE',
        `Insufficient ${chain.nativeSymbol} for the swap plus the network fee`,
        {
          details: { balance: formatUnits(balance, 18), required: formatUnits(maxFee + tx.value, 18) },
        },
      );
    const signed = await account.signTransaction({
      type: 'eip1559',
      chainId: chain.id,
      nonce: next,
      to: tx.to,
      data: tx.data,
      value: tx.value,
      gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const hash = keccak256(signed);
    await d.batch([
      d.insert(dexTrades).values({ ...base, ...quoted, status: 'pending', txHash: hash }),
      d.insert(walletTransactions).values({
        id: newId('walletTx'),
        walletId: wallet.id,
        userId: principal.userId,
        chainId: chain.id,
        type: 'swap',
        status: 'pending',
        hash,
        fromAddress: wallet.address,
        toAddress: tx.to,
        tokenAddress: q.sell.native ? null : q.sell.address,
        tokenSymbol: q.sell.symbol,
        amount: fromUnits(BigInt(input.sell_amount), q.sell.decimals).toFixed(),
        amountUsd: base.valueUsd,
        maxFeeWei: maxFee.toString(),
        fee: formatUnits(maxFee, 18),
        txNonce: next,
        createdAt,
        updatedAt: createdAt,
      }),
      audit('dex_swap_signed', { wallet_id: wallet.id, hash }),
    ]);
    try {
      for (const s of [...signedTxs, signed]) await client.sendRawTransaction({ serializedTransaction: s });
    } catch (cause) {
      const now = new Date().toISOString();
      await d.batch([
        d.update(dexTrades).set({ status: 'failed', updatedAt: now }).where(eq(dexTrades.id, id)),
        d
          .update(walletTransactions)
          .set({ status: 'failed', error: 'rejected by the node', updatedAt: now })
          .where(
            and(
              eq(walletTransactions.walletId, wallet.id),
              eq(walletTransactions.type, 'swap'),
              eq(walletTransactions.hash, hash),
            ),
          ),
        audit('dex_swap_failed', { hash }),
      ]);
      throw new ApiError('BLOCKCHAIN_RPC_ERROR', `${chain.name} did not accept the swap`, { cause });
    }
    await d.batch([audit('dex_swap_submitted', { hash })]);
    return view('pending', hash, null, []);
  });
}

/**
 * What must hold before an aggregator's transaction is signed or handed out: it calls a contract
 * on the chain's allow-list for that aggregator (DEX_ROUTER_ALLOWLIST), an ERC-20 approval names
 * an allowed spender, and it sends exactly the swap's native value (the sell amount for a native
 * sell, else nothing). Anything else is refused and audited.
 */
async function assertSafeTransaction(
  env: Env,
  q: PricedQuote,
  input: SwapInput,
  tx: { to: string; value: bigint },
  refused: (reason: string, details: Record<string, unknown>) => Promise<unknown>,
) {
  const aggregator = q.quote.aggregator as AggregatorId;
  const allowed = allowedRouters(config(env).DEX_ROUTER_ALLOWLIST, input.chain_id, aggregator);
  const details = { aggregator, chain_id: input.chain_id, to: tx.to };
  if (!allowed.has(tx.to.toLowerCase())) {
    await refused('router_not_allowed', details);
    throw new ApiError(
      'ORDER_EXECUTION_FAILED',
      `${aggregator}'s transaction calls ${tx.to}, which is not a known ${aggregator} router on chain ${input.chain_id}; refused, nothing signed`,
      {
        details: { ...details, allowed: [...allowed] },
        suggestion:
          "Operators: add the router to DEX_ROUTER_ALLOWLIST after checking the provider's published contracts.",
      },
    );
  }
  if (q.quote.allowanceTarget && !q.sell.native && !allowed.has(q.quote.allowanceTarget.toLowerCase())) {
    await refused('spender_not_allowed', { ...details, spender: q.quote.allowanceTarget });
    throw new ApiError(
      'ORDER_EXECUTION_FAILED',
      `${aggregator} asks to approve ${q.quote.allowanceTarget}, which is not on the allow-list for chain ${input.chain_id}; refused`,
      { details: { ...details, spender: q.quote.allowanceTarget } },
    );
  }
  const expectedValue = q.sell.native ? BigInt(input.sell_amount) : 0n;
  if (tx.value !== expectedValue) {
    await refused('value_mismatch', { ...details, value: tx.value.toString() });
    throw new ApiError(
      'ORDER_EXECUTION_FAILED',
      'The aggregator transaction sends a different value than the swap; refused',
    );
  }
}

function txView(tx: { to: string; data: string; value: bigint; gas: bigint | null }, chainId: number) {
  return {
    to: tx.to,
    data: tx.data,
    value: tx.value.toString(),
    gas: tx.gas?.toString() ?? null,
    chain_id: chainId,
  };
}

export { submitSignedSwap, tradeStatus } from './tracking';
