import { formatUnits, parseUnits } from 'viem';
import { z } from 'zod';
import { BigIntString, type DexAdapter, dexCall, HexSchema, upstreamError } from './types';

// Rubic API v2 (https://api-v2.rubic.exchange/api/documentation):
//   POST /api/routes/quoteBest  {srcTokenAddress, srcTokenAmount (token units, decimal string),
//        srcTokenBlockchain, dstTokenAddress, dstTokenBlockchain, referrer}
//   POST /api/routes/swap       the same plus fromAddress and slippage: returns `transaction`
// No API key; blockchains are named, not numbered.

const BASE = 'https://api-v2.rubic.exchange';

const BLOCKCHAIN: Record<number, string> = {
  1: 'ETH',
  8453: 'BASE',
  42161: 'ARBITRUM',
  137: 'POLYGON',
  10: 'OPTIMISM',
  43114: 'AVALANCHE',
  56: 'BSC',
};

const Response = z.object({
  id: z.string().optional(),
  providerType: z.string().optional(),
  estimate: z.object({
    destinationTokenAmount: z.string(),
    destinationTokenMinAmount: z.string().optional(),
    destinationWeiAmount: BigIntString.optional(),
    destinationWeiMinAmount: BigIntString.optional(),
    priceImpact: z.number().nullable().optional(),
  }),
  fees: z
    .object({
      gasTokenFees: z.object({ gas: z.object({ gasLimit: BigIntString.optional() }).optional() }).optional(),
    })
    .optional(),
  transaction: z
    .object({
      to: HexSchema.optional(),
      data: HexSchema.optional(),
      value: BigIntString.optional(),
      approvalAddress: z.string().optional(),
    })
    .optional(),
});

export const rubic: DexAdapter = {
  id: 'rubic',
  configured: () => true,
  async quote(_env, req, ctx) {
    const blockchain = BLOCKCHAIN[req.chainId];
    if (!blockchain) throw upstreamError('rubic', `chain ${req.chainId} not supported`);
    const body = {
      srcTokenAddress: req.sellToken,
      srcTokenAmount: formatUnits(req.sellAmount, req.sellDecimals),
      srcTokenBlockchain: blockchain,
      dstTokenAddress: req.buyToken,
      dstTokenBlockchain: blockchain,
      referrer: 'rubic.exchange',
      ...(req.taker ? { fromAddress: req.taker, slippage: req.slippage } : {}),
    };
    const res = await dexCall(
      'rubic',
      `${BASE}/api/routes/${req.taker ? 'swap' : 'quoteBest'}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      },
      Response,
      ctx,
    );
    const e = res.estimate;
    const buyAmount = e.destinationWeiAmount ?? parseUnits(e.destinationTokenAmount, req.buyDecimals);
    const minBuy =
      e.destinationWeiMinAmount ??
      (e.destinationTokenMinAmount ? parseUnits(e.destinationTokenMinAmount, req.buyDecimals) : buyAmount);
    const t = res.transaction;
    return {
      aggregator: 'rubic',
      buyAmount,
      minBuyAmount: minBuy,
      estimatedGas: res.fees?.gasTokenFees?.gas?.gasLimit ?? null,
      sources: [{ dex: res.providerType ?? 'Rubic', percentage: 100 }],
      priceImpact: e.priceImpact == null ? null : Math.abs(e.priceImpact) / 100,
      feeAmount: 0n,
      transaction: t?.to && t.data ? { to: t.to, data: t.data, value: t.value ?? 0n, gas: null } : null,
      allowanceTarget: t?.approvalAddress ?? null,
    };
  },
};
