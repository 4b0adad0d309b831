// Hardhat Network for the wallet/DEX tests (scripts/lib/evm-node.ts): chain id 1, instant
// mining, and a reverted transaction is mined with status 0 as on a real chain (Hardhat would
// otherwise answer eth_sendRawTransaction with an error).
module.exports = {
  networks: {
    hardhat: {
      chainId: 1,
      mining: { auto: true },
      initialBaseFeePerGas: 1_000_000_000,
      throwOnTransactionFailures: false,
    },
  },
};
