import { z } from 'zod';
import { BigIntString, type DexAdapter, dexCall, HexSchema, minAfterSlippage, upstreamError } from './types';

// 0x Swap API v2, AllowanceHolder flow (https://0x.org/docs/api#tag/Swap):
//   GET /swap/allowance-holder/price  indicative, no taker needed
//   GET /swap/allowance-holder/quote  firm, with `taker`, returns `transaction`
// Headers `0x-api-key` and `0x-version: v2`. Amounts are base-unit integer strings.

const BASE = 'https://api.0x.org';

const Fill = z.object({
  source: z.string(),
  proportionBps: z.union([z.string(), z.number()]).transform(Number),
});

const Response = z.object({
  liquidityAvailable: z.boolean(),
  buyAmount: BigIntString.optional(),
  minBuyAmount: BigIntString.optional(),
  gas: BigIntString.nullable().optional(),
  route: z.object({ fills: z.array(Fill) }).optional(),
  fees: z
    .object({
      zeroExFee: z.object({ amount: BigIntString, token: z.string() }).nullable().optional(),
      integratorFee: z.object({ amount: BigIntString, token: z.string() }).nullable().optional(),
    })
    .optional(),
  issues: z.object({ allowance: z.object({ spender: z.string() }).nullable().optional() }).optional(),
  transaction: z
    .object({ to: HexSchema, data: HexSchema, value: BigIntString, gas: BigIntString.nullable().optional() })
    .optional(),
});

export const zeroEx: DexAdapter = {
  id: '0x',
  configured: (env) => Boolean(env.ZEROX_API_KEY),
  async quote(env, req, ctx) {
    const params = new URLSearchParams({
      chainId: String(req.chainId),
      sellToken: req.sellToken,
      buyToken: req.buyToken,
      sellAmount: req.sellAmount.toString(),
      slippageBps: String(Math.round(req.slippage * 10_000)),
    });
    if (req.taker) params.set('taker', req.taker);
    const path = req.taker ? '/swap/allowance-holder/quote' : '/swap/allowance-holder/price';
    const body = await dexCall(
      '0x',
      `${BASE}${path}?${params}`,
      { headers: { '0x-api-key': env.ZEROX_API_KEY ?? '', '0x-version': 'v2', accept: 'application/json' } },
      Response,
      ctx,
    );
    if (!body.liquidityAvailable || body.buyAmount === undefined)
      throw upstreamError('0x', 'no liquidity for this pair');
    const fills = body.route?.fills ?? [];
    const sources = fills.map((f) => ({ dex: f.source, percentage: f.proportionBps / 100 }));
    const fee = body.fees?.zeroExFee?.amount ?? 0n;
    return {
      aggregator: '0x',
      buyAmount: body.buyAmount,
      minBuyAmount: body.minBuyAmount ?? minAfterSlippage(body.buyAmount, req.slippage),
      estimatedGas: body.transaction?.gas ?? body.gas ?? null,
      sources,
      priceImpact: null,
      feeAmount: fee,
      transaction: body.transaction
        ? {
            to: body.transaction.to,
            data: body.transaction.data,
            value: body.transaction.value,
            gas: body.transaction.gas ?? null,
          }
        : null,
      allowanceTarget: body.issues?.allowance?.spender ?? null,
    };
  },
};
