import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

const send = (path: string, user: TestUser, method: string, body?: unknown) =>
  callJson<Json>(path, { method, as: user.as, ...(body !== undefined ? { body } : {}) });

async function create(user: TestUser, body: Json = {}) {
  const { res, body: out } = await send('/api/v1/management/portfolios', user, 'POST', {
    name: 'Mine',
    ...body,
  });
  expect(res.status, JSON.stringify(out)).toBe(201);
  return out;
}

async function add(user: TestUser, pf: string, body: Json) {
  const { res, body: out } = await send(`/api/v1/management/portfolios/${pf}/positions`, user, 'POST', body);
  expect(res.status, JSON.stringify(out)).toBe(201);
  return out;
}

describe('004 management: portfolios', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  it('creates (201), updates and soft-deletes a portfolio, recording activity', async () => {
    const user = await signUp();
    const pf = await create(user, {
      description: 'Options sleeve',
      type: 'HNW',
      currency: 'usd',
      is_public: true,
      cost_method: 'fifo',
    });
    expect(pf).toMatchObject({
      id: expect.stringMatching(/^pf_/),
      name: 'Mine',
      description: 'Options sleeve',
      type: 'HNW',
      currency: 'USD',
      is_public: true,
      cost_method: 'fifo',
      positions_count: 0,
      total_value: 0,
      cash_balance: 0,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });

    const put = await send(`/api/v1/management/portfolios/${pf.id}`, user, 'PUT', {
      name: 'Renamed',
      is_public: false,
    });
    expect(put.res.status).toBe(200);
    expect(put.body).toMatchObject({
      id: pf.id,
      name: 'Renamed',
      is_public: false,
      type: 'HNW',
      cost_method: 'fifo',
    });

    const del = await send(`/api/v1/management/portfolios/${pf.id}`, user, 'DELETE');
    expect(del.res.status).toBe(200);
    expect(del.body).toMatchObject({ id: pf.id, deleted: true, deleted_at: expect.any(String) });
    const gone = await callJson<Json>(`/api/v1/data/portfolio/${pf.id}/complete`, { as: user.as });
    expectError(gone.res, gone.body, 404, 'NOT_FOUND');
    const again = await send(`/api/v1/management/portfolios/${pf.id}`, user, 'DELETE');
    expectError(again.res, again.body, 404, 'NOT_FOUND');
    // Soft: the row stays, marked deleted.
    const row = await env.DB.prepare('SELECT deleted_at FROM portfolios WHERE id = ?').bind(pf.id).first();
    expect(row?.deleted_at).toBeTruthy();
    const actions = await env.DB.prepare(
      'SELECT action FROM user_activities WHERE user_id = ? ORDER BY created_at',
    )
      .bind(user.id)
      .all<{ action: string }>();
    expect(actions.results.map((a) => a.action)).toEqual(
      expect.arrayContaining(['portfolio.create', 'portfolio.update', 'portfolio.delete']),
    );
  });

  it('rejects bad input in our error shape', async () => {
    const user = await signUp();
    const noName = await send('/api/v1/management/portfolios', user, 'POST', { type: 'HNW' });
    expectError(noName.res, noName.body, 422, 'VALIDATION_ERROR');
    const chf = await send('/api/v1/management/portfolios', user, 'POST', { name: 'X', currency: 'CHF' });
    expectError(chf.res, chf.body, 422, 'VALIDATION_ERROR');
    const extra = await send('/api/v1/management/portfolios', user, 'POST', { name: 'X', colour: 'red' });
    expectError(extra.res, extra.body, 422, 'VALIDATION_ERROR');
  });
});

