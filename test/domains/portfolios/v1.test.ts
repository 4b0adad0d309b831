import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

/**
 * 000's portfolio surface on assets whose prices this file controls: hand-made catalog assets
 * (source 'test', so the replay clock stays on the wall clock) with known quotes and closes.
 */
const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function asset(symbol: string, type: string, quote: { price: number; previous: number }) {
  const id = `ast_t_${symbol.toLowerCase()}`;
  await env.DB.prepare('INSERT INTO assets (id, symbol, name, asset_type) VALUES (?, ?, ?, ?)')
    .bind(id, symbol, `${symbol} Test`, type)
    .run();
  await env.DB.prepare(
    `INSERT INTO quotes (asset_id, price, open_24h, change_24h, change_pct_24h, source, as_of) VALUES (?, ?, ?, ?, ?, 'test', ?)`,
  )
    .bind(id, quote.price, quote.previous, quote.price - quote.previous, 0, Date.now())
    .run();
  return id;
}

async function closes(assetId: string, rows: [string, number][]) {
  for (const [day, close] of rows) {
    await env.DB.prepare(
      `INSERT INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at)
       VALUES (?, '1d', ?, ?, ?, ?, ?, 0, 'test', 0)`,
    )
      .bind(assetId, Date.parse(`${day}T00:00:00Z`), close, close, close, close)
      .run();
  }
}

type Envelope<T> = {
  success: true;
  data: T;
  meta: { pagination?: { total: number; limit: number; offset: number } };
};
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

async function api(user: TestUser, path: string, method = 'GET', body?: unknown) {
  return callJson<Envelope<Json>>(path, { method, as: user.as, ...(body !== undefined ? { body } : {}) });
}

async function newPortfolio(user: TestUser, extra: Record<string, unknown> = {}) {
  const { res, body } = await api(user, '/api/v1/portfolios', 'POST', { name: 'Test', ...extra });
  expect(res.status).toBe(201);
  return body.data.id as string;
}

let A: string;
let B: string;
let C: string;

beforeAll(async () => {
  // A: crypto at 120 (yesterday 100). B: an ETF at 40 (yesterday 45). Their last 40 daily closes
  // move by identical returns (B = A / 2), so their correlation is exactly 1.
  A = await asset('TSTA', 'crypto', { price: 120, previous: 100 });
  B = await asset('TSTB', 'etf', { price: 40, previous: 45 });
  const days = Array.from({ length: 40 }, (_, i) => dayOf(Date.now() - (40 - i) * DAY));
  const path = days.map((d, i) => [d, 100 * (1 + 0.03 * Math.sin(i * 1.7))] as [string, number]);
  await closes(A, path);
  await closes(
    B,
    path.map(([d, v]) => [d, v / 2]),
  );
  // C: the performance example's closes, two years apart (2019-2020, before the market clock), carried forward in between.
  C = await asset('TSTC', 'crypto', { price: 120, previous: 120 });
  await closes(C, [
    ['2019-01-01', 100],
    ['2019-07-01', 110],
    // The carried-forward close, stated: the valuation series only looks 31 days back for a
    // close before its first day (reported to the lead), and the 1Y view starts here.
    ['2019-12-31', 110],
    ['2020-01-01', 99],
    ['2020-07-01', 120],
    ['2020-12-31', 120],
  ]);
});

/** The small portfolio: 10,000 deposited, 10 A at 100, 20 B at 50. */
async function smallPortfolio(user: TestUser, extra: Record<string, unknown> = {}) {
  const id = await newPortfolio(user, extra);
  const dep = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', {
    trade_type: 'add',
    quantity: 10000,
    trade_date: '2024-01-01',
  });
  expect(dep.res.status).toBe(201);
  const a = await api(user, `/api/v1/portfolios/${id}/assets`, 'POST', {
    asset_id: 'tsta',
    quantity: 10,
    entry_price: 100,
    entry_date: '2024-01-02',
    allocation_target: 10,
  });
  expect(a.res.status).toBe(201);
  const b = await api(user, `/api/v1/portfolios/${id}/assets`, 'POST', {
    asset_id: B,
    quantity: '20',
    entry_price: '50',
    entry_date: '2024-01-02',
    allocation_target: 15,
  });
  expect(b.res.status).toBe(201);
  return { id, a: a.body.data, b: b.body.data };
}

