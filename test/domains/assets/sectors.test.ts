import { describe, expect, it } from 'vitest';
import coingeckoJson from '../../../../shared/data/intel/sectors-coingecko-quantresearch/coingecko_coins_top200_2024-04-08.json?raw';
import { ASSET_CATALOG } from '../../../src/domains/assets/catalog';
import { CRYPTO_SECTORS, SECTOR_OF } from '../../../src/domains/assets/sectors';

interface CoinGeckoCoin {
  symbol: string;
  category: string[];
}

describe('curated crypto sectors', () => {
  it('gives every catalog crypto asset and stablecoin one sector from the whitelist', () => {
    const ids = new Set<string>(CRYPTO_SECTORS.map((s) => s.id));
    const coins = ASSET_CATALOG.filter((a) => a.type === 'crypto' || a.type === 'stablecoin');
    expect(coins.length).toBeGreaterThan(15);
    for (const a of coins) {
      expect(a.sector, a.symbol).toBeDefined();
      expect(ids.has(a.sector ?? ''), a.symbol).toBe(true);
    }
    expect(ASSET_CATALOG.filter((a) => a.type === 'etf').every((a) => a.sector === undefined)).toBe(true);
  });

  it('cites only CoinGecko categories the shipped snapshot really gives the coin', () => {
    const parsed = JSON.parse(coingeckoJson) as CoinGeckoCoin[] | { data: CoinGeckoCoin[] };
    const coins = Array.isArray(parsed) ? parsed : parsed.data;
    const categories = new Map(coins.map((c) => [c.symbol.toUpperCase(), new Set(c.category)]));
    let checked = 0;
    for (const [symbol, { source }] of Object.entries(SECTOR_OF)) {
      const cited = /CoinGecko: ([^;]+)/.exec(source)?.[1];
      if (!cited) continue;
      for (const category of cited.split(', ')) {
        expect(categories.get(symbol)?.has(category), `${symbol} ${category}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
