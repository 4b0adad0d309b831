import { env } from 'cloudflare:workers';
import type { Principal } from '../../src/env';
import type { TestUser } from './users';

export const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2';
export const WBTC = '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599';
export const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
export const ETH = '0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE';

/** The env in live mode with every aggregator configured (a new object, so config() re-reads it). */
export function liveEnv(extra: Partial<Env> = {}): Env {
  return {
    ...env,
    MARKET_DATA_MODE: 'live',
    ZEROX_API_KEY: 'test-0x-key',
    OKX_API_KEY: 'test-okx-key',
    OKX_SECRET_KEY: 'test-okx-secret',
    OKX_PASSPHRASE: 'test-okx-pass',
    ...extra,
  };
}

export function principalOf(user: TestUser): Principal {
  return {
    userId: user.id,
    email: user.email,
    role: 'user',
    tier: 'free',
    scopes: ['read', 'write'],
    sessionId: user.sessionId,
  };
}

export const FACTS = { ipAddress: '203.0.113.9', userAgent: 'vitest', country: null };

/**
 * Aggregator answers shaped as each provider documents them (0x Swap API v2 allowance-holder,
 * OKX DEX API v5 aggregator, Rubic API v2 routes). No recorded DEX responses ship in
 * ../shared/data/fixtures, so these follow the public docs' examples field for field.
 */
export function zeroExBody(buyAmount: bigint, tx?: { to: string; data: string; value: bigint; gas: bigint }) {
  return {
    blockNumber: '21000000',
    buyAmount: buyAmount.toString(),
    buyToken: WBTC,
    fees: { integratorFee: null, zeroExFee: { amount: '1500', token: WBTC, type: 'volume' }, gasFee: null },
    issues: { allowance: null, balance: null, simulationIncomplete: false, invalidSourcesPassed: [] },
    liquidityAvailable: true,
    minBuyAmount: ((buyAmount * 995n) / 1000n).toString(),
    route: {
      fills: [
        { from: ETH, to: WBTC, source: 'Uniswap_V3', proportionBps: '7000' },
        { from: ETH, to: WBTC, source: 'Curve', proportionBps: '3000' },
      ],
      tokens: [],
    },
    sellAmount: '10000000000000000',
    sellToken: ETH,
    totalNetworkFee: '1500000000000000',
    gas: '150000',
    ...(tx
      ? {
          transaction: {
            to: tx.to,
            data: tx.data,
            gas: tx.gas.toString(),
            gasPrice: '1000000000',
            value: tx.value.toString(),
          },
        }
      : {}),
    zid: '0x1234',
  };
}

export function okxBody(toTokenAmount: bigint) {
  return {
    code: '0',
    msg: '',
    data: [
      {
        chainIndex: '1',
        dexRouterList: [
          {
            router: `${ETH}--${WBTC}`,
            routerPercent: '100',
            subRouterList: [
              { dexProtocol: [{ dexName: 'Uniswap V3', percent: '100' }], fromToken: {}, toToken: {} },
            ],
          },
        ],
        estimateGasFee: '160000',
        fromToken: { tokenContractAddress: ETH, tokenSymbol: 'ETH', decimal: '18', tokenUnitPrice: '3000' },
        toToken: { tokenContractAddress: WBTC, tokenSymbol: 'WBTC', decimal: '8', tokenUnitPrice: '60000' },
        fromTokenAmount: '10000000000000000',
        toTokenAmount: toTokenAmount.toString(),
        priceImpactPercentage: '-0.12',
        tradeFee: '2.1',
      },
    ],
  };
}

export function rubicBody(tokens: string, wei: bigint) {
  return {
    id: 'rubic-quote-1',
    providerType: 'UNI_SWAP_V3',
    swapType: 'on-chain',
    estimate: {
      destinationTokenAmount: tokens,
      destinationTokenMinAmount: tokens,
      destinationUsdAmount: 29.9,
      destinationWeiAmount: wei.toString(),
      destinationWeiMinAmount: ((wei * 99n) / 100n).toString(),
      durationInMinutes: 1,
      priceImpact: 0.2,
    },
    fees: { gasTokenFees: { gas: { gasLimit: '180000', gasPrice: '1000000000' } } },
    transaction: { approvalAddress: '0x3335733c454805df6a77f825f266e136FB4a3333' },
  };
}

/** A fetch that answers per aggregator host; a `hang` host never answers until aborted. */
export function aggregatorFetch(answers: Partial<Record<'0x' | 'okx' | 'rubic', unknown | 'hang' | number>>) {
  const calls: string[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    calls.push(url);
    const id = url.includes('0x.org')
      ? '0x'
      : url.includes('okx.com')
        ? 'okx'
        : url.includes('rubic')
          ? 'rubic'
          : null;
    const answer = id ? answers[id] : undefined;
    if (answer === undefined) return new Response('not mocked', { status: 500 });
    if (answer === 'hang')
      return new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () =>
          reject(init.signal?.reason ?? new DOMException('aborted', 'TimeoutError')),
        );
      });
    if (typeof answer === 'number') return new Response('{"error":"upstream"}', { status: answer });
    return Response.json(answer);
  };
  return { fetch, calls };
}
