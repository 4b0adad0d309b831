import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { DAY_MS } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { round2 } from '../../../core/telemetry';
import { db } from '../../../db/client';
import { assets, portfolios, positions } from '../../../db/schema';
import type { PortfolioRow } from '../../portfolios/services/portfolios';
import { assessQuality } from '../../portfolios/services/quality';
import { portfolioValue } from '../../portfolios/services/summary';
import type { PositionValue } from '../../portfolios/services/valuation';
import { MIN_OBSERVATIONS } from '../../risk/services/factors';

/**
 * 004's data quality of portfolios, computed from the stored market data and the portfolios
 * themselves (the same assessment `/data/portfolio/{id}/data-quality` serves), plus two checks
 * over each held asset's daily history in the year before the market clock: how complete it
 * is, and whether it holds enough returns for the risk domain's factor regression.
 */

export const QUALITY_THRESHOLD = 80;
const HISTORY_DAYS = 365;

export const QUALITY_METHOD = `quality_score = the portfolio's data-quality assessment (price coverage 60% and freshness 40%, or 50/30/20 with options' greeks coverage; freshness 100 up to a day old, halving every 72 hours, following the oldest price; all against the market clock). historical_data_coverage = mean over open non-option positions of the asset's daily closes in the ${HISTORY_DAYS} days before the market clock over the days expected (every day for crypto and stablecoins, weekdays otherwise), capped at 100%; factor_coverage = share of those positions with more than ${MIN_OBSERVATIONS} daily closes in that year (enough returns for the factor regression). overall = mean of the assessed portfolios' scores.`;

export type IssueKind = 'missing_price' | 'stale_price' | 'missing_greeks' | 'history_gap' | 'factor_history';

export interface PortfolioQualityItem {
  portfolio_id: string;
  portfolio_name: string;
  quality_score: number;
  position_count: number;
  data_completeness: {
    price_coverage: number;
    greeks_coverage: number;
    factor_coverage: number;
    historical_data_coverage: number;
  };
  data_freshness: {
    last_price_update: string | null;
    oldest_price_update: string | null;
    hours_since_update: number | null;
    freshness_score: number;
  };
  issues: string[];
  /** Issue counts by kind (what a refresh can address: stale prices and history gaps). */
  issue_counts: Record<IssueKind, number>;
  /** Points the score would gain if every stale price were current (freshness to 100). */
  freshness_headroom: number;
  /** Shared assets held in open positions (what a refresh ingests). */
  asset_ids: string[];
}

export interface QualityScope {
  as_of: number;
  total_portfolios: number;
  active_portfolios: number;
  total_positions: number;
  assessed: PortfolioQualityItem[];
}

const isOption = (v: PositionValue) =>
  v.position.positionType === 'CALL' || v.position.positionType === 'PUT';

/** Weekdays in [from, to) (UTC days). */
function weekdays(from: number, to: number): number {
  let n = 0;
  for (let t = Math.floor(from / DAY_MS) * DAY_MS; t < to; t += DAY_MS) {
    const d = new Date(t).getUTCDay();
    if (d !== 0 && d !== 6) n++;
  }
  return n;
}

/** Daily closes per asset in the year before `now`, with the asset's type. */
async function historyCounts(env: Env, assetIds: string[], now: number) {
  const out = new Map<string, { closes: number; expected: number }>();
  const from = now - HISTORY_DAYS * DAY_MS;
  const weekdayCount = weekdays(from, now);
  for (let i = 0; i < assetIds.length; i += 90) {
    const ids = assetIds.slice(i, i + 90);
    const { results } = await env.DB.prepare(
      `SELECT a.id AS asset_id, a.asset_type AS type,
         (SELECT COUNT(*) FROM price_data p WHERE p.asset_id = a.id AND p.timeframe = '1d'
            AND p.open_time >= ?1 AND p.open_time < ?2) AS closes
       FROM assets a WHERE a.id IN (${ids.map((_, j) => `?${j + 3}`).join(', ')})`,
    )
      .bind(from, now, ...ids)
      .all<{ asset_id: string; type: string; closes: number }>();
    for (const r of results) {
      const everyDay = r.type === 'crypto' || r.type === 'stablecoin';
      out.set(r.asset_id, { closes: r.closes, expected: everyDay ? HISTORY_DAYS : weekdayCount });
    }
  }
  return out;
}

/** Active portfolios to assess: one by id (404 when unknown), or a page of all, oldest first. */
async function portfoliosInScope(
  env: Env,
  scope: { portfolioId?: string | null; limit: number; offset: number },
) {
  if (scope.portfolioId) {
    const row = await db(env).select().from(portfolios).where(eq(portfolios.id, scope.portfolioId)).get();
    if (!row) throw new ApiError('NOT_FOUND', `Portfolio ${scope.portfolioId} not found`);
    return [row];
  }
  return db(env)
    .select()
    .from(portfolios)
    .where(eq(portfolios.isActive, true))
    .orderBy(asc(portfolios.createdAt), asc(portfolios.id))
    .limit(scope.limit)
    .offset(scope.offset);
}

