import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

interface Trade {
  id: string;
  trade_type: string;
  symbol: string;
  quantity: number;
  holding_id: string | null;
}

const trade = (user: TestUser, body: Record<string, unknown>) =>
  callJson<{ success: boolean; trade: Trade }>('/api/user/trades', { method: 'POST', as: user.as, body });

/**
 * The worked example (BTC closes are the shipped history's):
 *   2023-12-01 deposit 10,000; buy 0.2 @ 38,000 + 4 fee  → cash 2,396, lot 1 at 38,020/BTC
 *   2023-12-05 buy 0.1 @ 44,000 (cash short by 2,004: an implicit deposit) → cash 0
 *   2023-12-10 sell 0.15 @ 43,000 − 3 fee → proceeds 6,447
 *     WAC: 12,004 for 0.3 → 40,013.33…/BTC; cost removed 6,002 → realized 445
 *     FIFO: 0.15 of lot 1 at 38,020 → cost 5,703 → realized 744
 *   held 0.15 BTC: WAC basis 6,002; FIFO basis 0.05·38,020 + 4,400 = 6,301; cash 6,447
 */
async function workedExample(user: TestUser) {
  const deposit = await trade(user, {
    assetType: 'cash',
    tradeType: 'deposit',
    quantity: 10000,
    tradeDate: '2023-12-01',
  });
  const buy1 = await trade(user, {
    assetType: 'crypto',
    symbol: 'BTC',
    tradeType: 'buy',
    quantity: 0.2,
    price: 38000,
    fees: 4,
    tradeDate: '2023-12-01',
  });
  const buy2 = await trade(user, {
    assetType: 'crypto',
    symbol: 'btc',
    tradeType: 'buy',
    quantity: '0.1',
    price: '44000',
    tradeDate: '2023-12-05',
  });
  const sell = await trade(user, {
    assetType: 'crypto',
    symbol: 'BTC',
    tradeType: 'sell',
    quantity: 0.15,
    price: 43000,
    fees: 3,
    tradeDate: '2023-12-10',
  });
  for (const r of [deposit, buy1, buy2, sell]) expect(r.res.status).toBe(201);
  return { deposit: deposit.body.trade, buy1: buy1.body.trade, buy2: buy2.body.trade, sell: sell.body.trade };
}

interface Holdings {
  holdings: {
    id: string;
    symbol: string;
    quantity: number;
    avg_purchase_price: number;
    total_invested: number;
    current_price: number;
    current_value: number;
    unrealized_pnl: number;
    realized_pnl: number;
    price_source: string;
  }[];
  cash: number;
  total_value: number;
  method: string;
}