describe('000 portfolios: CRUD and list', () => {
  it('creates (201, activity recorded), lists with counts and value estimates, updates and soft-deletes', async () => {
    const user = await signUp();
    const created = await api(user, '/api/v1/portfolios', 'POST', {
      name: 'Growth',
      description: 'Long term',
      portfolio_type: 'retirement',
      cost_method: 'fifo',
      mode: 'paper',
      is_public: false,
    });
    expect(created.res.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: 'Growth',
      portfolio_type: 'retirement',
      base_currency: 'USD',
      cost_method: 'fifo',
      mode: 'paper',
      is_public: false,
      is_active: true,
      is_owner: true,
      assets_count: 0,
      total_value: 0,
    });
    expect(created.body.data.id).toMatch(/^pf_/);
    const activity = await env.DB.prepare(
      "SELECT action FROM user_activities WHERE user_id = ? AND action = 'portfolio.create'",
    )
      .bind(user.id)
      .all();
    expect(activity.results).toHaveLength(1);

    const { id } = await smallPortfolio(user);
    const list = await api(user, '/api/v1/portfolios?limit=1');
    expect(list.res.status).toBe(200);
    expect(list.body.meta.pagination).toMatchObject({ total: 2, limit: 1, offset: 0 });
    // Newest first: the small portfolio, 8,000 cash + 10 × 120 + 20 × 40 = 10,000.
    expect(list.body.data.portfolios[0]).toMatchObject({
      id,
      assets_count: 2,
      cash: 8000,
      market_value: 2000,
      total_value: 10000,
      cost_basis: 2000,
      unrealized_pnl: 0,
      valuation: 'estimate',
    });

    const put = await api(user, `/api/v1/portfolios/${created.body.data.id}`, 'PUT', {
      name: 'Renamed',
      is_active: false,
      is_public: true,
    });
    expect(put.res.status).toBe(200);
    expect(put.body.data).toMatchObject({ name: 'Renamed', is_active: false, is_public: true });
    const active = await api(user, '/api/v1/portfolios');
    expect(active.body.data.portfolios.map((p: Json) => p.id)).toEqual([id]);
    const all = await api(user, '/api/v1/portfolios?include_inactive=true');
    expect(all.body.data.portfolios).toHaveLength(2);

    const del = await api(user, `/api/v1/portfolios/${id}`, 'DELETE');
    expect(del.res.status).toBe(200);
    expect(del.body.data).toMatchObject({ id, deleted: true });
    const gone = await api(user, `/api/v1/portfolios/${id}`);
    expectError(gone.res, gone.body, 404, 'NOT_FOUND');
    const acts = await env.DB.prepare(
      "SELECT action FROM user_activities WHERE user_id = ? AND action = 'portfolio.delete'",
    )
      .bind(user.id)
      .all();
    expect(acts.results).toHaveLength(1);
  });

  it("filters the list by mode, pages it with limit and offset, and never lists another user's", async () => {
    const [user, other] = [await signUp(), await signUp()];
    await api(other, '/api/v1/portfolios', 'POST', { name: 'Not yours', mode: 'paper' });
    const ids: string[] = [];
    for (const [name, mode] of [
      ['A', 'live'],
      ['B', 'paper'],
      ['C', 'paper'],
    ] as const)
      ids.push((await api(user, '/api/v1/portfolios', 'POST', { name, mode })).body.data.id);
    const names = async (query: string) =>
      (await api(user, `/api/v1/portfolios${query}`)).body.data.portfolios.map((p: Json) => p.name);
    expect(await names('')).toEqual(['C', 'B', 'A']);
    expect(await names('?mode=paper')).toEqual(['C', 'B']);
    expect(await names('?mode=live')).toEqual(['A']);
    expect(await names('?limit=1&offset=1')).toEqual(['B']);
    const paged = await api(user, '/api/v1/portfolios?mode=paper&limit=1&offset=1');
    expect(paged.body.data.portfolios.map((p: Json) => p.name)).toEqual(['B']);
    expect(paged.body.meta.pagination).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(ids).toHaveLength(3);
  });

  it('rejects bad input in our error shape', async () => {
    const user = await signUp();
    const noName = await api(user, '/api/v1/portfolios', 'POST', { description: 'x' });
    expectError(noName.res, noName.body, 400, 'VALIDATION_ERROR');
    const chf = await api(user, '/api/v1/portfolios', 'POST', { name: 'x', base_currency: 'CHF' });
    expectError(chf.res, chf.body, 400, 'VALIDATION_ERROR');
    const extra = await api(user, '/api/v1/portfolios', 'POST', { name: 'x', owner: 'me' });
    expectError(extra.res, extra.body, 400, 'VALIDATION_ERROR');
  });
});

