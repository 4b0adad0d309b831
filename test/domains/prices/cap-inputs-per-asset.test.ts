import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { servedQuotes } from '../../../src/domains/prices/market-cap';

const DAY = 86_400_000;
const T = Date.UTC(2023, 5, 1);

async function seed(assetId: string, price: number, supply: number, reportedCap: number): Promise<void> {
  await env.DB.batch([
    env.DB.prepare(`INSERT INTO quotes (asset_id, price, source, as_of) VALUES (?, ?, 'test', ?)`).bind(
      assetId,
      price,
      T,
    ),
    env.DB.prepare(
      `INSERT INTO asset_metrics (asset_id, metric, time, value, source) VALUES
         (?1, 'circulating_supply', ?2, ?3, 'test'), (?1, 'market_cap', ?4, ?5, 'test')`,
    ).bind(assetId, T - DAY, supply, T - 3_600_000, reportedCap),
  ]);
}

describe('market-cap inputs of served quotes', () => {
  it("give each quote its own asset's supply and reported cap when several are read at once", async () => {
    // A later supply row of another asset must not be taken for this one's.
    await seed('ast_capin_a', 10, 1_000, 10_500);
    await seed('ast_capin_b', 20, 5_000_000, 99_000_000);
    const served = await servedQuotes(env, ['ast_capin_a', 'ast_capin_b']);
    const inputs = (id: string) => {
      const q = served.get(id);
      return {
        supply: q?.capSupply ? (JSON.parse(q.capSupply) as { value: number }).value : null,
        reported: q?.capReported ? (JSON.parse(q.capReported) as { value: number }).value : null,
      };
    };
    expect(inputs('ast_capin_a')).toEqual({ supply: 1_000, reported: 10_500 });
    expect(inputs('ast_capin_b')).toEqual({ supply: 5_000_000, reported: 99_000_000 });
  });
});
