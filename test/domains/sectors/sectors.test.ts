import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshSnapshots } from '../../../src/domains/macro/service';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMacroIntel, seedSectorCoins } from '../../helpers/macro';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin } from '../../helpers/users';

type Env<T> = { success: true; data: T };
type Summary = {
  id: string;
  name: string;
  tracked_assets: number;
  market_cap: number | null;
  index_level: number | null;
  share_of_total_pct: number | null;
  absent_reason: string | null;
  performance: Record<string, number | null>;
};

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'ADA']);
  await seedSectorCoins();
  await seedMacroIntel();
  await refreshSnapshots(env);
}, 300_000);

describe('sectors (000/001 Layer 2)', () => {
  it('lists the 11 curated sectors; tracked ones carry a cap-weighted index, empty ones say why', async () => {
    const { res, body } =
      await callJson<Env<{ sectors: Summary[]; count: number; meta: { method: string } }>>('/api/v1/sectors');
    expect(res.status).toBe(200);
    expect(body.data.count).toBe(11);
    const scp = body.data.sectors.find((s) => s.id === 'smart-contract-platforms');
    expect(scp?.index_level).toBeGreaterThan(0);
    expect(scp?.share_of_total_pct).toBeGreaterThan(10); // ETH alone is ~17 % of the total
    const defi = body.data.sectors.find((s) => s.id === 'defi');
    expect(defi?.tracked_assets).toBe(0);
    expect(defi?.index_level).toBeNull();
    expect(defi?.absent_reason).toMatch(/no constituent/i);
    expect(body.data.meta.method).toMatch(/Market-cap-weighted/);
  });

  it('the payments index moves with BTC (its dominant member) over 24h', async () => {
    const a = await callJson<
      Env<{ sector: Summary; members: { symbol: string; weight_pct: number; change_24h_pct: number }[] }>
    >('/api/v1/sectors/payments/analysis');
    expect(a.res.status).toBe(200);
    const btc = a.body.data.members.find((m) => m.symbol === 'BTC');
    expect(btc?.weight_pct).toBeGreaterThan(80);
    // Cap-weighted by the prior day's caps: with BTC > 80 % of the weight, the index's day is close to BTC's.
    expect(Math.abs((a.body.data.sector.performance['24h'] ?? 0) - (btc?.change_24h_pct ?? 0))).toBeLessThan(
      1,
    );
  });

  it('every sector read answers 200; bad input 400; unknown sector 404', async () => {
    for (const p of [
      '/api/v1/sectors/performance?timeframe=7d&sort_by=market_cap',
      '/api/v1/sectors/rotation',
      '/api/v1/sectors/correlations?period=90d',
      '/api/v1/sectors/narratives',
      '/api/v1/sectors/tvl-analysis',
      '/api/v1/sectors/cross-sector-analysis',
      '/api/v1/sectors/allocation',
      '/api/v1/sectors/assets',
      '/api/v1/sectors/payments/performance',
      '/api/v1/sectors/payments/assets?sort_by=volume&limit=2',
      '/api/v1/sectors/defi/fundamentals',
      '/api/v1/sectors/payments/history?timeframe=1M',
    ]) {
      const { res } = await callJson(p);
      expect(res.status, p).toBe(200);
    }
    const alloc = await callJson<Env<{ weights: { weight_pct: number }[] }>>('/api/v1/sectors/allocation');
    expect(alloc.body.data.weights.reduce((s, w) => s + w.weight_pct, 0)).toBeCloseTo(100, 6);
    const assets = await callJson<Env<{ assets: unknown[]; total: number }>>(
      '/api/v1/sectors/payments/assets?sort_by=volume&limit=2',
    );
    expect(assets.body.data.assets).toHaveLength(2);
    let r = await callJson('/api/v1/sectors/nope/analysis');
    expectError(r.res, r.body, 404, 'NOT_FOUND');
    r = await callJson('/api/v1/sectors/performance?timeframe=1y');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    r = await callJson('/api/v1/sectors/payments/history?start_date=2023-12-01&end_date=2023-01-01');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
  });

  it('admin PUT edits and audits; inactive sectors disappear for guests; non-admins get 403', async () => {
    const user = await signUp();
    let r = await callJson('/api/v1/admin/sectors/meme', {
      method: 'PUT',
      as: user.as,
      body: { is_active: false },
    });
    expect(r.res.status).toBe(403);
    r = await callJson('/api/v1/admin/sectors/meme', { method: 'PUT', body: { is_active: false } });
    expect(r.res.status).toBe(401);
    const admin = await signUpAdmin();
    r = await callJson('/api/v1/admin/sectors/meme', { method: 'PUT', as: admin.as, body: {} });
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    r = await callJson('/api/v1/admin/sectors/nope', { method: 'PUT', as: admin.as, body: { name: 'X' } });
    expectError(r.res, r.body, 404, 'NOT_FOUND');
    const ok = await callJson<Env<{ name: string; is_active: boolean; updated_by: string }>>(
      '/api/v1/admin/sectors/meme',
      {
        method: 'PUT',
        as: admin.as,
        body: { name: 'Memes', is_active: false },
      },
    );
    expect(ok.res.status).toBe(200);
    expect(ok.body.data).toMatchObject({ name: 'Memes', is_active: false, updated_by: admin.id });
    const logged = await env.DB.prepare(
      "SELECT action, target_id FROM audit_logs WHERE target_type = 'sector' AND actor_user_id = ?",
    )
      .bind(admin.id)
      .first<{ action: string; target_id: string }>();
    expect(logged).toEqual({ action: 'sector.update', target_id: 'meme' });
    const hidden = await callJson('/api/v1/sectors/meme/analysis', {
      headers: { 'Cache-Control': 'no-cache' },
    });
    expect(hidden.res.status).toBe(404);
    // Restore for the other tests.
    await callJson('/api/v1/admin/sectors/meme', {
      method: 'PUT',
      as: admin.as,
      body: { name: 'Meme Coins', is_active: true },
    });
  });

  it('admin analytics and refresh-analysis (a job); 403 for users', async () => {
    const user = await signUp();
    expect((await callJson('/api/v1/admin/sectors/analytics', { as: user.as })).res.status).toBe(403);
    expect(
      (await callJson('/api/v1/admin/sectors/payments/refresh-analysis', { method: 'POST', as: user.as })).res
        .status,
    ).toBe(403);
    const admin = await signUpAdmin();
    const a = await callJson<Env<{ sectors: unknown[] }>>('/api/v1/admin/sectors/analytics', {
      as: admin.as,
    });
    expect(a.res.status).toBe(200);
    expect(a.body.data.sectors).toHaveLength(11);
    const j = await callJson('/api/v1/admin/sectors/payments/refresh-analysis', {
      method: 'POST',
      as: admin.as,
    });
    expect(j.res.status).toBe(202);
    const bad = await callJson('/api/v1/admin/sectors/nope/refresh-analysis', {
      method: 'POST',
      as: admin.as,
    });
    expectError(bad.res, bad.body, 404, 'NOT_FOUND');
  });
});

