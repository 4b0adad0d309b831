import { DAY_MS } from '../../../core/dates';
import { newId } from '../../../core/ids';
import { marketClock } from '../../../core/market-clock';
import { round2 } from '../../../core/telemetry';
import type { Principal } from '../../../env';
import type { JobContext } from '../../../jobs/handlers/types';
import { poolHealth, poolMetrics } from './database';
import {
  assessScope,
  type IssueKind,
  QUALITY_METHOD,
  QUALITY_THRESHOLD,
  type QualityScope,
  scopeSummary,
} from './portfolio-quality';
import { slowQueries } from './profiling';

/**
 * 004's batch data quality: the status of every portfolio's data (GET) and a refresh job
 * (POST) that brings the held assets' market data up to the market clock and reassesses.
 * The job's stored results are the score history.
 */

export const REFRESH_JOB = 'data-quality.refresh';
/** Portfolios assessed per request; the job walks every page. */
const PAGE = 50;
const SLOW_QUERY_MS = 100;
/** Portfolios the POST assesses before queuing (its pre-refresh figures); the job assesses all. */
const PRE_ASSESS = 50;

const IMPROVEMENT_AREAS: Record<IssueKind, string> = {
  missing_price: 'Catalog coverage: held symbols without a market price',
  stale_price: 'Price freshness: ingestion behind the market clock',
  missing_greeks: 'Options Greeks: implied volatility not set',
  history_gap: 'Historical data backfill for held assets',
  factor_history: 'History long enough for factor exposures',
};

const RECOMMENDATION: Record<IssueKind, string> = {
  missing_price:
    'Add the unpriced symbols to the asset catalog (or import their prices) so positions stop being valued at cost',
  stale_price: 'Run POST /api/v1/admin/batch/data-quality/refresh to ingest prices up to the market clock',
  missing_greeks: 'Set the implied volatility of options positions so they are priced and have Greeks',
  history_gap: 'Backfill daily history for held assets (POST /api/v1/admin/price-data/fetch)',
  factor_history: 'Factor exposures need more than 60 daily closes: backfill history or exclude young assets',
};

function providerStatus(circuit: string): string {
  return circuit === 'open' ? 'down' : circuit === 'half_open' ? 'degraded' : 'operational';
}

interface RefreshResult {
  scope: { portfolio_id: string | null };
  pre: ReturnType<typeof scopeSummary>;
  post?: ReturnType<typeof scopeSummary>;
  cancelled?: boolean;
}

/** Refresh runs of the whole book (no portfolio_id) in the last 7 days: the score history. */
async function scoreHistory(env: Env, now: number) {
  const { results } = await env.DB.prepare(
    `SELECT substr(finished_at, 1, 10) AS day, result FROM jobs
     WHERE type = ?1 AND status = 'succeeded' AND finished_at >= ?2
       AND json_extract(payload, '$.portfolio_id') IS NULL
     ORDER BY finished_at`,
  )
    .bind(REFRESH_JOB, new Date(now - 7 * DAY_MS).toISOString())
    .all<{ day: string; result: string | null }>();
  const byDay = new Map<string, number>();
  for (const r of results) {
    const parsed = r.result ? (JSON.parse(r.result) as RefreshResult) : null;
    const score = parsed?.post?.overall_score;
    if (typeof score === 'number') byDay.set(r.day, score);
  }
  return [...byDay].map(([date, score]) => ({ date, score })).reverse();
}