describe('000 portfolio detail, assets and analytics on known prices', () => {
  it('values the portfolio, breaks it down, and shows each asset with P&L and weight', async () => {
    const user = await signUp();
    const { id, a } = await smallPortfolio(user);
    expect(a).toMatchObject({
      symbol: 'TSTA',
      quantity: 10,
      entry_price: 100,
      current_price: 120,
      market_value: 1200,
    });

    const { res, body } = await api(user, `/api/v1/portfolios/${id}`);
    expect(res.status).toBe(200);
    const d = body.data;
    // A: 10 × 120 = 1,200 (cost 1,000, +200; day +10 × 20 = +200). B: 20 × 40 = 800 (cost 1,000,
    // −200; day 20 × −5 = −100). Cash 10,000 − 2,000 = 8,000. Total 10,000.
    expect(d).toMatchObject({
      valuation: 'full',
      assets_count: 2,
      cash: 8000,
      market_value: 2000,
      total_value: 10000,
      cost_basis: 2000,
      unrealized_pnl: 0,
      pnl: { unrealized_pnl: 0, realized_pnl: 0, total_pnl: 0, net_flows: 10000, day_change: 100 },
    });
    // Day change 100 on yesterday's 9,900.
    expect(d.pnl.day_change_pct).toBeCloseTo((100 / 9900) * 100, 4);
    expect(d.allocation.by_asset).toEqual({
      TSTA: { count: 1, value: 1200, percentage: 12 },
      TSTB: { count: 1, value: 800, percentage: 8 },
    });
    expect(d.allocation.by_sector).toEqual({
      Crypto: { count: 1, value: 1200, percentage: 12 },
      ETF: { count: 1, value: 800, percentage: 8 },
    });
    expect(d.allocation.by_asset_type).toMatchObject({ crypto: { value: 1200 }, etf: { value: 800 } });
    expect(d.allocation.cash_pct).toBe(80);
    // Exposures 1,200 and 800: shares 0.6 and 0.4, HHI 0.52, effective 1/0.52.
    expect(d.concentration).toMatchObject({ herfindahl_index: 0.52, largest_position_weight_pct: 60 });
    expect(d.concentration.effective_positions).toBeCloseTo(1 / 0.52, 4);
    expect(d.assets.map((x: Json) => x.symbol)).toEqual(['TSTA', 'TSTB']);
    expect(d.assets[0]).toMatchObject({
      name: 'TSTA Test',
      unrealized_pnl: 200,
      unrealized_pnl_pct: 20,
      day_change: 200,
      day_change_pct: 20,
      weight_pct: 12,
      allocation_target: 10,
      drift_pct: 2,
      entry_date: '2024-01-02',
      price_source: 'quote',
      is_open: true,
    });
    expect(d.assets[1]).toMatchObject({
      unrealized_pnl: -200,
      unrealized_pnl_pct: -20,
      weight_pct: 8,
      drift_pct: -7,
    });

    const assets = await api(user, `/api/v1/portfolios/${id}/assets?limit=1&offset=1`);
    expect(assets.res.status).toBe(200);
    expect(assets.body.meta.pagination).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(assets.body.data.assets).toHaveLength(1);
    expect(assets.body.data.assets[0]).toMatchObject({ symbol: 'TSTB', market_value: 800, total_pnl: -200 });
  });

  it('reports allocation drift, the rebalancing trades and a diversification score with its method', async () => {
    const user = await signUp();
    const { id } = await smallPortfolio(user);
    const { res, body } = await api(user, `/api/v1/portfolios/${id}/analytics`);
    expect(res.status).toBe(200);
    const an = body.data;
    expect(an.analysis_type).toBe('statistical');
    const [a, b] = an.allocation.positions;
    // A: 12% against a 10% target: 2 points over; to 1,000 it sells 200 / 120 = 1.6667 units.
    expect(a).toMatchObject({
      symbol: 'TSTA',
      exposure_pct: 12,
      target_pct: 10,
      drift_pct: 2,
      target_value: 1000,
      status: 'overweight',
    });
    expect(a.rebalance).toMatchObject({ action: 'sell', value: 200, price: 120 });
    expect(a.rebalance.quantity).toBeCloseTo(200 / 120, 6);
    // B: 8% against 15%: 7 under; to 1,500 it buys 700 / 40 = 17.5 units.
    expect(b).toMatchObject({ symbol: 'TSTB', drift_pct: -7, target_value: 1500, status: 'underweight' });
    expect(b.rebalance).toEqual({ action: 'buy', quantity: 17.5, value: 700, price: 40 });
    expect(an.allocation).toMatchObject({
      targets_set: 2,
      target_total_pct: 25,
      cash_pct: 80,
      unassigned_pct: 80,
      on_target: 0,
    });
    expect(an.allocation.turnover_to_rebalance_pct).toBeCloseTo(4.5, 6); // (2 + 7) / 2

    // Position spread 1 − 0.52 = 0.48; sectors (Crypto 0.6, ETF 0.4) likewise 0.48; A and B move
    // together (ρ = 1) so the correlation component is 0: 100 × (0.5·0.48 + 0.25·0.48 + 0.25·0) = 36.
    const div = an.diversification;
    expect(div.components.position_spread).toBeCloseTo(0.48, 9);
    expect(div.components.sector_spread).toBeCloseTo(0.48, 9);
    expect(div.average_pairwise_correlation).toBeCloseTo(1, 9);
    expect(div.correlation_pairs).toBe(1);
    expect(div.score).toBeCloseTo(36, 2);
    expect(div.method).toMatch(/Herfindahl|HHI/);
    expect(an.methodology.diversification).toBe(div.method);
  });

  it('adds, changes (by symbol, asset id or position id) and removes assets; 409 when already held', async () => {
    const user = await signUp();
    const { id, a } = await smallPortfolio(user);
    const again = await api(user, `/api/v1/portfolios/${id}/assets`, 'POST', {
      asset_id: 'TSTA',
      quantity: 1,
      entry_price: 1,
    });
    expectError(again.res, again.body, 409, 'INTEGRITY_ERROR');
    const unknown = await api(user, `/api/v1/portfolios/${id}/assets`, 'POST', {
      asset_id: 'NOPE',
      quantity: 1,
      entry_price: 1,
    });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');

    // Notes and target by symbol; entry price by asset id (the opening trade is the only one).
    const notes = await api(user, `/api/v1/portfolios/${id}/assets/tsta`, 'PUT', {
      notes: 'core',
      allocation_target: 12,
    });
    expect(notes.res.status).toBe(200);
    expect(notes.body.data).toMatchObject({ notes: 'core', allocation_target: 12, drift_pct: 0 });
    const entry = await api(user, `/api/v1/portfolios/${id}/assets/${A}`, 'PUT', { entry_price: 90 });
    expect(entry.body.data).toMatchObject({ entry_price: 90, cost_basis: 900, unrealized_pnl: 300 });
    // A new quantity is a trade of the difference at the given price: +5 at 120.
    const qty = await api(user, `/api/v1/portfolios/${id}/assets/${a.id}`, 'PUT', {
      quantity: 15,
      entry_price: 120,
    });
    expect(qty.body.data).toMatchObject({ quantity: 15, cost_basis: 1500, entry_price: 100 });
    const trades = await api(user, `/api/v1/portfolios/${id}/trades?symbol=TSTA`);
    expect(trades.body.data.trades.map((t: Json) => [t.trade_type, t.quantity, t.price])).toEqual([
      ['buy', 5, 120],
      ['buy', 10, 90],
    ]);

    const del = await api(user, `/api/v1/portfolios/${id}/assets/TSTB`, 'DELETE');
    expect(del.res.status).toBe(200);
    expect(del.body.data).toMatchObject({ symbol: 'TSTB', deleted: true });
    const again2 = await api(user, `/api/v1/portfolios/${id}/assets/TSTB`, 'DELETE');
    expectError(again2.res, again2.body, 404, 'NOT_FOUND');
    // B and its trade leave the figures: cash 10,000 − 900 − 600 = 8,500; 15 A at 120 = 1,800.
    const detail = await api(user, `/api/v1/portfolios/${id}`);
    expect(detail.body.data).toMatchObject({
      assets_count: 1,
      cash: 8500,
      market_value: 1800,
      total_value: 10300,
    });
    const withInactive = await api(user, `/api/v1/portfolios/${id}/assets?include_inactive=true`);
    expect(withInactive.body.data.assets.map((x: Json) => [x.symbol, x.is_active])).toEqual([
      ['TSTA', true],
      ['TSTB', false],
    ]);
    const acts = await env.DB.prepare(
      "SELECT action FROM user_activities WHERE user_id = ? AND action LIKE 'portfolio.asset_%'",
    )
      .bind(user.id)
      .all();
    expect(acts.results.map((r) => r.action)).toEqual(
      expect.arrayContaining(['portfolio.asset_add', 'portfolio.asset_update', 'portfolio.asset_remove']),
    );
  });
});

