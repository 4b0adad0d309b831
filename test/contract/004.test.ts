import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { freshIp, signUp, type TestUser } from '../helpers/users';
import { cookieOf, expect422, expectPlain, expectStatus, isoDay, isoTime, type Json } from './plain-helpers';

// Seed 004 (SigmaSight): every path our /openapi.json serves from it, called as its document
// shows (base /api/v1, snake_case fields, FastAPI-style errors with `detail`).

const num = expect.any(Number);

async function login004(user: { email: string; password: string }) {
  const res = await call('/api/v1/auth/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    headers: { 'CF-Connecting-IP': freshIp() },
  });
  return { res, body: (await res.json()) as Json };
}

/** Calls with the 004 session cookie only (no Authorization header), as a browser would. */
const withCookie = (token: string, headers: Record<string, string> = {}) => ({
  headers: { Cookie: `auth_token=${token}`, ...headers },
});

describe('004 auth', () => {
  it('register takes full_name and answers the user fields (201)', async () => {
    const email = `c004-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const body = await expectStatus('/api/v1/auth/register', 201, {
      method: 'POST',
      body: { email, password: 'secure-password-1', full_name: 'New User' },
      headers: { 'CF-Connecting-IP': freshIp() },
    });
    expect(body).toMatchObject({
      id: expect.any(String),
      email,
      full_name: 'New User',
      is_active: true,
      created_at: isoTime,
    });
  });

  it('login answers access_token, token_type and expires_in, and sets the HttpOnly Secure SameSite cookie', async () => {
    const user = await signUp();
    const { res, body } = await login004(user);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', expires_in: num });
    const cookie = cookieOf(res, 'auth_token');
    expect(cookie?.value).toBe(body.access_token);
    const attrs = (cookie?.attributes ?? []).map((a) => a.toLowerCase());
    expect(attrs).toEqual(
      expect.arrayContaining([
        'httponly',
        'secure',
        'samesite=lax',
        'path=/api/v1',
        `max-age=${body.expires_in}`,
      ]),
    );
  });

  it('login with a wrong password answers 401 with detail', async () => {
    const user = await signUp();
    const { res, body } = await login004({ email: user.email, password: 'wrong-password-9' });
    expectError(res, body, 401, 'INVALID_CREDENTIALS');
    expect(typeof body.detail).toBe('string');
  });

  it('/auth/me answers the user with its default portfolio_id, the portfolio its data paths list', async () => {
    const user = await signUp();
    const me = await expectStatus('/api/v1/auth/me', 200, { as: user.as });
    expect(me).toMatchObject({
      id: user.id,
      email: user.email,
      is_active: true,
      created_at: isoTime,
      portfolio_id: expect.stringMatching(/^pf_/),
    });
    expect(me).toHaveProperty('full_name');
    const again = await expectStatus('/api/v1/auth/me', 200, { as: user.as });
    expect(again.portfolio_id).toBe(me.portfolio_id);
    const list = await expectStatus('/api/v1/data/portfolios', 200, { as: user.as });
    expect(list.data.map((p: Json) => p.id)).toContain(me.portfolio_id);
    await expectStatus(`/api/v1/data/portfolio/${me.portfolio_id}/complete`, 200, { as: user.as });
    // The same portfolio 003's paths use, and the sign-in body now names it too.
    const { body } = await login004(user);
    expect(body.portfolio_id).toBe(me.portfolio_id);
  });

  it('/auth/me without credentials answers 401 with detail', async () => {
    const { res, body } = await callJson<Json>('/api/v1/auth/me');
    expectError(res, body, 401, 'AUTHENTICATION_ERROR');
    expect(typeof body.detail).toBe('string');
  });

  it('refresh with the bearer token answers a new access token in the body and the cookie', async () => {
    const user = await signUp();
    const res = await call('/api/v1/auth/refresh', { method: 'POST', as: user.as });
    const body = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', expires_in: num });
    expect(cookieOf(res, 'auth_token')?.value).toBe(body.access_token);
    await expectStatus('/api/v1/auth/me', 200, { as: { token: body.access_token } });
  });
});

describe('004 cookie authentication', () => {
  let user: TestUser;
  let token: string;

  beforeAll(async () => {
    await seedMarket(['BTC']);
    user = await signUp();
    token = (await login004(user)).body.access_token;
  });

  it("004's reads accept the cookie alone", async () => {
    const me = await expectStatus('/api/v1/auth/me', 200, withCookie(token));
    expect(me.id).toBe(user.id);
    await expectStatus('/api/v1/data/portfolios', 200, withCookie(token));
  });

  it('a cookie-authenticated write needs X-Requested-With (CSRF), and then works', async () => {
    const body = { name: 'Cookie made', currency: 'USD' };
    const refused = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      body,
      ...withCookie(token),
    });
    expectError(refused.res, refused.body, 403, 'AUTHORIZATION_ERROR');
    const list = await expectStatus('/api/v1/data/portfolios', 200, withCookie(token));
    expect(list.data.map((p: Json) => p.name)).not.toContain('Cookie made');

    const made = await expectStatus('/api/v1/management/portfolios', 201, {
      method: 'POST',
      body,
      ...withCookie(token, { 'X-Requested-With': 'XMLHttpRequest' }),
    });
    expect(made).toMatchObject({ name: 'Cookie made', currency: 'USD' });
  });

  it('a cookie-authenticated write from a foreign Origin is refused', async () => {
    const { res, body } = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      body: { name: 'Forged' },
      ...withCookie(token, { 'X-Requested-With': 'XMLHttpRequest', Origin: 'https://evil.example' }),
    });
    expectError(res, body, 403, 'AUTHORIZATION_ERROR');
  });

  it('bearer writes need no CSRF header, and a bearer header wins over the cookie', async () => {
    const other = await signUp();
    const made = await expectStatus('/api/v1/management/portfolios', 201, {
      method: 'POST',
      as: other.as,
      body: { name: 'Bearer made' },
      ...withCookie(token),
    });
    const mine = await expectStatus('/api/v1/data/portfolios', 200, { as: other.as });
    expect(mine.data.map((p: Json) => p.id)).toContain(made.id);
  });

  it('the cookie is not a credential outside 004’s paths', async () => {
    const { res, body } = await callJson<Json>('/api/v1/users/me', withCookie(token));
    expectError(res, body, 401, 'AUTHENTICATION_ERROR');
  });

  it('an invalid cookie answers 401', async () => {
    const { res, body } = await callJson<Json>('/api/v1/data/portfolios', withCookie('not-a-jwt'));
    expect(res.status).toBe(401);
    expect(body.detail).toEqual(expect.any(String));
  });

  it('logout clears the cookie and ends the session behind it', async () => {
    const u = await signUp();
    const { body } = await login004(u);
    const cookieToken = body.access_token as string;
    await expectStatus('/api/v1/data/portfolios', 200, withCookie(cookieToken));
    const res = await call('/api/v1/auth/logout', {
      method: 'POST',
      ...withCookie(cookieToken, { 'X-Requested-With': 'XMLHttpRequest' }),
    });
    expect(res.status).toBe(200);
    const cleared = cookieOf(res, 'auth_token');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes.map((a) => a.toLowerCase())).toContain('max-age=0');
    const after = await callJson<Json>('/api/v1/data/portfolios', withCookie(cookieToken));
    expectError(after.res, after.body, 401, 'INVALID_TOKEN');
  });
});

describe('004 data, analytics and management', () => {
  let owner: TestUser;
  let pf: string;
  let position: Json;

  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH', 'SPY', 'VTI']);
    owner = await signUp();
    const made = await expectStatus('/api/v1/management/portfolios', 201, {
      method: 'POST',
      as: owner.as,
      body: { name: 'Contract 004', description: 'Seed 004 names', type: 'HNW', currency: 'USD' },
    });
    pf = made.id;
    const added = await expectStatus(`/api/v1/management/portfolios/${pf}/positions`, 201, {
      method: 'POST',
      as: owner.as,
      body: {
        symbol: 'BTC',
        quantity: 0.5,
        entry_price: 40000,
        entry_date: '2023-06-05',
        position_type: 'LONG',
      },
    });
    position = added.position;
    await expectStatus(`/api/v1/management/portfolios/${pf}/positions`, 201, {
      method: 'POST',
      as: owner.as,
      body: { symbol: 'SPY', quantity: 10, entry_price: 400, entry_date: '2023-06-05' },
    });
  });

  it('management answers its own names (currency, symbol) and refuses 000’s (base_currency, asset_id) with 422', async () => {
    const created = await expectStatus('/api/v1/management/portfolios', 201, {
      method: 'POST',
      as: owner.as,
      body: { name: 'In euros', currency: 'EUR' },
    });
    expectPlain(created);
    expect(created).toMatchObject({ id: expect.stringMatching(/^pf_/), name: 'In euros', currency: 'EUR' });
    expect(created).not.toHaveProperty('base_currency');
    const updated = await expectStatus(`/api/v1/management/portfolios/${created.id}`, 200, {
      method: 'PUT',
      as: owner.as,
      body: { name: 'In pounds', currency: 'GBP' },
    });
    expect(updated).toMatchObject({ id: created.id, name: 'In pounds', currency: 'GBP' });
    await expect422('/api/v1/management/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Wrong names', base_currency: 'USD' },
    });
    await expect422(`/api/v1/management/portfolios/${created.id}/positions`, {
      method: 'POST',
      as: owner.as,
      body: { asset_id: 'BTC', quantity: 1 },
    });
    const deleted = await expectStatus(`/api/v1/management/portfolios/${created.id}`, 200, {
      method: 'DELETE',
      as: owner.as,
    });
    expect(deleted).toMatchObject({ id: created.id, deleted: true, deleted_at: isoTime });
  });

  it('validation errors on 004’s paths answer 422 with the detail list, and change nothing', async () => {
    const body = await expect422('/api/v1/data/prices/quotes', { as: owner.as });
    expect(body.detail[0].loc).toEqual(['query', 'symbols']);
    await expect422('/api/v1/management/portfolios', { method: 'POST', as: owner.as, body: { name: '' } });
    await expect422(`/api/v1/management/positions/${position.id}`, {
      method: 'PUT',
      as: owner.as,
      body: { quantity: 'lots' },
    });
    // The service's own checks answer 422 here too.
    const currency = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Bad currency', currency: 'XYZ' },
    });
    expectError(currency.res, currency.body, 422, 'VALIDATION_ERROR');
    expect(currency.body.detail).toBeTruthy();
    // A rule only the ledger can judge is a 400 of its own code, not a validation error.
    const oversold = await callJson<Json>(`/api/v1/management/positions/${position.id}/close`, {
      method: 'POST',
      as: owner.as,
      body: { date: '2023-01-01' },
    });
    expectError(oversold.res, oversold.body, 400, 'INSUFFICIENT_BALANCE');
    const list = await expectStatus('/api/v1/data/portfolios', 200, { as: owner.as });
    expect(list.data.map((p: Json) => p.name)).not.toContain('Bad currency');
  });

  it('GET /data/portfolios lists the user’s portfolios with 2.1’s fields', async () => {
    const body = await expectStatus('/api/v1/data/portfolios', 200, { as: owner.as });
    expectPlain(body);
    const row = body.data.find((p: Json) => p.id === pf);
    expect(row).toMatchObject({
      id: pf,
      name: 'Contract 004',
      type: 'HNW',
      created_at: isoTime,
      positions_count: 2,
      total_value: num,
    });
  });

  it('GET /data/portfolio/{id}/complete answers portfolio, positions, summary and market_data', async () => {
    const body = await expectStatus(`/api/v1/data/portfolio/${pf}/complete`, 200, { as: owner.as });
    expectPlain(body);
    expect(body.portfolio).toMatchObject({
      id: pf,
      name: 'Contract 004',
      description: 'Seed 004 names',
      currency: 'USD',
      created_at: isoTime,
      updated_at: isoTime,
    });
    expect(body.positions).toHaveLength(2);
    for (const p of body.positions) {
      expect(p).toMatchObject({
        id: expect.any(String),
        symbol: expect.any(String),
        position_type: 'LONG',
        quantity: num,
        current_price: num,
        market_value: num,
        unrealized_pnl: num,
        cost_basis: num,
      });
      expect(p.market_value).toBeCloseTo(p.quantity * p.current_price, 1);
    }
    expect(body.summary).toMatchObject({
      total_value: num,
      cash_balance: num,
      total_pnl: num,
      positions_count: 2,
    });
    expect(body.market_data).toHaveProperty('last_updated');
    expect(body.market_data).toHaveProperty('data_quality');
  });

  it('GET /data/portfolio/{id}/data-quality answers the score and its metrics', async () => {
    const body = await expectStatus(`/api/v1/data/portfolio/${pf}/data-quality`, 200, { as: owner.as });
    expect(body).toMatchObject({
      portfolio_id: pf,
      overall_score: num,
      metrics: {
        price_coverage: { score: num, total_positions: 2, positions_with_prices: num, missing_prices: num },
        data_freshness: { score: num },
        greeks_coverage: { score: expect.anything(), options_positions: 0 },
      },
      recommendations: expect.any(Array),
      last_assessed: isoTime,
    });
  });

  it('GET /data/positions/details?portfolio_id= answers data and summary', async () => {
    const body = await expectStatus(`/api/v1/data/positions/details?portfolio_id=${pf}`, 200, {
      as: owner.as,
    });
    expect(body.data).toHaveLength(2);
    expect(body.data[0]).toMatchObject({
      id: expect.any(String),
      symbol: expect.any(String),
      position_type: 'LONG',
      quantity: num,
      cost_basis: num,
      current_price: num,
      market_value: num,
      unrealized_pnl: num,
      created_at: isoTime,
      updated_at: isoTime,
    });
    expect(body.summary).toMatchObject({
      total_positions: 2,
      total_market_value: num,
      total_unrealized_pnl: num,
      long_positions: 2,
      short_positions: 0,
      options_positions: 0,
    });
    const sum = body.data.reduce((s: number, p: Json) => s + p.market_value, 0);
    expect(body.summary.total_market_value).toBeCloseTo(sum, 2);
  });

  it('GET /data/positions/{id}/details answers the position and its analysis', async () => {
    const body = await expectStatus(`/api/v1/data/positions/${position.id}/details`, 200, { as: owner.as });
    expect(body.position).toMatchObject({
      id: position.id,
      symbol: 'BTC',
      position_type: 'LONG',
      quantity: 0.5,
      current_price: num,
      market_value: num,
      is_active: true,
    });
    expect(body).toHaveProperty('pnl_analysis.unrealized_pnl');
    expect(body).toHaveProperty('market_data.current_price');
    expect(body.transactions[0]).toMatchObject({
      date: '2023-06-05',
      type: 'BUY',
      quantity: 0.5,
      price: 40000,
    });
    expect(body.last_updated).toEqual(expect.any(String));
  });

  it('GET /data/portfolios/{id}/aggregations and /positions/summary answer their blocks', async () => {
    const agg = await expectStatus(`/api/v1/data/portfolios/${pf}/aggregations`, 200, { as: owner.as });
    expect(agg).toMatchObject({
      portfolio_id: pf,
      basic_aggregations: { total_value: num, cash_balance: num, invested_value: num, total_pnl: num },
      position_breakdown: { by_type: { LONG: { count: 2, value: num, percentage: num } } },
      concentration_metrics: { herfindahl_index: num, largest_position_weight: num },
    });
    const summary = await expectStatus(`/api/v1/data/portfolios/${pf}/positions/summary`, 200, {
      as: owner.as,
    });
    expect(summary).toMatchObject({
      portfolio_id: pf,
      summary_statistics: { total_positions: 2, active_positions: 2, total_market_value: num },
      position_summary: expect.any(Array),
      groupings: { by_position_type: { LONG: { count: 2 } } },
    });
    expect(summary.position_summary[0]).toMatchObject({
      id: expect.any(String),
      symbol: expect.any(String),
      weight: num,
    });
  });

  it('GET /analytics/portfolio/{id}/overview answers exposures, pnl and counts', async () => {
    const body = await expectStatus(`/api/v1/analytics/portfolio/${pf}/overview`, 200, { as: owner.as });
    expect(body).toMatchObject({
      portfolio_id: pf,
      total_value: num,
      cash_balance: num,
      exposures: { long_exposure: num, short_exposure: 0, gross_exposure: num, net_exposure: num },
      pnl: expect.any(Object),
      position_count: { total_positions: 2, long_count: 2, short_count: 0, option_count: 0 },
      last_updated: expect.any(String),
    });
  });

  it('GET /data/prices/historical/{symbol} answers 2.5’s fields for a date range', async () => {
    const body = await expectStatus(
      '/api/v1/data/prices/historical/BTC?start_date=2023-12-01&end_date=2023-12-31',
      200,
      { as: owner.as },
    );
    expect(body).toMatchObject({ symbol: 'BTC', data_points: 31, start_date: isoDay, end_date: isoDay });
    expect(body.prices).toHaveLength(31);
    expect(body.prices[0]).toMatchObject({
      date: isoDay,
      open: num,
      high: num,
      low: num,
      close: num,
      volume: num,
      adjusted_close: num,
    });
    const closes = body.prices.map((p: Json) => p.close as number);
    expect(body.statistics).toMatchObject({
      period_return: num,
      volatility: num,
      max_price: num,
      min_price: num,
      avg_volume: num,
    });
    expect(body.statistics.max_price).toBeGreaterThanOrEqual(Math.max(...closes));
    expect(body.statistics.min_price).toBeLessThanOrEqual(Math.min(...closes));
  });

  it('GET /data/prices/quotes?symbols=BTC,SPY answers quotes, market_status and last_updated', async () => {
    const body = await expectStatus('/api/v1/data/prices/quotes?symbols=BTC,SPY', 200, { as: owner.as });
    expect(body.quotes.map((q: Json) => q.symbol).sort()).toEqual(['BTC', 'SPY']);
    for (const q of body.quotes) {
      expect(q).toMatchObject({
        symbol: expect.any(String),
        price: num,
        change: num,
        change_percent: num,
        timestamp: isoTime,
      });
    }
    expect(body).toHaveProperty('market_status');
    expect(body).toHaveProperty('last_updated');
    // One price per moment across surfaces: the position is valued at the quote.
    const btc = body.quotes.find((q: Json) => q.symbol === 'BTC');
    const details = await expectStatus(`/api/v1/data/positions/${position.id}/details`, 200, {
      as: owner.as,
    });
    expect(details.position.current_price).toBeCloseTo(btc.price, 6);
  });

  it('GET /data/factors/etf-prices answers factor_etfs with history and a summary', async () => {
    const body = await expectStatus('/api/v1/data/factors/etf-prices?symbols=VTI,SPY&days=5', 200, {
      as: owner.as,
    });
    expect(body.factor_etfs.length).toBeGreaterThan(0);
    for (const etf of body.factor_etfs) {
      expect(etf).toMatchObject({
        symbol: expect.any(String),
        name: expect.any(String),
        factor_type: expect.any(String),
      });
      expect(Array.isArray(etf.historical_prices)).toBe(true);
    }
    expect(body.summary).toMatchObject({ total_etfs: num });
  });

  it('position update and close answer the position; close realizes it', async () => {
    const opened = await expectStatus(`/api/v1/management/portfolios/${pf}/positions`, 201, {
      method: 'POST',
      as: owner.as,
      body: { symbol: 'ETH', quantity: 2, entry_price: 2000, entry_date: '2023-06-05' },
    });
    const id = opened.position.id;
    const updated = await expectStatus(`/api/v1/management/positions/${id}`, 200, {
      method: 'PUT',
      as: owner.as,
      body: { notes: 'kept for the contract' },
    });
    expect(updated.position).toMatchObject({ id, symbol: 'ETH', quantity: 2 });
    const closed = await expectStatus(`/api/v1/management/positions/${id}/close`, 200, {
      method: 'POST',
      as: owner.as,
      body: { price: 2200, date: '2023-07-01' },
    });
    // 2 ETH bought at 2,000 and sold at 2,200: 400 realized, no fees.
    expect(closed.realized_pnl).toBeCloseTo(400, 8);
  });

  it('another user’s ids answer 404 with detail; no token answers 401', async () => {
    const stranger = await signUp();
    for (const path of [
      `/api/v1/data/portfolio/${pf}/complete`,
      `/api/v1/data/portfolio/${pf}/data-quality`,
      `/api/v1/data/positions/${position.id}/details`,
      `/api/v1/data/portfolios/${pf}/aggregations`,
      `/api/v1/analytics/portfolio/${pf}/overview`,
    ]) {
      const { res, body } = await callJson<Json>(path, { as: stranger.as });
      expectError(res, body, 404, 'NOT_FOUND');
      expect(typeof body.detail).toBe('string');
    }
    const put = await callJson<Json>(`/api/v1/management/portfolios/${pf}`, {
      method: 'PUT',
      as: stranger.as,
      body: { name: 'Hijacked' },
    });
    expectError(put.res, put.body, 404, 'NOT_FOUND');
    const guest = await callJson<Json>('/api/v1/data/portfolios');
    expectError(guest.res, guest.body, 401, 'AUTHENTICATION_ERROR');
  });
});

describe('004 server health', () => {
  it('GET /health needs no authentication', async () => {
    const body = await expectStatus('/health', 200);
    expect(body.status).toEqual(expect.any(String));
  });
});

describe('004 admin batch and system endpoints (ops plane)', () => {
  it('batch job status, summary, cancel; system jobs, a job, status', async () => {
    const { signUpAdmin } = await import('../helpers/users');
    const admin = await signUpAdmin();
    const as = admin.as;
    const status = await expectStatus('/api/v1/admin/batch/jobs/status?days_back=1', 200, { as });
    expect(status).toMatchObject({
      jobs: expect.any(Array),
      summary: { total_jobs: num },
      filters_applied: { days_back: 1 },
      last_updated: isoTime,
    });
    const summary = await expectStatus('/api/v1/admin/batch/jobs/summary?days_back=7', 200, { as });
    expect(summary).toMatchObject({
      period: { days_covered: 7, start_date: isoDay },
      job_statistics: { total_jobs: num },
      recommendations: expect.any(Array),
    });
    const missing = await callJson<Json>('/api/v1/admin/batch/jobs/job_missing/cancel', {
      method: 'DELETE',
      as,
    });
    expectError(missing.res, missing.body, 404, 'NOT_FOUND');
    const jobs = await expectStatus('/api/v1/system/jobs', 200, { as });
    expect(jobs).toMatchObject({ jobs: expect.any(Array), total: num });
    const job = await callJson<Json>('/api/v1/system/jobs/job_missing', { as });
    expectError(job.res, job.body, 404, 'NOT_FOUND');
    const system = await expectStatus('/api/v1/system/status', 200, { as });
    expect(system).toMatchObject({
      status: expect.any(String),
      services: expect.any(Array),
      alerts: { firing: num },
    });
    const bad = await expect422('/api/v1/admin/batch/jobs/status?days_back=0', { as });
    expect(bad.detail).toEqual(expect.any(Array));
  });

  it('data quality status and its refresh', { timeout: 60_000 }, async () => {
    const { signUpAdmin } = await import('../helpers/users');
    const as = (await signUpAdmin()).as;
    const quality = await expectStatus('/api/v1/admin/batch/data-quality', 200, { as });
    expect(quality).toMatchObject({
      system_overview: { total_portfolios: num, total_positions: num },
      portfolio_quality: expect.any(Array),
      data_source_status: { market_data_providers: expect.any(Object), database_health: expect.any(Object) },
      quality_trends: { score_history_7d: expect.any(Array), improvement_areas: expect.any(Array) },
      recommendations: expect.any(Array),
      last_updated: isoTime,
    });
    const refresh = await expectStatus('/api/v1/admin/batch/data-quality/refresh', 202, {
      method: 'POST',
      as,
    });
    expect(refresh).toMatchObject({
      refresh_initiated: expect.any(Boolean),
      job_details: { job_id: expect.any(String), job_name: 'data-quality.refresh' },
      scope: { portfolios_targeted: num, positions_to_refresh: num, data_types: expect.any(Array) },
      pre_refresh_quality: expect.any(Object),
      expected_improvements: expect.any(Object),
      monitoring: { progress_endpoint: expect.any(String) },
      backup_plan: expect.any(Object),
      message: expect.any(String),
    });
    const missing = await callJson<Json>('/api/v1/admin/batch/data-quality?portfolio_id=pf_missing', { as });
    expectError(missing.res, missing.body, 404, 'NOT_FOUND');
    await expect422('/api/v1/admin/batch/data-quality?limit=0', { as });
  });
});

describe('004 risk: factors, VaR, scenarios, greeks, reports and exports (issue 16)', () => {
  let user: TestUser;
  let pf: string;
  beforeAll(async () => {
    await seedMarket(['SPY']);
    user = await signUp();
    const created = await expectStatus('/api/v1/management/portfolios', 201, {
      method: 'POST',
      as: user.as,
      body: { name: 'Risk contract', type: 'HNW' },
    });
    pf = created.id as string;
    await expectStatus(`/api/v1/management/portfolios/${pf}/positions`, 201, {
      method: 'POST',
      as: user.as,
      body: { symbol: 'SPY', quantity: 10, entry_price: 400, entry_date: '2023-06-01' },
    });
  }, 60_000);

  it('serves factor exposures, risk summary, stored metrics, scenarios and greeks', {
    timeout: 60_000,
  }, async () => {
    const factors = await expectStatus(`/api/v1/data/factors/${pf}`, 200, { as: user.as });
    expectPlain(factors);
    expect(factors).toMatchObject({
      portfolio_id: pf,
      portfolio_exposures: expect.any(Object),
      summary: expect.any(Object),
    });
    const exposures = await expectStatus(`/api/v1/analytics/factor/${pf}/exposures`, 200, { as: user.as });
    expect(exposures.portfolio_id).toBe(pf);
    const summary = await expectStatus(
      `/api/v1/data/portfolios/${pf}/risk-summary?confidence_level=99`,
      200,
      {
        as: user.as,
      },
    );
    expect(summary).toMatchObject({
      portfolio_id: pf,
      risk_summary: { confidence_level: 99, lookback_period: 252 },
      value_at_risk: { '1_day': { absolute: num, percentage: num } },
      risk_metrics: expect.any(Object),
      stress_scenarios: expect.any(Object),
      greeks_risk: expect.any(Object),
    });
    await expect422(`/api/v1/data/portfolios/${pf}/risk-summary?confidence_level=80`, { as: user.as });
    const metrics = await expectStatus(`/api/v1/analytics/risk/${pf}/metrics`, 200, { as: user.as });
    expect(metrics).toMatchObject({ portfolio_id: pf, calculation_metadata: { lookback_days: 252 } });
    const scenarios = await expectStatus(`/api/v1/analytics/risk/${pf}/scenarios`, 200, { as: user.as });
    expect((scenarios.scenarios as Json[]).length).toBe(15);
    const greeks = await expectStatus(`/api/v1/data/greeks/${pf}`, 200, { as: user.as });
    expect(greeks).toMatchObject({ portfolio_id: pf, greeks_data: [], summary: { options_positions: 0 } });
  });

  it('queues a report, answers its status and streams historical data', { timeout: 60_000 }, async () => {
    const queued = await expectStatus(`/api/v1/export/reports/portfolio/${pf}`, 202, {
      method: 'POST',
      as: user.as,
      body: { format: 'md' },
    });
    expect(queued).toMatchObject({ status: 'queued', format: 'md' });
    const status = await expectStatus(`/api/v1/export/reports/${queued.report_id}`, 200, { as: user.as });
    expect(status.report_id).toBe(queued.report_id);
    // A download link is only valid signed.
    const unsigned = await call(
      `/api/v1/export/reports/${queued.report_id}/download?expires=1&signature=${'0'.repeat(64)}`,
    );
    expect(unsigned.status).toBe(403);
    const csv = await call(
      `/api/v1/export/data/historical?portfolio_id=${pf}&start_date=2023-06-01&end_date=2023-06-10`,
      { as: user.as },
    );
    expect(csv.status).toBe(200);
    expect((await csv.text()).split('\n')[0]).toBe('date,total_value,cash,invested,cost_basis,external_flow');
  });
});