export async function batchDataQuality(
  env: Env,
  q: { portfolio_id?: string | undefined; limit: number; offset: number },
) {
  const now = Date.now();
  const range = { start: now - DAY_MS, end: now };
  const [scope, clock, sources, lastRun, history, health, metrics, slow] = await Promise.all([
    assessScope(env, { portfolioId: q.portfolio_id, limit: q.limit, offset: q.offset }),
    marketClock(env),
    env.DB.prepare(
      'SELECT id, circuit_state, last_success_at, calls_date, calls_today, errors_today FROM data_sources WHERE enabled = 1 ORDER BY id',
    ).all<{
      id: string;
      circuit_state: string;
      last_success_at: string | null;
      calls_date: string | null;
      calls_today: number;
      errors_today: number;
    }>(),
    env.DB.prepare(
      "SELECT finished_at FROM jobs WHERE type = ?1 AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1",
    )
      .bind(REFRESH_JOB)
      .first<{ finished_at: string }>(),
    scoreHistory(env, now),
    poolHealth(env, range),
    poolMetrics(env, range),
    slowQueries(env, range, SLOW_QUERY_MS, 1000),
  ]);
  const summary = scopeSummary(scope);
  const kinds = new Map<IssueKind, number>();
  for (const a of scope.assessed)
    for (const [k, n] of Object.entries(a.issue_counts) as [IssueKind, number][])
      if (n) kinds.set(k, (kinds.get(k) ?? 0) + n);
  const ranked = [...kinds].sort((a, b) => b[1] - a[1]);
  const recommendations = ranked.map(([k]) => RECOMMENDATION[k]);
  if (summary.portfolios_below_threshold)
    recommendations.push(
      `${summary.portfolios_below_threshold} portfolio(s) score below ${QUALITY_THRESHOLD}: review their issues first`,
    );
  const open = sources.results.filter((s) => s.circuit_state === 'open');
  if (open.length)
    recommendations.push(
      `Provider circuit open for ${open.map((s) => s.id).join(', ')}: ingestion falls back or stops`,
    );
  if (!recommendations.length) recommendations.push('No data quality issue found: no action needed');
  const today = new Date(now).toISOString().slice(0, 10);
  return {
    system_overview: {
      total_portfolios: scope.total_portfolios,
      active_portfolios: scope.active_portfolios,
      total_positions: scope.total_positions,
      portfolios_assessed: summary.portfolios_assessed,
      overall_data_quality_score: summary.overall_score,
      last_assessment: lastRun?.finished_at ?? null,
      market_clock: new Date(scope.as_of).toISOString(),
    },
    portfolio_quality: scope.assessed.map(
      ({ asset_ids: _a, freshness_headroom: _f, issue_counts: _c, ...rest }) => rest,
    ),
    data_source_status: {
      market_data_mode: clock.mode,
      market_data_providers: Object.fromEntries(
        sources.results.map((s) => {
          const calls = s.calls_date === today ? s.calls_today : 0;
          const errors = s.calls_date === today ? s.errors_today : 0;
          return [
            s.id,
            {
              status: providerStatus(s.circuit_state),
              circuit_state: s.circuit_state,
              last_successful_call: s.last_success_at,
              daily_api_calls: calls,
              daily_limit: null,
              error_rate_today: calls ? round2(errors / calls) : null,
            },
          ];
        }),
      ),
      database_health: {
        status: health.status,
        connection_pool_usage: metrics.utilization_percent,
        avg_query_time_ms: metrics.statements ? round2(metrics.busy_ms / metrics.statements) : null,
        slow_queries_24h: slow.length,
        slow_query_threshold_ms: SLOW_QUERY_MS,
        d1_equivalent: metrics.d1_equivalent,
      },
    },
    quality_trends: {
      score_history_7d: history,
      improvement_areas: ranked.map(([k, n]) => `${IMPROVEMENT_AREAS[k]} (${n} position(s))`),
    },
    recommendations,
    method: QUALITY_METHOD,
    last_updated: new Date(now).toISOString(),
  };
}

