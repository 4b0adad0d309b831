import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { log } from '../../../core/logger';
import { db } from '../../../db/client';
import { portfolios, positions } from '../../../db/schema';
import { estimateValues } from './holdings';
import type { PortfolioRow } from './portfolios';

/**
 * Portfolios revalued per price event. Above this the rest wait for the next event (and a
 * warning is logged): past it, revaluation belongs in a queue job sharded by user.
 */
const MAX_PORTFOLIOS_PER_EVENT = 500;

export interface PortfolioValueUpdate {
  userId: string;
  message: {
    type: 'portfolio_update';
    reason: 'prices';
    portfolio_id: string;
    currency: string;
    total_value: number;
    market_value: number;
    cash: number;
    unrealized_pnl: number;
    priced_at: string | null;
    /** Options and unpriced instruments count at cost in this quick revaluation. */
    estimate: true;
  };
}

const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * The new values of the portfolios holding any of the assets whose prices just moved: one
 * query finds them, one positions query and one prices query value them all.
 */
export async function valueUpdatesFor(env: Env, assetIds: string[]): Promise<PortfolioValueUpdate[]> {
  const ids = [...new Set(assetIds)];
  const found = new Map<string, PortfolioRow>();
  for (let i = 0; i < ids.length && found.size < MAX_PORTFOLIOS_PER_EVENT; i += 90) {
    const rows = await db(env)
      .selectDistinct({ portfolio: portfolios })
      .from(positions)
      .innerJoin(portfolios, eq(portfolios.id, positions.portfolioId))
      .where(
        and(
          inArray(positions.assetId, ids.slice(i, i + 90)),
          eq(positions.isActive, true),
          isNull(positions.deletedAt),
          ne(positions.quantity, '0'),
          eq(portfolios.isActive, true),
          isNull(portfolios.deletedAt),
        ),
      )
      .limit(MAX_PORTFOLIOS_PER_EVENT + 1);
    for (const r of rows) found.set(r.portfolio.id, r.portfolio);
  }
  if (found.size > MAX_PORTFOLIOS_PER_EVENT) {
    log('warn', 'portfolios.live_updates_truncated', { holders: found.size, max: MAX_PORTFOLIOS_PER_EVENT });
  }
  const rows = [...found.values()].slice(0, MAX_PORTFOLIOS_PER_EVENT);
  if (rows.length === 0) return [];
  const values = await estimateValues(env, rows);
  return rows.flatMap((p) => {
    const v = values.get(p.id);
    if (!v) return [];
    return [
      {
        userId: p.userId,
        message: {
          type: 'portfolio_update' as const,
          reason: 'prices' as const,
          portfolio_id: p.id,
          currency: p.baseCurrency,
          total_value: cents(v.totalValue),
          market_value: cents(v.marketValue),
          cash: cents(v.cash),
          unrealized_pnl: cents(v.unrealizedPnl),
          priced_at: v.pricedAt === null ? null : new Date(v.pricedAt).toISOString(),
          estimate: true as const,
        },
      },
    ];
  });
}