describe('003 trades ledger, holdings, history and realized P&L', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  it('derives holdings and cash from the ledger, by weighted average and by FIFO', async () => {
    const user = await signUp();
    const t = await workedExample(user);
    expect(t.buy2.symbol).toBe('BTC');
    expect(t.buy2.holding_id).toBe(t.buy1.holding_id);
    expect(t.deposit.holding_id).toBeNull();

    const { body: list, res } = await callJson<{ success: boolean; trades: Trade[]; total: number }>(
      '/api/user/trades?limit=2',
      { as: user.as },
    );
    expect(list.success).toBe(true);
    expect(list.total).toBe(4);
    expect(list.trades.map((x) => x.trade_type)).toEqual(['sell', 'buy']);
    expect(res.headers.get('X-Total-Count')).toBe('4');

    const { body: wac } = await callJson<Holdings>('/api/user/holdings', { as: user.as });
    expect(wac.method).toBe('wac');
    expect(wac.cash).toBe(6447);
    const [btc] = wac.holdings;
    expect(btc).toMatchObject({
      symbol: 'BTC',
      quantity: 0.15,
      total_invested: 6002,
      realized_pnl: 445,
      price_source: 'quote',
    });
    expect(btc?.avg_purchase_price).toBeCloseTo(40013.33333333, 6);
    expect(btc?.current_value).toBeCloseTo(0.15 * (btc?.current_price ?? 0), 2);
    expect(wac.total_value).toBeCloseTo(6447 + (btc?.current_value ?? 0), 2);

    const { body: fifo } = await callJson<Holdings>('/api/user/holdings?method=fifo', { as: user.as });
    expect(fifo.holdings[0]).toMatchObject({ total_invested: 6301, realized_pnl: 744 });

    const { body: realized } = await callJson<{
      realizedPnl: {
        trade_id: string;
        realized_pnl: number;
        proceeds: number;
        cost_basis: number;
        lots?: unknown[];
      }[];
      total_realized_pnl: number;
    }>('/api/user/realized-pnl?method=fifo', { as: user.as });
    expect(realized.realizedPnl).toEqual([
      expect.objectContaining({
        trade_id: t.sell.id,
        proceeds: 6447,
        cost_basis: 5703,
        realized_pnl: 744,
        lots: [{ trade_id: t.buy1.id, quantity: 0.15, unit_cost: 38020 }],
      }),
    ]);
    expect(realized.total_realized_pnl).toBe(744);
  });

  it('values every day from the ledger and the real closes, with flows on their days', async () => {
    const user = await signUp();
    await workedExample(user);
    const { body } = await callJson<{
      history: { date: string; totalValue: number; cash: number; investedValue: number; netFlow: number }[];
      performance: { time_weighted_return: number | null };
    }>('/api/user/portfolio/history?range=ALL', { as: user.as });
    const byDate = new Map(body.history.map((p) => [p.date, p]));
    expect(body.history[0]?.date).toBe('2023-12-01');
    // Every calendar day from the first trade to the replay's today (2024-01-01 in tests).
    expect(body.history.length).toBe(32);
    // 0.2 BTC at the 2023-12-01 close (38,688.75) plus 2,396 cash.
    expect(byDate.get('2023-12-01')?.totalValue).toBeCloseTo(0.2 * 38688.75 + 2396, 2);
    expect(byDate.get('2023-12-05')).toMatchObject({ netFlow: 2004, cash: 0 });
    expect(byDate.get('2023-12-05')?.investedValue).toBeCloseTo(0.3 * 44080.6484375, 2);
    // 2024-01-01 has not closed at the clock's now: it is valued at the last close seen (2023-12-31).
    expect(byDate.get('2024-01-01')?.totalValue).toBeCloseTo(0.15 * 42265.1875 + 6447, 2);
    expect(body.performance.time_weighted_return).not.toBeNull();

    const { body: month } = await callJson<{ history: unknown[] }>('/api/user/portfolio/history', {
      as: user.as,
    });
    expect(month.history.length).toBe(31);
  });

  it('recomputes everything after a backdated edit, and refuses one that oversells later', async () => {
    const user = await signUp();
    const t = await workedExample(user);
    // 0.05 + 0.1 held on the 10th: the sale of 0.15 still fits, and now closes the position.
    const edited = await callJson(`/api/user/trades/${t.buy1.id}`, {
      method: 'PUT',
      as: user.as,
      body: { quantity: 0.05 },
    });
    expect(edited.res.status).toBe(200);
    const { body: after } = await callJson<Holdings>('/api/user/holdings', { as: user.as });
    expect(after.holdings).toEqual([]);

    const refused = await callJson(`/api/user/trades/${t.buy1.id}`, {
      method: 'PUT',
      as: user.as,
      body: { quantity: 0.04 },
    });
    expectError(refused.res, refused.body, 400, 'INSUFFICIENT_BALANCE');
    expect(refused.body).toMatchObject({
      error: { details: { trade_id: t.sell.id, held: '0.14', requested: '0.15' } },
    });
    const gone = await callJson(`/api/user/trades/${t.buy2.id}`, { method: 'DELETE', as: user.as });
    expectError(gone.res, gone.body, 400, 'INSUFFICIENT_BALANCE');

    const { body: realized } = await callJson<{ realizedPnl: { realized_pnl: number }[] }>(
      '/api/user/realized-pnl',
      {
        as: user.as,
      },
    );
    // WAC after the edit: (1,904 + 4,400)/0.15 per BTC, all sold: 6,447 − 6,304 = 143.
    expect(realized.realizedPnl[0]?.realized_pnl).toBeCloseTo(143, 8);

    const deleted = await callJson(`/api/user/trades/${t.sell.id}`, { method: 'DELETE', as: user.as });
    expect(deleted.res.status).toBe(200);
    const { body: held } = await callJson<Holdings>('/api/user/holdings', { as: user.as });
    expect(held.holdings[0]?.quantity).toBe(0.15);
  });

  it('rejects bad input in our error shape and changes nothing', async () => {
    const user = await signUp();
    const cases: Record<string, unknown>[] = [
      { assetType: 'crypto', symbol: 'BTC', tradeType: 'buy', quantity: -1, price: 100 },
      { assetType: 'crypto', symbol: 'BTC', tradeType: 'buy', quantity: 1, price: '1e5' },
      { assetType: 'crypto', symbol: 'BTC', tradeType: 'short', quantity: 1, price: 1 },
      { assetType: 'bonds', symbol: 'BTC', tradeType: 'buy', quantity: 1, price: 1 },
      {
        assetType: 'crypto',
        symbol: 'BTC',
        tradeType: 'buy',
        quantity: 1,
        price: 1,
        tradeDate: '2023-02-30',
      },
      { assetType: 'crypto', symbol: 'BTC', tradeType: 'buy', quantity: 1, price: 1, role: 'admin' },
    ];
    for (const body of cases) {
      const r = await trade(user, body);
      expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    }
    const sell = await trade(user, {
      assetType: 'crypto',
      symbol: 'ETH',
      tradeType: 'sell',
      quantity: 1,
      price: 2000,
    });
    expectError(sell.res, sell.body, 400, 'INSUFFICIENT_BALANCE');
    const withdraw = await trade(user, { assetType: 'cash', tradeType: 'withdraw', quantity: 5 });
    expectError(withdraw.res, withdraw.body, 400, 'INSUFFICIENT_BALANCE');
    const { body } = await callJson<{ total: number }>('/api/user/trades', { as: user.as });
    expect(body.total).toBe(0);
  });

  it("answers 404 for another user's trade and keeps each user's ledger apart", async () => {
    const owner = await signUp();
    const other = await signUp();
    const t = await workedExample(owner);
    for (const method of ['PUT', 'DELETE']) {
      const r = await callJson(`/api/user/trades/${t.sell.id}`, {
        method,
        as: other.as,
        body: method === 'PUT' ? { quantity: 1 } : undefined,
      });
      expectError(r.res, r.body, 404, 'NOT_FOUND');
    }
    const { body } = await callJson<Holdings>('/api/user/holdings', { as: other.as });
    expect(body.holdings).toEqual([]);
    const admin = await signUpAdmin();
    const r = await callJson(`/api/user/trades/${t.sell.id}`, { method: 'DELETE', as: admin.as });
    expectError(r.res, r.body, 404, 'NOT_FOUND');
  });
});