/** Pre-refresh figures and what a refresh can fix, for the POST response. */
function expectations(scope: QualityScope) {
  const summary = scopeSummary(scope);
  const issues = scope.assessed.flatMap((a) => a.issues);
  const refreshable = scope.assessed.reduce(
    (s, a) => s + a.issue_counts.stale_price + a.issue_counts.history_gap,
    0,
  );
  const gain = scope.assessed.length
    ? round2(scope.assessed.reduce((s, a) => s + a.freshness_headroom, 0) / scope.assessed.length)
    : 0;
  return {
    pre_refresh_quality: {
      overall_score: summary.overall_score,
      portfolios_assessed: summary.portfolios_assessed,
      portfolios_below_threshold: summary.portfolios_below_threshold,
      critical_issues: issues.slice(0, 10),
    },
    expected_improvements: {
      estimated_score_increase: gain,
      target_quality_score:
        summary.overall_score === null ? null : round2(Math.min(100, summary.overall_score + gain)),
      issues_to_resolve: refreshable,
      data_freshness_improvement:
        'Upper bound: every stale price becomes current (freshness 100). A refresh cannot add prices the market clock has not reached, nor Greeks (implied volatility is set by the owner).',
    },
  };
}

/**
 * Starts a refresh of one portfolio's or every portfolio's market data. Idempotent: while a
 * refresh of the same scope is queued or running, the request answers that job (one
 * conditional INSERT decides, so two requests at once start one job).
 */
export async function requestQualityRefresh(env: Env, admin: Principal, portfolioId: string | undefined) {
  const scope = await assessScope(env, { portfolioId, limit: PRE_ASSESS });
  const payload = JSON.stringify({ portfolio_id: portfolioId ?? null });
  const id = newId('job');
  const inserted = await env.DB.prepare(
    `INSERT INTO jobs (id, type, user_id, payload, max_attempts)
     SELECT ?1, ?2, ?3, ?4, 3 WHERE NOT EXISTS (
       SELECT 1 FROM jobs WHERE type = ?2 AND payload = ?4 AND status IN ('queued', 'running', 'retrying'))`,
  )
    .bind(id, REFRESH_JOB, admin.userId, payload)
    .run();
  const created = (inserted.meta.changes ?? 0) > 0;
  const job = created
    ? { id, status: 'queued', created_at: new Date().toISOString() }
    : await env.DB.prepare(
        "SELECT id, status, created_at FROM jobs WHERE type = ?1 AND payload = ?2 AND status IN ('queued', 'running', 'retrying') ORDER BY created_at DESC LIMIT 1",
      )
        .bind(REFRESH_JOB, payload)
        .first<{ id: string; status: string; created_at: string }>();
  if (!job) return requestQualityRefresh(env, admin, portfolioId); // it finished in between
  if (created) {
    try {
      await env.JOBS.send({ job_id: id, type: REFRESH_JOB });
    } catch (err) {
      const at = new Date().toISOString();
      await env.DB.prepare(
        "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ?",
      )
        .bind(`Could not enqueue: ${err instanceof Error ? err.message : String(err)}`, at, at, id)
        .run();
      throw err;
    }
  }
  const past = await env.DB.prepare(
    `SELECT AVG((julianday(finished_at) - julianday(started_at)) * 1440) AS minutes FROM jobs
     WHERE type = ?1 AND status = 'succeeded' AND started_at IS NOT NULL AND finished_at IS NOT NULL`,
  )
    .bind(REFRESH_JOB)
    .first<{ minutes: number | null }>();
  const positions = scope.assessed.reduce((s, a) => s + a.position_count, 0);
  return {
    refresh_initiated: created,
    job_details: {
      job_id: job.id,
      job_name: REFRESH_JOB,
      status: job.status === 'queued' || job.status === 'retrying' ? 'pending' : job.status,
      initiated_at: job.created_at,
      estimated_duration_minutes: past?.minutes == null ? null : round2(past.minutes),
    },
    scope: {
      portfolio_id: portfolioId ?? null,
      portfolios_targeted: portfolioId ? 1 : scope.active_portfolios,
      positions_to_refresh: portfolioId ? positions : scope.total_positions,
      data_types: ['market_prices', 'historical_data'],
    },
    ...expectations(scope),
    monitoring: {
      progress_endpoint: `/api/v1/system/jobs/${job.id}`,
      completion_webhook: null,
      notification_channels: ['system_log', 'admin_dashboard'],
    },
    backup_plan: {
      fallback_providers: (
        await env.DB.prepare('SELECT id FROM data_sources WHERE enabled = 1 ORDER BY id').all<{
          id: string;
        }>()
      ).results.map((r) => r.id),
      rollback_available: false,
      previous_data_retained: true,
    },
    message: created
      ? 'Data quality refresh initiated successfully. Monitor progress via job status endpoint.'
      : 'A refresh of this scope is already queued or running: its job is returned and nothing new was started.',
  };
}