describe('000 trades ledger through the portfolio', () => {
  it('a backdated edit changes a later sale’s realized P&L; an edit that oversells is refused and changes nothing', async () => {
    const user = await signUp();
    const id = await newPortfolio(user);
    const post = (t: Record<string, unknown>) => api(user, `/api/v1/portfolios/${id}/trades`, 'POST', t);
    const first = await post({
      trade_type: 'buy',
      symbol: 'TSTA',
      quantity: 10,
      price: 100,
      trade_date: '2024-02-01',
    });
    expect(first.res.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.data).toMatchObject({
      trade: { trade_type: 'buy', asset_type: 'crypto', symbol: 'TSTA', quantity: 10, price: 100 },
      position: { symbol: 'TSTA', quantity: 10, avg_cost: 100 },
      realized_pnl: null,
      cash: 0, // the buy's 1,000 came in as an implicit deposit
    });
    const second = await post({
      trade_type: 'buy',
      symbol: 'TSTA',
      quantity: 10,
      price: 120,
      trade_date: '2024-02-10',
    });
    const sale = await post({
      trade_type: 'sell',
      symbol: 'TSTA',
      quantity: 15,
      price: 130,
      trade_date: '2024-03-01',
    });
    // WAC: average 110, 15 × (130 − 110) = 300.
    expect(sale.body.data).toMatchObject({
      realized_pnl: 300,
      position: { quantity: 5, avg_cost: 110 },
      cash: 1950,
    });

    const realized = async (method: string) =>
      (await api(user, `/api/v1/portfolios/${id}/realized-pnl?method=${method}`)).body.data;
    // FIFO: 10 × (130 − 100) + 5 × (130 − 120) = 350.
    expect((await realized('fifo')).total_realized_pnl).toBe(350);
    expect((await realized('wac')).total_realized_pnl).toBe(300);

    // Backdate a cheaper first buy (80): WAC average 100 → 15 × 30 = 450; FIFO 10 × 50 + 5 × 10 = 550.
    const edit = await api(user, `/api/v1/portfolios/${id}/trades/${first.body.data.trade.id}`, 'PUT', {
      price: 80,
    });
    expect(edit.res.status).toBe(200);
    const wac = await realized('wac');
    expect(wac).toMatchObject({ total_realized_pnl: 450, count: 1, method: 'wac' });
    expect(wac.realizations[0]).toMatchObject({
      symbol: 'TSTA',
      quantity: 15,
      proceeds: 1950,
      cost_basis: 1500,
      realized_pnl: 450,
    });
    const fifo = await realized('fifo');
    expect(fifo.total_realized_pnl).toBe(550);
    expect(fifo.realizations[0].lots).toEqual([
      { trade_id: first.body.data.trade.id, quantity: 10, unit_cost: 80 },
      { trade_id: second.body.data.trade.id, quantity: 5, unit_cost: 120 },
    ]);

    // Moving the second buy after the sale leaves 10 held for a sale of 15: refused, nothing changes.
    const before = await env.DB.prepare('SELECT ledger_version, cash FROM portfolios WHERE id = ?')
      .bind(id)
      .first();
    const bad = await api(user, `/api/v1/portfolios/${id}/trades/${second.body.data.trade.id}`, 'PUT', {
      trade_date: '2024-03-05',
    });
    expectError(bad.res, bad.body, 400, 'INSUFFICIENT_BALANCE');
    const after = await env.DB.prepare('SELECT ledger_version, cash FROM portfolios WHERE id = ?')
      .bind(id)
      .first();
    expect(after).toEqual(before);
    const list = await api(user, `/api/v1/portfolios/${id}/trades`);
    expect(list.body.data.trades.map((t: Json) => t.trade_date)).toEqual([
      '2024-03-01',
      '2024-02-10',
      '2024-02-01',
    ]);
    expect((await realized('wac')).total_realized_pnl).toBe(450);
    // Deleting the second buy would oversell too.
    const badDelete = await api(
      user,
      `/api/v1/portfolios/${id}/trades/${second.body.data.trade.id}`,
      'DELETE',
    );
    expectError(badDelete.res, badDelete.body, 400, 'INSUFFICIENT_BALANCE');
    // A sale beyond the holding is refused at once.
    const oversell = await post({
      trade_type: 'sell',
      symbol: 'TSTA',
      quantity: 6,
      price: 130,
      trade_date: '2024-03-02',
    });
    expectError(oversell.res, oversell.body, 400, 'INSUFFICIENT_BALANCE');

    // Filters and paging.
    const buys = await api(user, `/api/v1/portfolios/${id}/trades?trade_type=buy&limit=1`);
    expect(buys.body.meta.pagination).toMatchObject({ total: 2, limit: 1 });
    const ranged = await api(user, `/api/v1/portfolios/${id}/trades?from=2024-02-05&to=2024-02-28`);
    expect(ranged.body.data.trades.map((t: Json) => t.id)).toEqual([second.body.data.trade.id]);
    // Deleting the sale is fine; its P&L disappears.
    const del = await api(user, `/api/v1/portfolios/${id}/trades/${sale.body.data.trade.id}`, 'DELETE');
    expect(del.res.status).toBe(200);
    expect((await realized('wac')).total_realized_pnl).toBe(0);
  });

  it('records cash deposits and withdrawals, and refuses a withdrawal above the cash', async () => {
    const user = await signUp();
    const id = await newPortfolio(user);
    const dep = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', {
      trade_type: 'add',
      quantity: '250.5',
      trade_date: '2024-01-01',
    });
    expect(dep.body.data).toMatchObject({
      trade: { asset_type: 'cash', symbol: 'USD', price: 1 },
      cash: 250.5,
      position: null,
    });
    const wd = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', {
      trade_type: 'remove',
      quantity: 300,
      trade_date: '2024-01-02',
    });
    expectError(wd.res, wd.body, 400, 'INSUFFICIENT_BALANCE');
    const bad = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', {
      trade_type: 'buy',
      symbol: 'NOPE',
      quantity: 1,
      price: 1,
      trade_date: '2024-01-02',
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });
});

