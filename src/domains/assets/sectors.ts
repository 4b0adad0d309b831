/**
 * The curated crypto sector classification, first version: one sector per catalog coin, chosen
 * from a short whitelist so investor-portfolio and ecosystem tags never become sectors. Each
 * assignment names the evidence it rests on in ../shared/data/intel:
 * - CoinGecko categories of the top 200 (sectors-coingecko-quantresearch, 2024-04-08),
 * - CMC tag flags (sectors-cmc-tags-smoothbrainquant/cmc_tag_categories_20251102_192126.csv),
 * - the hand-made one-sector map beside them (custom_categories.csv).
 * Where the sources disagree (CoinGecko tags BCH a smart-contract platform; CMC flags LINK a
 * layer 1) the sector follows what the coin is used for, and the note says so.
 */
export const CRYPTO_SECTORS = [
  { id: 'payments', name: 'Payments & Store of Value', category: 'currency' },
  { id: 'smart-contract-platforms', name: 'Smart Contract Platforms', category: 'infrastructure' },
  { id: 'exchange-tokens', name: 'Exchange Tokens', category: 'centralized-finance' },
  { id: 'layer-2', name: 'Layer 2 Scaling', category: 'infrastructure' },
  { id: 'oracles', name: 'Oracles', category: 'infrastructure' },
  { id: 'meme', name: 'Meme Coins', category: 'culture' },
  { id: 'stablecoins', name: 'Stablecoins', category: 'currency' },
  { id: 'defi', name: 'DeFi Blue Chips', category: 'decentralized-finance' },
  { id: 'gaming-metaverse', name: 'Gaming & Metaverse', category: 'culture' },
  { id: 'ai-compute', name: 'AI & Compute', category: 'infrastructure' },
  { id: 'storage-infrastructure', name: 'Storage & Infrastructure', category: 'infrastructure' },
] as const;

/**
 * Each sector's constituents: the catalog coins assigned below (SECTOR_OF), plus coins the
 * shipped custom_categories.csv files under the same category that the catalog has no price
 * history for. The sector lists them all; its index uses only the tracked ones.
 */
export const SECTOR_SOURCE_CONSTITUENTS: Record<CryptoSectorId, string[]> = {
  payments: ['BTC', 'LTC', 'BCH', 'XRP', 'XLM'],
  'smart-contract-platforms': ['ETH', 'SOL', 'ADA', 'AVAX', 'DOT', 'NEAR', 'TRX', 'TON', 'SUI'],
  'exchange-tokens': ['BNB', 'CRO'],
  'layer-2': ['MATIC', 'ARB', 'OP', 'STX'],
  oracles: ['LINK', 'PYTH', 'BAND'],
  meme: ['DOGE', 'SHIB', 'PEPE', 'WIF'],
  stablecoins: ['USDT', 'USDC', 'DAI'],
  defi: ['AAVE', 'UNI', 'MKR', 'SNX', 'CRV'],
  'gaming-metaverse': ['AXS', 'SAND', 'MANA', 'IMX'],
  'ai-compute': ['FET', 'RENDER', 'GRT', 'TAO'],
  'storage-infrastructure': ['FIL', 'STORJ'],
};

export type CryptoSectorId = (typeof CRYPTO_SECTORS)[number]['id'];

export interface SectorAssignment {
  sector: CryptoSectorId;
  /** The source categories the assignment rests on. */
  source: string;
}

const cg = (...categories: string[]) => `CoinGecko: ${categories.join(', ')}`;

export const SECTOR_OF: Record<string, SectorAssignment> = {
  BTC: { sector: 'payments', source: `${cg('Proof of Work (PoW)')}; custom_categories: BTC Ecosystem` },
  LTC: { sector: 'payments', source: `${cg('Proof of Work (PoW)')}; custom_categories: Dino Coins` },
  BCH: {
    sector: 'payments',
    source: `${cg('Proof of Work (PoW)')}; custom_categories: Dino Coins (a Bitcoin fork used for payments, not for contracts)`,
  },
  XRP: {
    sector: 'payments',
    source: 'custom_categories: Dino Coins (Ripple payments network); no CoinGecko sector',
  },
  XLM: { sector: 'payments', source: 'custom_categories: Dino Coins (Stellar payments network)' },
  ETH: {
    sector: 'smart-contract-platforms',
    source: `${cg('Smart Contract Platform', 'Layer 1 (L1)')}; CMC is_layer1`,
  },
  SOL: {
    sector: 'smart-contract-platforms',
    source: `${cg('Smart Contract Platform', 'Layer 1 (L1)')}; custom_categories: L1 Smart Contract`,
  },
  ADA: {
    sector: 'smart-contract-platforms',
    source: `${cg('Smart Contract Platform', 'Layer 1 (L1)')}; custom_categories: L1 Smart Contract`,
  },
  AVAX: {
    sector: 'smart-contract-platforms',
    source: `${cg('Smart Contract Platform', 'Layer 1 (L1)')}; custom_categories: L1 Smart Contract`,
  },
  DOT: {
    sector: 'smart-contract-platforms',
    source: `${cg('Smart Contract Platform')}; custom_categories: L1 Smart Contract`,
  },
  NEAR: {
    sector: 'smart-contract-platforms',
    source: `${cg('Smart Contract Platform', 'Layer 1 (L1)')}; custom_categories: L1 Smart Contract`,
  },
  TRX: { sector: 'smart-contract-platforms', source: cg('Smart Contract Platform', 'Layer 1 (L1)') },
  TON: { sector: 'smart-contract-platforms', source: cg('Layer 1 (L1)') },
  SUI: {
    sector: 'smart-contract-platforms',
    source: `${cg('Smart Contract Platform', 'Layer 1 (L1)')}; custom_categories: L1 Smart Contract`,
  },
  BNB: {
    sector: 'exchange-tokens',
    source: `${cg('Exchange-based Tokens')}; CMC is_exchange; custom_categories: Exchange Tokens`,
  },
  MATIC: { sector: 'layer-2', source: `${cg('Layer 2 (L2)')}; custom_categories: L2 Scaling (as POL)` },
  LINK: { sector: 'oracles', source: `${cg('Oracle')}; custom_categories: Oracle Networks` },
  DOGE: { sector: 'meme', source: `${cg('Meme')}; CMC is_meme; custom_categories: Meme Coins` },
  USDT: { sector: 'stablecoins', source: `${cg('Stablecoins')}; custom_categories: Stablecoins` },
  USDC: { sector: 'stablecoins', source: cg('Stablecoins') },
};