/** Where the refresh stopped when cancelled, and what it had done. */
type Step = 'assess' | 'market_prices' | 'historical_data' | 'reassess';

/**
 * The refresh job: assess, ingest prices up to the market clock (the replay tick under
 * replay, the minute quotes when live), derive the held assets' intraday history of the last
 * 30 days from their daily closes (replay), reassess. Checks for cancellation between steps
 * and between assets. Idempotent: every write is an upsert.
 */
export async function runQualityRefresh(
  ctx: JobContext,
  payload: { portfolio_id: string | null },
  deps: {
    tick: (env: Env) => Promise<unknown>;
    backfill: (env: Env, assetId: string, from: number, to: number) => Promise<number>;
  },
) {
  const { env } = ctx;
  const assessAll = async () => {
    if (payload.portfolio_id) return assessScope(env, { portfolioId: payload.portfolio_id, limit: 1 });
    const first = await assessScope(env, { limit: PAGE });
    for (let offset = PAGE; offset < first.active_portfolios; offset += PAGE) {
      if (await ctx.cancelRequested()) break;
      first.assessed.push(...(await assessScope(env, { limit: PAGE, offset })).assessed);
    }
    return first;
  };
  const stop = (step: Step, done: Record<string, unknown>) => ({
    cancelled: true,
    stopped_before: step,
    scope: { portfolio_id: payload.portfolio_id },
    ...done,
  });
  const before = await assessAll();
  const pre = scopeSummary(before);
  await ctx.progress(10, `assessed ${pre.portfolios_assessed} portfolio(s)`);
  if (await ctx.cancelRequested()) return stop('market_prices', { pre });

  const clock = await marketClock(env);
  let prices: unknown;
  try {
    prices = (await deps.tick(env)) ?? null;
  } catch (err) {
    prices = { error: err instanceof Error ? err.message : String(err) };
  }
  await ctx.progress(40, 'prices ingested up to the market clock');

  const assetIds = [...new Set(before.assessed.flatMap((a) => a.asset_ids))];
  let candles = 0;
  if (clock.mode === 'replay') {
    for (const [i, assetId] of assetIds.entries()) {
      if (await ctx.cancelRequested())
        return stop('historical_data', { pre, market_prices: prices, candles_written: candles });
      candles += await deps.backfill(env, assetId, clock.now - 30 * DAY_MS, clock.now);
      await ctx.progress(
        40 + (50 * (i + 1)) / assetIds.length,
        `history of ${i + 1}/${assetIds.length} assets`,
      );
    }
  }
  if (await ctx.cancelRequested())
    return stop('reassess', { pre, market_prices: prices, candles_written: candles });
  const post = scopeSummary(await assessAll());
  return {
    scope: { portfolio_id: payload.portfolio_id },
    pre,
    post,
    score_change:
      pre.overall_score !== null && post.overall_score !== null
        ? round2(post.overall_score - pre.overall_score)
        : null,
    market_prices: prices,
    historical_data: {
      mode: clock.mode,
      assets: clock.mode === 'replay' ? assetIds.length : 0,
      candles_written: candles,
      note:
        clock.mode === 'replay'
          ? 'hourly and 4-hour candles of the last 30 days derived from the daily closes'
          : 'live: daily and hourly candles come from the scheduled ingestion',
    },
  };
}