describe('000 performance: a worked example with cash flows', () => {
  it('computes TWR, MWR, drawdown, best/worst day and contribution as worked by hand', async () => {
    const user = await signUp();
    const id = await newPortfolio(user);
    const post = (t: Record<string, unknown>) => api(user, `/api/v1/portfolios/${id}/trades`, 'POST', t);
    // C closes: 100 (2019-01-01), 110 (2019-07-01 and 2019-12-31), 99 (2020-01-01), 120 (2020-07-01), 120 (2020-12-31).
    await post({ trade_type: 'add', quantity: 1000, trade_date: '2019-01-01' }); // deposit 1,000
    await post({ trade_type: 'buy', symbol: 'TSTC', quantity: 10, price: 100, trade_date: '2019-01-01' });
    await post({ trade_type: 'add', quantity: 500, trade_date: '2020-01-01' }); // deposit 500
    await post({ trade_type: 'buy', symbol: 'TSTC', quantity: 4, price: 120, trade_date: '2020-07-01' });
    await post({ trade_type: 'sell', symbol: 'TSTC', quantity: 4, price: 120, trade_date: '2020-12-31' });
    await post({ trade_type: 'remove', quantity: 500, trade_date: '2020-12-31' }); // withdraw 500

    const { res, body } = await api(
      user,
      `/api/v1/portfolios/${id}/performance?from=2019-01-01&to=2020-12-31`,
    );
    expect(res.status).toBe(200);
    const p = body.data;
    // Values: V(2019-01-01) = 1,000; to 2019-06-30 flat; 2019-07-01 1,100 (r = +10%);
    // 2020-01-01 10 × 99 + 500 = 1,490, the deposit earning the day: r = 1,490 / (1,100 + 500) − 1 = −6.875%;
    // 2020-07-01 14 × 120 + 20 = 1,700: r = 1,700 / 1,490 − 1 = +14.0940%;
    // 2020-12-31 10 × 120 = 1,200 after withdrawing 500 at the day's end: r = (1,200 + 500) / 1,700 − 1 = 0.
    // TWR = 1.1 × (1,490 / 1,600) × (1,700 / 1,490) − 1 = 1.1 × 1.0625 − 1 = 16.875%.
    expect(p.period).toBe('CUSTOM');
    expect(p.summary.start_value).toBe(1000);
    expect(p.summary.end_value).toBe(1200);
    expect(p.summary.net_flows).toBe(0); // +500 − 500 after the start
    expect(p.summary.gain).toBe(200);
    expect(p.summary.time_weighted_return_pct).toBeCloseTo(16.875, 4);
    // 731 daily points over 730 days: annualized √1.16875 − 1 = 8.1087%.
    expect(p.methodology.data_points).toBe(731);
    expect(p.summary.time_weighted_return_annualized_pct).toBeCloseTo((Math.sqrt(1.16875) - 1) * 100, 3);
    // MWR: −1,000 at t = 0, −500 at t = 1 year (365 days), +500 + 1,200 at t = 2 years (730 days):
    // 1,000 g² + 500 g − 1,700 = 0 with g = 1 + r → g = (−500 + √7,050,000) / 2,000 = 1.0775918 → 7.7592%.
    const g = (-500 + Math.sqrt(7_050_000)) / 2000;
    expect(p.summary.money_weighted_return_pct).toBeCloseTo((g - 1) * 100, 3);
    // Wealth index 1 → 1.1 → 1.024375: drawdown −6.875% from 2019-07-01 to 2020-01-01.
    expect(p.summary.max_drawdown.pct).toBeCloseTo(-6.875, 4);
    expect(p.summary.max_drawdown).toMatchObject({ peak_date: '2019-07-01', trough_date: '2020-01-01' });
    expect(p.summary.best_day.date).toBe('2020-07-01');
    expect(p.summary.best_day.return_pct).toBeCloseTo((1700 / 1490 - 1) * 100, 4);
    expect(p.summary.worst_day).toMatchObject({ date: '2020-01-01', return_pct: -6.875 });
    expect(p.summary.volatility_annualized_pct).toBeGreaterThan(0);
    const point = (d: string) => p.points.find((x: Json) => x.date === d);
    expect(point('2020-01-01')).toMatchObject({ value: 1490, cash: 500, invested: 990, net_flow: 500 });
    expect(point('2020-07-01')).toMatchObject({ value: 1700, cash: 20, invested: 1680 });
    expect(point('2020-12-31')).toMatchObject({ value: 1200, net_flow: -500, cumulative_return_pct: 16.875 });
    // Contribution: C was worth 1,000 at the start and 1,200 at the end; its trades in between
    // moved −480 + 480 = 0 cash: +200, all of the gain.
    expect(p.contributions).toEqual([
      {
        position_id: expect.stringMatching(/^pos_/),
        symbol: 'TSTC',
        start_value: 1000,
        end_value: 1200,
        net_cash: 0,
        pnl: 200,
        share_of_gain_pct: 100,
      },
    ]);
    expect(p.methodology).toMatchObject({ periods_per_year: 365, as_of: '2020-12-31T23:59:59.999Z' });

    // A period ending on a day: 1Y back from 2020-12-31 starts at 2019-12-31 (value 1,100).
    const year = await api(user, `/api/v1/portfolios/${id}/performance?period=1Y&to=2020-12-31`);
    expect(year.body.data).toMatchObject({ period: '1Y', from: '2019-12-31', to: '2020-12-31' });
    expect(year.body.data.summary.time_weighted_return_pct).toBeCloseTo((1.0625 - 1) * 100, 4);
    const bad = await api(user, `/api/v1/portfolios/${id}/performance?from=2020-02-01&to=2020-01-01`);
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const badPeriod = await api(user, `/api/v1/portfolios/${id}/performance?period=2W`);
    expectError(badPeriod.res, badPeriod.body, 400, 'VALIDATION_ERROR');
  });
});