describe('trades CSV export, import and dry run', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  const csv = (text: string, user: TestUser, path: string) =>
    callJson<{
      dry_run: boolean;
      total_rows: number;
      accepted: number;
      rejected: { line: number; reasons: string[] }[];
      new_positions: string[];
      trade_ids: string[];
      warnings: string[];
    }>(path, { method: 'POST', as: user.as, body: text, headers: { 'Content-Type': 'text/csv' } });

  it('dry-runs, then imports, reporting every rejected row and why', async () => {
    const user = await signUp();
    const file = [
      'date,type,asset_type,symbol,quantity,price,fees,notes',
      '2023-12-01,deposit,cash,,5000,,,"funding, first"',
      '2023-12-02,buy,crypto,ETH,1.5,2100,1.5,',
      '2023-12-03,buy,crypto,ETH,-1,2100,,negative',
      '2023-12-04,sell,crypto,ETH,2,2200,,more than held',
      '2023-12-05,sell,crypto,ETH,0.5,2250,0.5,',
    ].join('\n');
    const dry = await csv(file, user, '/api/user/trades/import?dry_run=true');
    expect(dry.res.status).toBe(200);
    expect(dry.body).toMatchObject({
      dry_run: true,
      total_rows: 5,
      accepted: 3,
      new_positions: ['ETH'],
      trade_ids: [],
    });
    expect(dry.body.rejected.map((r) => r.line)).toEqual([4, 5]);
    expect(dry.body.rejected[0]?.reasons.join(' ')).toMatch(/quantity/);
    expect(dry.body.rejected[1]?.reasons.join(' ')).toMatch(/sells 2 but only 1\.5 is held/);
    expect((await callJson<{ total: number }>('/api/user/trades', { as: user.as })).body.total).toBe(0);

    const done = await csv(file, user, '/api/user/trades/import');
    expect(done.body).toMatchObject({ dry_run: false, accepted: 3 });
    expect(done.body.trade_ids).toHaveLength(3);
    const { body: holdings } = await callJson<Holdings>('/api/user/holdings', { as: user.as });
    expect(holdings.holdings[0]).toMatchObject({ symbol: 'ETH', quantity: 1 });
    // 5,000 − 3,151.5 + 1,124.5 = 2,973
    expect(holdings.cash).toBe(2973);

    const again = await csv(file, user, '/api/user/trades/import?dry_run=true');
    expect(again.body.warnings.join(' ')).toMatch(/repeat trades already in the ledger/);
  });

  it('exports a ledger that re-imports to the same holdings, and refuses a broken file whole', async () => {
    const owner = await signUp();
    await workedExample(owner);
    const res = await call('/api/user/trades/export', { as: owner.as });
    expect(res.headers.get('Content-Type')).toMatch(/text\/csv/);
    const text = await res.text();
    expect(text.split(/\r?\n/)[0]).toMatch(/^date,type,asset_type,symbol,quantity,price,fees/);

    const copy = await signUp();
    const imported = await csv(text, copy, '/api/user/trades/import');
    expect(imported.body.accepted).toBe(4);
    const [a, b] = await Promise.all(
      [owner, copy].map(async (u) => (await callJson<Holdings>('/api/user/holdings', { as: u.as })).body),
    );
    expect(b?.holdings.map((h) => [h.symbol, h.quantity, h.total_invested])).toEqual(
      a?.holdings.map((h) => [h.symbol, h.quantity, h.total_invested]),
    );
    expect(b?.cash).toBe(a?.cash);

    const broken = await csv('symbol,price\nBTC,1', copy, '/api/user/trades/import');
    expectError(broken.res, broken.body, 400, 'VALIDATION_ERROR');
  });

  it("imports into a named portfolio and never into another user's", async () => {
    const owner = await signUp();
    const other = await signUp();
    const { body: created } = await callJson<{ data: { id: string } }>('/api/v1/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Imported' },
    });
    const id = created.data.id;
    const file = 'date,type,asset_type,symbol,quantity,price\n2023-12-02,buy,crypto,BTC,0.1,39000\n';
    const refused = await csv(file, other, `/api/v1/portfolios/${id}/trades/import`);
    expectError(refused.res, refused.body, 404, 'NOT_FOUND');
    const exported = await callJson(`/api/v1/portfolios/${id}/trades/export`, { as: other.as });
    expectError(exported.res, exported.body, 404, 'NOT_FOUND');
    const ok = await callJson<{ success: boolean; data: { accepted: number } }>(
      `/api/v1/portfolios/${id}/trades/import`,
      {
        method: 'POST',
        as: owner.as,
        body: file,
        headers: { 'Content-Type': 'text/csv' },
      },
    );
    expect(ok.body).toMatchObject({ success: true, data: { accepted: 1 } });
    const text = await (await call(`/api/v1/portfolios/${id}/trades/export`, { as: owner.as })).text();
    expect(text).toContain('2023-12-02,buy,crypto,BTC,0.1,39000');
  });

  it('imports the same file once: a repeat answers the first report and records nothing', async () => {
    const user = await signUp();
    const file = [
      'date,type,asset_type,symbol,quantity,price,fees,notes',
      '2023-12-01,deposit,cash,,5000,,,',
      '2023-12-02,buy,crypto,ETH,1,2100,1,',
      '2023-12-04,sell,crypto,ETH,5,2200,,more than held',
    ].join('\n');
    const first = await csv(file, user, '/api/user/trades/import');
    expect(first.body).toMatchObject({ dry_run: false, accepted: 2 });
    const commits = async () =>
      (
        await env.DB.prepare(
          "SELECT COUNT(*) AS n FROM ledger_commits WHERE user_id = ? AND action = 'trades.import'",
        )
          .bind(user.id)
          .first<{ n: number }>()
      )?.n;
    expect(await commits()).toBe(1);

    const second = await csv(file, user, '/api/user/trades/import');
    expect(second.res.status).toBe(200);
    const { warnings, ...rest } = second.body;
    const { warnings: firstWarnings, ...firstRest } = first.body;
    expect(rest).toEqual(firstRest);
    expect(warnings.slice(0, firstWarnings.length)).toEqual(firstWarnings);
    expect(warnings.at(-1)).toMatch(/already imported into this portfolio at .*nothing was recorded again/);
    expect((await callJson<{ total: number }>('/api/user/trades', { as: user.as })).body.total).toBe(2);
    expect(await commits()).toBe(1);
    // A dry run of it says so too; a changed file imports.
    const dry = await csv(file, user, '/api/user/trades/import?dry_run=true');
    expect(dry.body.warnings.join(' ')).toMatch(/already imported/);
    const changed = await csv(
      `${file}\n2023-12-05,buy,crypto,ETH,0.5,2150,,`,
      user,
      '/api/user/trades/import',
    );
    expect(changed.body.trade_ids).toHaveLength(3);
  });

  it('imports the same file posted twice at once only once', async () => {
    const user = await signUp();
    const file = 'date,type,asset_type,symbol,quantity,price\n2023-12-02,buy,crypto,BTC,0.1,39000\n';
    const [a, b] = await Promise.all([
      csv(file, user, '/api/user/trades/import'),
      csv(file, user, '/api/user/trades/import'),
    ]);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    expect(a.body.trade_ids).toEqual(b.body.trade_ids);
    expect((await callJson<{ total: number }>('/api/user/trades', { as: user.as })).body.total).toBe(1);
  });

  it('the trades routes accept exactly the symbols the importer does, so every export re-imports', async () => {
    const user = await signUp();
    const { body: created } = await callJson<{ data: { id: string } }>('/api/v1/portfolios', {
      method: 'POST',
      as: user.as,
      body: { name: 'Symbols' },
    });
    const id = created.data.id;
    for (const symbol of ['BT C', '$BTC', '-BTC', '^GSPC', 'X'.repeat(33), 'BTC;DROP', '=1+1']) {
      const v1 = await callJson(`/api/v1/portfolios/${id}/trades`, {
        method: 'POST',
        as: user.as,
        body: { trade_type: 'buy', symbol, quantity: 1, price: 1, trade_date: '2023-12-02' },
      });
      expectError(v1.res, v1.body, 400, 'VALIDATION_ERROR');
      const tracker = await trade(user, {
        assetType: 'us-equity',
        symbol,
        tradeType: 'buy',
        quantity: 1,
        price: 1,
        tradeDate: '2023-12-02',
      });
      expectError(tracker.res, tracker.body, 400, 'VALIDATION_ERROR');
    }
    // Unusual but valid symbols round-trip through export and import.
    for (const symbol of ['brk.b', 'ES=F', 'EUR/JPY', 'X'.repeat(32)]) {
      const ok = await trade(user, {
        assetType: 'us-equity',
        symbol,
        tradeType: 'buy',
        quantity: 1,
        price: 10,
        tradeDate: '2023-12-02',
        notes: ' =1+1',
      });
      expect(ok.res.status, JSON.stringify(ok.body)).toBe(201);
    }
    const text = await (await call('/api/user/trades/export', { as: user.as })).text();
    expect(text).toContain(",' =1+1\r\n");
    const copy = await signUp();
    const imported = await csv(text, copy, '/api/user/trades/import');
    expect(imported.body.rejected).toEqual([]);
    expect(imported.body.accepted).toBe(4);
    const again = await (await call('/api/user/trades/export', { as: copy.as })).text();
    expect(again).toBe(text);
  });
});

