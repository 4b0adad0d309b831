import type { Chain } from 'viem';
import { arbitrum, avalanche, base, bsc, mainnet, optimism, polygon } from 'viem/chains';

/** A token we track on a chain: balances are read for these, and swaps may name them. */
export interface TrackedToken {
  address: `0x${string}`;
  symbol: string;
  decimals: number;
  /** The catalog asset that prices it in USD; null when we hold no market data for it. */
  priceSymbol: string | null;
}

export interface ChainInfo {
  id: number;
  name: string;
  viem: Chain;
  nativeSymbol: string;
  /** The catalog asset that prices the native coin. */
  nativePriceSymbol: string | null;
  tokens: TrackedToken[];
}

/** Issuers' official deployments (published addresses, EIP-55). */
const USDT_PRICE = 'USDT';
const USDC_PRICE = 'USDC';

/** The seven chains 002 documents (chain ids per EIP-155 / chainlist). */
export const CHAINS: readonly ChainInfo[] = [
  {
    id: 1,
    name: 'Ethereum',
    viem: mainnet,
    nativeSymbol: 'ETH',
    nativePriceSymbol: 'ETH',
    tokens: [
      {
        address: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
        symbol: 'USDT',
        decimals: 6,
        priceSymbol: USDT_PRICE,
      },
      {
        address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
        symbol: 'USDC',
        decimals: 6,
        priceSymbol: USDC_PRICE,
      },
      {
        address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2',
        symbol: 'WETH',
        decimals: 18,
        priceSymbol: 'ETH',
      },
      {
        address: '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599',
        symbol: 'WBTC',
        decimals: 8,
        priceSymbol: 'BTC',
      },
    ],
  },
  {
    id: 8453,
    name: 'Base',
    viem: base,
    nativeSymbol: 'ETH',
    nativePriceSymbol: 'ETH',
    tokens: [
      {
        address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
        symbol: 'USDC',
        decimals: 6,
        priceSymbol: USDC_PRICE,
      },
    ],
  },
  {
    id: 42161,
    name: 'Arbitrum One',
    viem: arbitrum,
    nativeSymbol: 'ETH',
    nativePriceSymbol: 'ETH',
    tokens: [
      {
        address: '0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9',
        symbol: 'USDT',
        decimals: 6,
        priceSymbol: USDT_PRICE,
      },
      {
        address: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831',
        symbol: 'USDC',
        decimals: 6,
        priceSymbol: USDC_PRICE,
      },
    ],
  },
  {
    id: 137,
    name: 'Polygon',
    viem: polygon,
    nativeSymbol: 'POL',
    nativePriceSymbol: 'MATIC',
    tokens: [
      {
        address: '0xc2132D05D31c914a87C6611C10748AEb04B58e8F',
        symbol: 'USDT',
        decimals: 6,
        priceSymbol: USDT_PRICE,
      },
      {
        address: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359',
        symbol: 'USDC',
        decimals: 6,
        priceSymbol: USDC_PRICE,
      },
    ],
  },
  {
    id: 10,
    name: 'Optimism',
    viem: optimism,
    nativeSymbol: 'ETH',
    nativePriceSymbol: 'ETH',
    tokens: [
      {
        address: '0x94b008aA00579c1307B0EF2c499aD98a8ce58e58',
        symbol: 'USDT',
        decimals: 6,
        priceSymbol: USDT_PRICE,
      },
    ],
  },
  {
    id: 43114,
    name: 'Avalanche',
    viem: avalanche,
    nativeSymbol: 'AVAX',
    nativePriceSymbol: 'AVAX',
    tokens: [
      {
        address: '0x9702230A8Ea53601f5cD2dc00fDBc13d4dF4A8c7',
        symbol: 'USDT',
        decimals: 6,
        priceSymbol: USDT_PRICE,
      },
    ],
  },
  {
    id: 56,
    name: 'BNB Chain',
    viem: bsc,
    nativeSymbol: 'BNB',
    nativePriceSymbol: 'BNB',
    // BSC-USD (Binance-Peg USDT) has 18 decimals.
    tokens: [
      {
        address: '0x55d398326f99059fF775485246999027B3197955',
        symbol: 'USDT',
        decimals: 18,
        priceSymbol: USDT_PRICE,
      },
    ],
  },
];

export const CHAIN_IDS = CHAINS.map((c) => c.id) as [number, ...number[]];

export function chainInfo(chainId: number): ChainInfo | undefined {
  return CHAINS.find((c) => c.id === chainId);
}

/** The tracked token at `address` on `chainId` (case-insensitive), if any. */
export function trackedToken(chainId: number, address: string): TrackedToken | undefined {
  const lower = address.toLowerCase();
  return chainInfo(chainId)?.tokens.find((t) => t.address.toLowerCase() === lower);
}
