import { z } from 'zod';
import { bytesToBase64 } from '../../core/crypto';
import { BigIntString, type DexAdapter, dexCall, HexSchema, minAfterSlippage, upstreamError } from './types';

// OKX DEX aggregator API v5 (https://web3.okx.com/build/dev-docs/dex-api):
//   GET /api/v5/dex/aggregator/quote  chainIndex, amount, fromTokenAddress, toTokenAddress
//   GET /api/v5/dex/aggregator/swap   + slippage (fraction) and userWalletAddress: returns `tx`
// Signed: OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + method + path?query)).

const BASE = 'https://web3.okx.com';

const Token = z.object({ tokenSymbol: z.string().optional(), decimal: z.string().optional() });

const Route = z.object({
  dexRouterList: z
    .array(
      z.object({
        routerPercent: z.string().optional(),
        subRouterList: z
          .array(z.object({ dexProtocol: z.array(z.object({ dexName: z.string(), percent: z.string() })) }))
          .optional(),
      }),
    )
    .optional(),
  estimateGasFee: BigIntString.optional(),
  fromToken: Token.optional(),
  toToken: Token.optional(),
  toTokenAmount: BigIntString,
  priceImpactPercentage: z.string().optional(),
  tradeFee: z.string().optional(),
});

const QuoteResponse = z.object({
  code: z.string(),
  msg: z.string().optional(),
  data: z.array(
    z.union([
      Route,
      z.object({
        routerResult: Route,
        tx: z.object({
          to: HexSchema,
          data: HexSchema,
          value: BigIntString,
          gas: BigIntString.optional(),
          minReceiveAmount: BigIntString.optional(),
        }),
      }),
    ]),
  ),
});

async function sign(secret: string, prehash: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return bytesToBase64(
    new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(prehash))),
  );
}

export const okx: DexAdapter = {
  id: 'okx',
  configured: (env) => Boolean(env.OKX_API_KEY && env.OKX_SECRET_KEY && env.OKX_PASSPHRASE),
  async quote(env, req, ctx) {
    const params = new URLSearchParams({
      chainIndex: String(req.chainId),
      chainId: String(req.chainId),
      amount: req.sellAmount.toString(),
      fromTokenAddress: req.sellToken,
      toTokenAddress: req.buyToken,
    });
    if (req.taker) {
      params.set('slippage', String(req.slippage));
      params.set('userWalletAddress', req.taker);
    }
    const path = `/api/v5/dex/aggregator/${req.taker ? 'swap' : 'quote'}?${params}`;
    const timestamp = new Date().toISOString();
    const headers = {
      'OK-ACCESS-KEY': env.OKX_API_KEY ?? '',
      'OK-ACCESS-SIGN': await sign(env.OKX_SECRET_KEY ?? '', `${timestamp}GET${path}`),
      'OK-ACCESS-TIMESTAMP': timestamp,
      'OK-ACCESS-PASSPHRASE': env.OKX_PASSPHRASE ?? '',
      accept: 'application/json',
    };
    const body = await dexCall('okx', `${BASE}${path}`, { headers }, QuoteResponse, ctx);
    if (body.code !== '0') throw upstreamError('okx', body.msg || `error code ${body.code}`);
    const first = body.data[0];
    if (!first) throw upstreamError('okx', 'no route');
    const route = 'routerResult' in first ? first.routerResult : first;
    const tx = 'tx' in first ? first.tx : null;
    const sources: { dex: string; percentage: number }[] = [];
    for (const r of route.dexRouterList ?? []) {
      const share = Number(r.routerPercent ?? '100') / 100;
      for (const sub of r.subRouterList ?? [])
        for (const p of sub.dexProtocol)
          sources.push({ dex: p.dexName, percentage: Math.round(share * Number(p.percent) * 100) / 100 });
    }
    const impact =
      route.priceImpactPercentage !== undefined ? Math.abs(Number(route.priceImpactPercentage)) / 100 : null;
    return {
      aggregator: 'okx',
      buyAmount: route.toTokenAmount,
      minBuyAmount: tx?.minReceiveAmount ?? minAfterSlippage(route.toTokenAmount, req.slippage),
      estimatedGas: tx?.gas ?? route.estimateGasFee ?? null,
      sources,
      priceImpact: Number.isFinite(impact) ? impact : null,
      feeAmount: 0n,
      transaction: tx ? { to: tx.to, data: tx.data, value: tx.value, gas: tx.gas ?? null } : null,
      allowanceTarget: null,
    };
  },
};