/** Assesses the portfolios of a scope against the market clock. */
export async function assessScope(
  env: Env,
  scope: { portfolioId?: string | null; limit: number; offset?: number },
): Promise<QualityScope> {
  const now = await marketNow(env);
  const [rows, totals, openPositions] = await Promise.all([
    portfoliosInScope(env, { ...scope, offset: scope.offset ?? 0 }),
    db(env)
      .select({
        total: count(),
        active: sql<number>`sum(CASE WHEN ${portfolios.isActive} THEN 1 ELSE 0 END)`,
      })
      .from(portfolios)
      .where(scope.portfolioId ? eq(portfolios.id, scope.portfolioId) : undefined)
      .get(),
    db(env)
      .select({ n: count() })
      .from(positions)
      .innerJoin(portfolios, eq(portfolios.id, positions.portfolioId))
      .where(
        and(
          eq(positions.isActive, true),
          isNull(positions.deletedAt),
          isNull(positions.closedAt),
          sql`${positions.quantity} <> '0'`,
          eq(portfolios.isActive, true),
          scope.portfolioId ? eq(positions.portfolioId, scope.portfolioId) : undefined,
        ),
      )
      .get(),
  ]);
  // Valued five at a time: independent reads go out together without flooding D1.
  const values = [];
  for (let i = 0; i < rows.length; i += 5)
    values.push(
      ...(await Promise.all(rows.slice(i, i + 5).map((p) => portfolioValue(env, p as PortfolioRow)))),
    );
  const shared = new Set(
    (
      await sharedAssetIds(
        env,
        values.flatMap((v) =>
          v.positions.flatMap((x) => (x.isOpen && x.position.assetId ? [x.position.assetId] : [])),
        ),
      )
    ).values(),
  );
  const history = await historyCounts(env, [...shared], now);
  const assessed = values.map((value): PortfolioQualityItem => {
    const q = assessQuality(value, now);
    const open = value.positions.filter((v) => v.isOpen);
    const held = open.filter((v) => !isOption(v));
    const hist = held.map((v) => (v.position.assetId ? history.get(v.position.assetId) : undefined));
    const coverage = hist.map((h) => (h?.expected ? Math.min(1, h.closes / h.expected) : 0));
    const gaps = held.filter((_, i) => (coverage[i] ?? 0) < 0.9);
    const thin = held.filter((_, i) => (hist[i]?.closes ?? 0) <= MIN_OBSERVATIONS);
    const fresh = q.metrics.data_freshness;
    const counts: Record<IssueKind, number> = {
      missing_price: q.metrics.price_coverage.missing_prices,
      stale_price: fresh.stale_prices.length,
      missing_greeks: q.metrics.greeks_coverage.missing_greeks,
      history_gap: gaps.length,
      factor_history: thin.length,
    };
    const issues: string[] = [];
    if (counts.missing_price)
      issues.push(
        `Missing prices for ${counts.missing_price} position(s): ${q.metrics.price_coverage.unpriced_symbols.join(', ')} valued at cost`,
      );
    if (counts.stale_price)
      issues.push(`Stale prices for ${counts.stale_price} position(s): ${fresh.stale_symbols.join(', ')}`);
    if (counts.missing_greeks)
      issues.push(
        `Missing Greeks for ${counts.missing_greeks} options position(s): ${q.metrics.greeks_coverage.symbols_missing_greeks.join(', ')}`,
      );
    if (counts.history_gap)
      issues.push(
        `Historical data gap for ${counts.history_gap} position(s) (under 90% of a year's daily closes): ${[...new Set(gaps.map((v) => v.position.symbol))].join(', ')}`,
      );
    if (counts.factor_history)
      issues.push(
        `Too little history for factor exposures for ${counts.factor_history} position(s) (${MIN_OBSERVATIONS} or fewer daily closes in a year)`,
      );
    const freshWeight = q.metrics.greeks_coverage.options_positions ? 0.3 : 0.4;
    return {
      portfolio_id: value.portfolio.id,
      portfolio_name: value.portfolio.name,
      quality_score: q.overall_score,
      position_count: open.length,
      data_completeness: {
        price_coverage: q.metrics.price_coverage.score,
        greeks_coverage: q.metrics.greeks_coverage.score,
        factor_coverage: held.length ? round2(((held.length - thin.length) / held.length) * 100) : 100,
        historical_data_coverage: held.length
          ? round2((coverage.reduce((s, c) => s + c, 0) / held.length) * 100)
          : 100,
      },
      data_freshness: {
        last_price_update: fresh.last_updated,
        oldest_price_update: fresh.oldest_update,
        hours_since_update: fresh.hours_since_update,
        freshness_score: fresh.score,
      },
      issues,
      issue_counts: counts,
      freshness_headroom: counts.stale_price ? round2(freshWeight * (100 - fresh.score)) : 0,
      asset_ids: [
        ...new Set(
          held.flatMap((v) =>
            v.position.assetId && shared.has(v.position.assetId) ? [v.position.assetId] : [],
          ),
        ),
      ],
    };
  });
  return {
    as_of: now,
    total_portfolios: Number(totals?.total ?? 0),
    active_portfolios: Number(totals?.active ?? 0),
    total_positions: Number(openPositions?.n ?? 0),
    assessed,
  };
}

/** The catalog's shared assets among `ids` (users' own assets are not market data we ingest). */
async function sharedAssetIds(env: Env, ids: string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  const out = new Set<string>();
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db(env)
      .select({ id: assets.id })
      .from(assets)
      .where(and(inArray(assets.id, unique.slice(i, i + 90)), eq(assets.ownerId, '')));
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** The mean score of a scope's assessed portfolios and how many fall below the threshold. */
export function scopeSummary(scope: QualityScope) {
  const scores = scope.assessed.map((a) => a.quality_score);
  return {
    overall_score: scores.length ? round2(scores.reduce((s, x) => s + x, 0) / scores.length) : null,
    portfolios_assessed: scores.length,
    portfolios_below_threshold: scores.filter((s) => s < QUALITY_THRESHOLD).length,
  };
}