describe('004 management: positions', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH', 'SPY']);
  });

  it('adds a position (201) shaped as 2.13’s position block with its opening trade', async () => {
    const user = await signUp();
    const pf = await create(user);
    const out = await add(user, pf.id, {
      symbol: 'btc',
      quantity: '0.5',
      entry_price: 40000,
      fees: 10,
      entry_date: '2023-06-01',
      notes: 'core',
      tags: { strategy: 'hodl' },
      allocation_target: 25,
    });
    expect(out.position).toMatchObject({
      id: expect.stringMatching(/^pos_/),
      portfolio_id: pf.id,
      symbol: 'BTC',
      position_type: 'LONG',
      quantity: 0.5,
      cost_basis: 40020,
      weight_in_portfolio: 1,
      notes: 'core',
      tags: { strategy: 'hodl' },
      allocation_target: 25,
      realized_pnl: 0,
      opened_at: '2023-06-01',
      closed_at: null,
      is_active: true,
    });
    expect(out.position.market_value).toBeCloseTo(0.5 * out.position.current_price, 2);
    expect(out.transaction).toMatchObject({
      date: '2023-06-01',
      type: 'BUY',
      quantity: 0.5,
      price: 40000,
      value: 20000,
      fees: 10,
    });
    // Audit: the ledger change is a commit.
    const commits = await env.DB.prepare('SELECT action FROM ledger_commits WHERE portfolio_id = ?')
      .bind(pf.id)
      .all();
    expect(commits.results).toEqual([{ action: 'position.open' }]);

    const dup = await send(`/api/v1/management/portfolios/${pf.id}/positions`, user, 'POST', {
      symbol: 'BTC',
      quantity: 1,
      entry_price: 1,
      entry_date: '2023-06-02',
    });
    expectError(dup.res, dup.body, 409, 'INTEGRITY_ERROR');
    const option = await send(`/api/v1/management/portfolios/${pf.id}/positions`, user, 'POST', {
      symbol: 'SPY_C',
      position_type: 'CALL',
      quantity: 1,
      entry_price: 5,
    });
    expectError(option.res, option.body, 422, 'VALIDATION_ERROR');
    const zero = await send(`/api/v1/management/portfolios/${pf.id}/positions`, user, 'POST', {
      symbol: 'ETH',
      quantity: 0,
    });
    expectError(zero.res, zero.body, 422, 'VALIDATION_ERROR');
  });

  it('updates a position: metadata, implied volatility, and a quantity change as a trade', async () => {
    const user = await signUp();
    const pf = await create(user);
    const { position } = await add(user, pf.id, {
      symbol: 'ETH',
      quantity: 2,
      entry_price: 2000,
      entry_date: '2023-06-02',
    });
    const put = await send(`/api/v1/management/positions/${position.id}`, user, 'PUT', {
      notes: 'trim later',
      tags: { sector: 'L1' },
      quantity: 3,
      entry_price: 1000,
      entry_date: '2023-07-01',
    });
    expect(put.res.status, JSON.stringify(put.body)).toBe(200);
    // 2 @ 2,000 + 1 @ 1,000 → 5,000 for 3: average 1,666.67.
    expect(put.body.position).toMatchObject({
      id: position.id,
      quantity: 3,
      notes: 'trim later',
      tags: { sector: 'L1' },
    });
    expect(put.body.position.cost_basis).toBeCloseTo(5000 / 3, 6);
    const detail = await callJson<Json>(`/api/v1/data/positions/${position.id}/details`, { as: user.as });
    expect(detail.body.transactions.map((t: Json) => [t.date, t.type, t.quantity])).toEqual([
      ['2023-06-02', 'BUY', 2],
      ['2023-07-01', 'BUY', 1],
    ]);
    expect(detail.body.pnl_analysis.total_cost).toBe(5000);
    const bad = await send(`/api/v1/management/positions/${position.id}`, user, 'PUT', {
      implied_volatility: -1,
    });
    expectError(bad.res, bad.body, 422, 'VALIDATION_ERROR');
  });

  it('closes a position: the whole quantity sold, realized P&L by hand', async () => {
    const user = await signUp();
    const pf = await create(user);
    const { position } = await add(user, pf.id, {
      symbol: 'BTC',
      quantity: 1,
      entry_price: 20000,
      fees: 10,
      entry_date: '2023-01-02',
    });
    const out = await send(`/api/v1/management/positions/${position.id}/close`, user, 'POST', {
      price: 25000,
      fees: 5,
      date: '2023-03-01',
    });
    expect(out.res.status, JSON.stringify(out.body)).toBe(200);
    // Proceeds 25,000 − 5 = 24,995; cost 20,010 → +4,985.
    expect(out.body.realized_pnl).toBe(4985);
    expect(out.body.realization).toMatchObject({
      quantity: 1,
      proceeds: 24995,
      cost_basis: 20010,
      method: 'wac',
    });
    expect(out.body.realization.realized_pnl_percent).toBeCloseTo((4985 / 20010) * 100, 4);
    expect(out.body.position).toMatchObject({
      id: position.id,
      quantity: 0,
      market_value: 0,
      realized_pnl: 4985,
      closed_at: '2023-03-01',
    });
    expect(out.body.transaction).toMatchObject({
      type: 'SELL',
      quantity: 1,
      price: 25000,
      fees: 5,
      date: '2023-03-01',
    });
    const complete = await callJson<Json>(`/api/v1/data/portfolio/${pf.id}/complete?sections=summary`, {
      as: user.as,
    });
    expect(complete.body.summary).toMatchObject({
      cash_balance: 24995,
      total_value: 24995,
      total_pnl: 4985,
      positions_count: 0,
    });

    const twice = await send(`/api/v1/management/positions/${position.id}/close`, user, 'POST', { price: 1 });
    expectError(twice.res, twice.body, 422, 'VALIDATION_ERROR');
  });

  it('closes at the current price when none is given (empty body)', async () => {
    const user = await signUp();
    const pf = await create(user);
    const { position } = await add(user, pf.id, {
      symbol: 'ETH',
      quantity: 1,
      entry_price: 1000,
      entry_date: '2023-01-02',
    });
    const out = await callJson<Json>(`/api/v1/management/positions/${position.id}/close`, {
      method: 'POST',
      as: user.as,
    });
    expect(out.res.status, JSON.stringify(out.body)).toBe(200);
    const eth = await env.DB.prepare(
      "SELECT q.price FROM quotes q JOIN assets a ON a.id = q.asset_id WHERE a.symbol = 'ETH'",
    ).first<{ price: number }>();
    expect(out.body.transaction.price).toBe(eth?.price);
    expect(out.body.realized_pnl).toBeCloseTo((eth?.price ?? 0) - 1000, 2);
  });
});