describe('002 trading: portfolio by mode and manual trades', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  it('records paper trades in their own portfolio and reports it by mode', async () => {
    const user = await signUp();
    const buy = await callJson<{
      id: string;
      symbol: string;
      side: string;
      amount: number;
      mode: string;
      pnl: number;
    }>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'BTC/USD', side: 'buy', amount: 0.01, price: 40000, mode: 'paper' },
    });
    expect(buy.res.status).toBe(201);
    expect(buy.body).toMatchObject({ symbol: 'BTC/USD', side: 'buy', amount: 0.01, mode: 'paper', pnl: 0 });
    const sell = await callJson<{ pnl: number }>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'BTC/USD', side: 'sell', amount: 0.004, price: 45000, mode: 'paper' },
    });
    expect(sell.body.pnl).toBeCloseTo(20, 8); // 0.004 × (45,000 − 40,000)

    const { body: paper } = await callJson<{
      totalValue: number;
      availableBalance: number;
      positions: { symbol: string; amount: number; avgPrice: number; currentPrice: number; pnl: number }[];
      performance: { daily: number | null };
    }>('/api/portfolio/paper', { as: user.as });
    expect(paper.availableBalance).toBe(180);
    expect(paper.positions).toEqual([
      expect.objectContaining({ symbol: 'BTC/USD', amount: 0.006, avgPrice: 40000 }),
    ]);
    expect(paper.totalValue).toBeCloseTo(180 + 0.006 * (paper.positions[0]?.currentPrice ?? 0), 2);
    const { body: live } = await callJson<{ totalValue: number; positions: unknown[] }>(
      '/api/portfolio/live',
      { as: user.as },
    );
    expect(live).toMatchObject({ totalValue: 0, positions: [] });

    const res = await call('/api/trades?mode=paper&limit=1', { as: user.as });
    expect(res.headers.get('X-Total-Count')).toBe('2');
    const rows = (await res.json()) as { side: string; pnl: number }[];
    expect(rows).toEqual([expect.objectContaining({ side: 'sell', pnl: 20 })]);
    const v2 = await callJson<{ success: boolean; data: { totalValue: number } }>('/api/v2/portfolio/paper', {
      as: user.as,
    });
    expect(v2.body.success).toBe(true);
    expect(v2.body.data.totalValue).toBe(paper.totalValue);
  });

  it('refuses overselling, unknown symbols, unknown bots and bad modes', async () => {
    const user = await signUp();
    const over = await callJson('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'ETH/USD', side: 'sell', amount: 1, price: 2000 },
    });
    expectError(over.res, over.body, 400, 'INSUFFICIENT_BALANCE');
    const unknown = await callJson('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'NOPE/USD', side: 'buy', amount: 1, price: 1 },
    });
    expectError(unknown.res, unknown.body, 400, 'INVALID_SYMBOL');
    const bot = await callJson('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { botId: 'bot_someone_elses', symbol: 'BTC/USD', side: 'buy', amount: 1, price: 1 },
    });
    expectError(bot.res, bot.body, 404, 'NOT_FOUND');
    const mode = await callJson('/api/portfolio/margin', { as: user.as });
    expectError(mode.res, mode.body, 400, 'VALIDATION_ERROR');
  });
});
