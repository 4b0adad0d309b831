import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

import { JOB_HANDLERS } from '../../../src/jobs/handlers';
import type { JobHandler } from '../../../src/jobs/handlers/types';
import { call, callJson } from '../../helpers/api';
import { seedMarket, setMarketClock } from '../../helpers/market';
import { runQueuedJobs } from '../../helpers/models';
import { portfolioWithTrades } from '../../helpers/portfolios';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

interface Quality {
  system_overview: {
    total_positions: number;
    overall_data_quality_score: number | null;
    last_assessment: string | null;
  };
  portfolio_quality: {
    portfolio_id: string;
    quality_score: number;
    position_count: number;
    data_completeness: { price_coverage: number; historical_data_coverage: number; factor_coverage: number };
    data_freshness: { last_price_update: string | null; freshness_score: number };
    issues: string[];
  }[];
  data_source_status: { market_data_mode: string; database_health: { status: string } };
  quality_trends: { score_history_7d: { date: string; score: number }[] };
  recommendations: string[];
  method: string;
}
interface Refresh {
  refresh_initiated: boolean;
  job_details: { job_id: string; status: string };
  scope: { portfolios_targeted: number; positions_to_refresh: number };
  pre_refresh_quality: { overall_score: number | null };
  expected_improvements: { issues_to_resolve: number };
}
interface JobRow {
  status: string;
  result: string | null;
}

let admin: TestUser;
let user: TestUser;
let pf: string;

const job = async (id: string) =>
  (await env.DB.prepare('SELECT status, result FROM jobs WHERE id = ?').bind(id).first<JobRow>()) as JobRow;

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  await setMarketClock('2024-01-01T06:00:00Z');
  admin = await signUpAdmin();
  user = await signUp();
  pf = (
    await portfolioWithTrades(user, { name: 'Quality book' }, [
      { trade_type: 'buy', symbol: 'BTC', quantity: 0.5, price: 20_000, trade_date: '2023-03-01' },
      { trade_type: 'buy', symbol: 'ETH', quantity: 2, price: 1_500, trade_date: '2023-03-02' },
    ])
  ).id;
});

