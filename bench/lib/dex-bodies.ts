// Aggregator answers shaped per the providers' public docs, for the DEX bench (the tests use
// the fuller ones in test/helpers/dex.ts).
export const zeroExBodyFor = (buy: bigint) => ({
  liquidityAvailable: true,
  buyAmount: buy.toString(),
  minBuyAmount: ((buy * 995n) / 1000n).toString(),
  gas: '150000',
  route: { fills: [{ source: 'Uniswap_V3', proportionBps: '10000' }] },
});
export const okxBodyFor = (buy: bigint) => ({
  code: '0',
  msg: '',
  data: [
    {
      toTokenAmount: buy.toString(),
      estimateGasFee: '160000',
      priceImpactPercentage: '-0.1',
      dexRouterList: [],
    },
  ],
});
export const rubicBodyFor = (buy: bigint) => ({
  providerType: 'UNI_SWAP_V3',
  estimate: { destinationTokenAmount: '0.00049', destinationWeiAmount: buy.toString(), priceImpact: 0.2 },
});