describe('dashboard (001)', () => {
  it('guests get the macro overview and a watchlist; users their portfolios; admins the system', async () => {
    const g = await callJson<
      Env<{ context: string; watchlist: { assets: unknown[] }; portfolios: unknown; system: unknown }>
    >('/api/v1/dashboard/overview');
    expect(g.res.status).toBe(200);
    expect(g.body.data.context).toBe('guest');
    expect(g.body.data.watchlist.assets.length).toBeGreaterThan(0);
    expect(g.body.data.portfolios).toBeNull();
    const user = await signUp();
    const u = await callJson<Env<{ context: string; portfolios: unknown[]; system: unknown }>>(
      '/api/v1/dashboard/overview',
      { as: user.as },
    );
    expect(u.body.data.context).toBe('logged');
    expect(Array.isArray(u.body.data.portfolios)).toBe(true);
    expect(u.body.data.system).toBeNull();
    const admin = await signUpAdmin();
    const a = await callJson<Env<{ system: { users: number } }>>('/api/v1/dashboard/overview', {
      as: admin.as,
    });
    expect(a.body.data.system.users).toBeGreaterThan(0);
    const p = await callJson<Env<{ watchlist: { average_24h_pct: number | null } }>>(
      '/api/v1/dashboard/performance',
    );
    expect(p.res.status).toBe(200);
    const pa = await callJson('/api/v1/dashboard/performance', { as: admin.as });
    expect(pa.res.status).toBe(200);
  });
});