describe('004 admin batch data quality', () => {
  it('assesses a portfolio from the stored prices and history against the market clock', async () => {
    const { res, body } = await callJson<Quality>(`/api/v1/admin/batch/data-quality?portfolio_id=${pf}`, {
      as: admin.as,
    });
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.system_overview.total_positions).toBe(2);
    const [q] = body.portfolio_quality;
    expect(q?.portfolio_id).toBe(pf);
    expect(q?.position_count).toBe(2);
    expect(q?.data_completeness.price_coverage).toBe(100);
    // 364 of the 365 days before the clock hold a daily close (2023-01-02 .. 2023-12-31).
    expect(q?.data_completeness.historical_data_coverage).toBeCloseTo((364 / 365) * 100, 1);
    expect(q?.data_completeness.factor_coverage).toBe(100);
    expect(q?.data_freshness.last_price_update?.slice(0, 10)).toBe('2023-12-31');
    expect(body.system_overview.overall_data_quality_score).toBe(q?.quality_score);
    expect(body.data_source_status.market_data_mode).toBe('replay');
    expect(body.method).toMatch(/historical_data_coverage/);
  });

  it('refuses non-admins, unknown portfolios and bad paging, changing nothing', async () => {
    expect((await call('/api/v1/admin/batch/data-quality', { as: user.as })).status).toBe(403);
    expect(
      (await call('/api/v1/admin/batch/data-quality/refresh', { method: 'POST', as: user.as })).status,
    ).toBe(403);
    expect(
      (await call('/api/v1/admin/batch/data-quality?portfolio_id=pf_nope', { as: admin.as })).status,
    ).toBe(404);
    const before = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM jobs WHERE type = 'data-quality.refresh'",
    ).first<{
      n: number;
    }>();
    expect(
      (
        await call('/api/v1/admin/batch/data-quality/refresh?portfolio_id=pf_nope', {
          method: 'POST',
          as: admin.as,
        })
      ).status,
    ).toBe(404);
    const after = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM jobs WHERE type = 'data-quality.refresh'",
    ).first<{
      n: number;
    }>();
    expect(after?.n).toBe(before?.n);
    expect((await call('/api/v1/admin/batch/data-quality?limit=0', { as: admin.as })).status).toBe(422);
  });

  it('refresh is one idempotent job that derives recent history and reassesses', async () => {
    const first = await callJson<Refresh>(`/api/v1/admin/batch/data-quality/refresh?portfolio_id=${pf}`, {
      method: 'POST',
      as: admin.as,
    });
    expect(first.res.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toMatchObject({
      refresh_initiated: true,
      job_details: { status: 'pending' },
      scope: { portfolios_targeted: 1, positions_to_refresh: 2 },
    });
    expect(first.body.pre_refresh_quality.overall_score).toEqual(expect.any(Number));
    const again = await callJson<Refresh>(`/api/v1/admin/batch/data-quality/refresh?portfolio_id=${pf}`, {
      method: 'POST',
      as: admin.as,
    });
    expect(again.res.status).toBe(202);
    expect(again.body.refresh_initiated).toBe(false);
    expect(again.body.job_details.job_id).toBe(first.body.job_details.job_id);

    await runQueuedJobs('data-quality.refresh');
    const done = await job(first.body.job_details.job_id);
    expect(done.status).toBe('succeeded');
    const result = JSON.parse(done.result ?? '{}') as {
      pre: { overall_score: number };
      post: { overall_score: number; portfolios_assessed: number };
      historical_data: { assets: number; candles_written: number };
    };
    expect(result.post.portfolios_assessed).toBe(1);
    expect(result.historical_data.assets).toBe(2);
    // 30 days of hourly candles for each of the two held assets, derived from their closes.
    expect(result.historical_data.candles_written).toBeGreaterThanOrEqual(2 * 29 * 24);
    const hourly = await env.DB.prepare(
      "SELECT COUNT(*) AS n, MAX(open_time) AS last FROM price_data WHERE timeframe = '1h' AND asset_id IN (SELECT asset_id FROM positions WHERE portfolio_id = ?)",
    )
      .bind(pf)
      .first<{ n: number; last: number }>();
    expect(hourly?.n).toBeGreaterThan(0);
    // Nothing derived lies after the market clock.
    expect(hourly?.last).toBeLessThan(Date.parse('2024-01-01T06:00:00Z'));
    // Running the job's message again changes nothing (the claim refuses a finished job).
    await runQueuedJobs('data-quality.refresh');
    expect((await job(first.body.job_details.job_id)).status).toBe('succeeded');
    // A finished refresh no longer blocks a new one.
    const next = await callJson<Refresh>(`/api/v1/admin/batch/data-quality/refresh?portfolio_id=${pf}`, {
      method: 'POST',
      as: admin.as,
    });
    expect(next.body.refresh_initiated).toBe(true);
    expect(next.body.job_details.job_id).not.toBe(first.body.job_details.job_id);
    await runQueuedJobs('data-quality.refresh');
  });

  it('a running refresh cancelled by an admin stops at its next checkpoint', async () => {
    const started = await callJson<Refresh>('/api/v1/admin/batch/data-quality/refresh', {
      method: 'POST',
      as: admin.as,
    });
    const id = started.body.job_details.job_id;
    const real = JOB_HANDLERS['data-quality.refresh'] as JobHandler;
    let cancelAnswer: { job_details: unknown; impact_assessment: unknown } | undefined;
    // The admin cancels while the job is running (after the claim, before its first checkpoint).
    JOB_HANDLERS['data-quality.refresh'] = {
      payload: real.payload,
      async run(ctx, payload) {
        const res = await callJson<typeof cancelAnswer & object>(
          `/api/v1/admin/batch/jobs/${ctx.jobId}/cancel`,
          {
            method: 'DELETE',
            as: admin.as,
          },
        );
        cancelAnswer = res.body;
        return real.run(ctx, payload);
      },
    };
    try {
      await runQueuedJobs('data-quality.refresh');
    } finally {
      JOB_HANDLERS['data-quality.refresh'] = real;
    }
    expect(cancelAnswer).toMatchObject({
      job_details: { previous_status: 'running', new_status: 'cancelling' },
      impact_assessment: { affected_portfolios: 0, rollback_required: false },
    });
    const row = await job(id);
    expect(row.status).toBe('cancelled');
    const result = JSON.parse(row.result ?? '{}') as {
      cancelled: boolean;
      stopped_before: string;
      pre: unknown;
    };
    expect(result).toMatchObject({ cancelled: true, stopped_before: 'market_prices' });
    expect(result.pre).toBeDefined();
    const seen = await callJson<{ id: string; status: string }>(`/api/v1/system/jobs/${id}`, {
      as: admin.as,
    });
    expect(seen.body.status).toBe('cancelled');
  });

  it('a finished refresh of the whole book becomes the score history and the last assessment', async () => {
    const started = await callJson<Refresh>('/api/v1/admin/batch/data-quality/refresh', {
      method: 'POST',
      as: admin.as,
    });
    expect(started.body.refresh_initiated).toBe(true);
    await runQueuedJobs('data-quality.refresh');
    expect((await job(started.body.job_details.job_id)).status).toBe('succeeded');
    const { body } = await callJson<Quality>('/api/v1/admin/batch/data-quality', { as: admin.as });
    expect(body.system_overview.last_assessment).toEqual(expect.any(String));
    expect(body.quality_trends.score_history_7d).toHaveLength(1);
    expect(body.quality_trends.score_history_7d[0]?.score).toEqual(expect.any(Number));
    expect(body.portfolio_quality.map((p) => p.portfolio_id)).toContain(pf);
  });
});