describe('000 portfolio ownership', () => {
  it('answers 404 to other users, lets admins read any, and lets others read public portfolios but never change them', async () => {
    const owner = await signUp();
    const other = await signUp();
    const admin = await signUpAdmin();
    const { id } = await smallPortfolio(owner);
    const trade = (await api(owner, `/api/v1/portfolios/${id}/trades`)).body.data.trades[0].id as string;
    const base = `/api/v1/portfolios/${id}`;
    const reads = [
      base,
      `${base}/assets`,
      `${base}/analytics`,
      `${base}/performance?period=ALL`,
      `${base}/trades`,
      `${base}/realized-pnl`,
    ];
    const writes: [string, string, unknown?][] = [
      ['PUT', base, { name: 'mine now' }],
      ['DELETE', base],
      ['POST', `${base}/assets`, { asset_id: 'TSTC', quantity: 1, entry_price: 1 }],
      ['PUT', `${base}/assets/TSTA`, { notes: 'x' }],
      ['DELETE', `${base}/assets/TSTA`],
      ['POST', `${base}/trades`, { trade_type: 'add', quantity: 1, trade_date: '2024-01-01' }],
      ['PUT', `${base}/trades/${trade}`, { price: 1 }],
      ['DELETE', `${base}/trades/${trade}`],
    ];
    for (const path of reads) {
      const mine = await api(owner, path);
      expect(mine.res.status, path).toBe(200);
      const theirs = await api(other, path);
      expectError(theirs.res, theirs.body, 404, 'NOT_FOUND');
      const asAdmin = await api(admin, path);
      expect(asAdmin.res.status, path).toBe(200);
    }
    for (const [method, path, body] of writes) {
      for (const who of [other, admin]) {
        const r = await api(who, path, method, body);
        expectError(r.res, r.body, 404, 'NOT_FOUND');
      }
    }
    // A trade id of another portfolio, and a position id of another portfolio, are not found here.
    const mineToo = await smallPortfolio(other);
    const cross = await api(other, `/api/v1/portfolios/${mineToo.id}/trades/${trade}`, 'PUT', { price: 2 });
    expectError(cross.res, cross.body, 404, 'NOT_FOUND');
    const crossPos = await api(owner, `${base}/assets/${mineToo.a.id}`, 'PUT', { notes: 'x' });
    expectError(crossPos.res, crossPos.body, 404, 'NOT_FOUND');

    // Public: readable by anyone signed in, writable by nobody but the owner.
    await api(owner, base, 'PUT', { is_public: true });
    for (const path of reads) {
      const r = await api(other, path);
      expect(r.res.status, path).toBe(200);
    }
    const detail = await api(other, base);
    expect(detail.body.data).toMatchObject({ is_public: true, is_owner: false });
    for (const [method, path, body] of writes) {
      const r = await api(other, path, method, body);
      expectError(r.res, r.body, 404, 'NOT_FOUND');
    }
    // Nothing the others tried changed anything.
    const after = await api(owner, base);
    expect(after.body.data).toMatchObject({ name: 'Test', assets_count: 2 });
    // And the public portfolio is not in the other user's list.
    const list = await api(other, '/api/v1/portfolios');
    expect(list.body.data.portfolios.map((p: Json) => p.id)).not.toContain(id);
  });

  it('documents every 000 portfolio route in /openapi.json: writes behind bearer auth, reads of one portfolio optionally', async () => {
    const { res, body } = await callJson<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>(
      '/openapi.json',
    );
    expect(res.status).toBe(200);
    const ours = Object.entries(body.paths).filter(([p]) => p.startsWith('/api/v1/portfolios'));
    const ops = ours.flatMap(([p, methods]) =>
      Object.entries(methods).map(([m, op]) => [`${m} ${p}`, op] as const),
    );
    // The lead's CSV import/export live under the same prefix; these are this surface's.
    expect(ops.map(([k]) => k)).toEqual(
      expect.arrayContaining([
        'get /api/v1/portfolios',
        'post /api/v1/portfolios',
        'get /api/v1/portfolios/{portfolio_id}',
        'put /api/v1/portfolios/{portfolio_id}',
        'delete /api/v1/portfolios/{portfolio_id}',
        'get /api/v1/portfolios/{portfolio_id}/assets',
        'post /api/v1/portfolios/{portfolio_id}/assets',
        'put /api/v1/portfolios/{portfolio_id}/assets/{asset_id}',
        'delete /api/v1/portfolios/{portfolio_id}/assets/{asset_id}',
        'get /api/v1/portfolios/{portfolio_id}/analytics',
        'get /api/v1/portfolios/{portfolio_id}/performance',
        'get /api/v1/portfolios/{portfolio_id}/trades',
        'post /api/v1/portfolios/{portfolio_id}/trades',
        'put /api/v1/portfolios/{portfolio_id}/trades/{trade_id}',
        'delete /api/v1/portfolios/{portfolio_id}/trades/{trade_id}',
        'get /api/v1/portfolios/{portfolio_id}/realized-pnl',
      ]),
    );
    // Reads of one portfolio take a token but do not need one (public portfolios); the rest need one.
    for (const [key, op] of ops) {
      const publicRead = key.startsWith('get /api/v1/portfolios/{portfolio_id}');
      expect(op.security, key).toEqual(publicRead ? [{ bearerAuth: [] }, {}] : [{ bearerAuth: [] }]);
    }
  });

  it('requires a signed-in caller', async () => {
    const { res, body } = await callJson('/api/v1/portfolios');
    expectError(res, body, 401, 'AUTHENTICATION_ERROR');
  });
});