describe('004 management ownership', () => {
  let owner: TestUser;
  let stranger: TestUser;
  let admin: TestUser;
  let priv: string;
  let pub: string;
  let privPos: string;
  let pubPos: string;

  beforeAll(async () => {
    await seedMarket(['BTC']);
    owner = await signUp();
    stranger = await signUp();
    admin = await signUpAdmin();
    priv = (await create(owner)).id;
    pub = (await create(owner, { is_public: true })).id;
    privPos = (
      await add(owner, priv, { symbol: 'BTC', quantity: 1, entry_price: 20000, entry_date: '2023-01-02' })
    ).position.id;
    pubPos = (
      await add(owner, pub, { symbol: 'BTC', quantity: 1, entry_price: 20000, entry_date: '2023-01-02' })
    ).position.id;
  });

  const writes = (pf: string, pos: string): [string, string, unknown][] => [
    ['PUT', `/api/v1/management/portfolios/${pf}`, { name: 'Mine now' }],
    [
      'POST',
      `/api/v1/management/portfolios/${pf}/positions`,
      { symbol: 'BTC', quantity: 1, entry_price: 1, entry_date: '2023-01-03', position_type: 'SHORT' },
    ],
    ['PUT', `/api/v1/management/positions/${pos}`, { notes: 'mine' }],
    ['POST', `/api/v1/management/positions/${pos}/close`, { price: 1 }],
    ['DELETE', `/api/v1/management/portfolios/${pf}`, undefined],
  ];

  it('answers 404 to another user, to an admin, and on a public portfolio, and changes nothing', async () => {
    for (const who of [stranger, admin]) {
      for (const [pf, pos] of [
        [priv, privPos],
        [pub, pubPos],
      ] as const) {
        for (const [method, path, body] of writes(pf, pos)) {
          const { res, body: out } = await send(path, who, method, body);
          expectError(res, out, 404, 'NOT_FOUND');
        }
      }
    }
    const rows = await env.DB.prepare('SELECT name, deleted_at FROM portfolios WHERE id IN (?, ?)')
      .bind(priv, pub)
      .all();
    expect(rows.results).toEqual([
      { name: 'Mine', deleted_at: null },
      { name: 'Mine', deleted_at: null },
    ]);
    const pos = await env.DB.prepare('SELECT quantity, notes FROM positions WHERE id IN (?, ?)')
      .bind(privPos, pubPos)
      .all();
    expect(pos.results).toEqual([
      { quantity: '1', notes: null },
      { quantity: '1', notes: null },
    ]);
  });

  it('lets the owner write', async () => {
    const put = await send(`/api/v1/management/positions/${pubPos}`, owner, 'PUT', { notes: 'mine' });
    expect(put.res.status).toBe(200);
    expect(put.body.position.notes).toBe('mine');
  });

  it('answers 401 without a token', async () => {
    const { res, body } = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      body: { name: 'x' },
    });
    expectError(res, body, 401, 'AUTHENTICATION_ERROR');
  });
});
