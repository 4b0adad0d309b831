// Hardhat Network for the wallet/DEX tests (scripts/lib/evm-node.ts): chain id 1, instant mining.
module.exports = {
  networks: { hardhat: { chainId: 1, mining: { auto: true }, initialBaseFeePerGas: 1_000_000_000 } },
};
