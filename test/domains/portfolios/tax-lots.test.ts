import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { D } from '../../../src/domains/portfolios/ledger';
import { lotReport } from '../../../src/domains/portfolios/lots';
import { call, callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp, type TestUser } from '../../helpers/users';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

async function api(user: TestUser, path: string, method = 'GET', body?: unknown) {
  return callJson<{ data: Json }>(path, { method, as: user.as, ...(body !== undefined ? { body } : {}) });
}

beforeAll(async () => {
  await env.DB.prepare('INSERT INTO assets (id, symbol, name, asset_type) VALUES (?, ?, ?, ?)')
    .bind('ast_t_ltx', 'LTX', 'LTX Test', 'crypto')
    .run();
});

/**
 * Three lots of LTX: A 1 @ 100 + fee 2 (2020-01-01, cost 102), B 1 @ 300 (2020-06-01, cost
 * 300), C 1 @ 200 + fee 1 (2021-03-01, cost 201); a sale of 1.5 @ 400 − fee 3 = 597 on
 * 2021-04-01; a 2:1 split on 2021-05-01; a sale of 1 @ 250 on 2022-06-01.
 */
async function ledger(user: TestUser) {
  const created = await api(user, '/api/v1/portfolios', 'POST', { name: 'Lots' });
  const id = created.body.data.id as string;
  const post = async (t: Record<string, unknown>) => {
    const r = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', t);
    expect(r.res.status, JSON.stringify(r.body)).toBe(201);
    return r.body.data.trade?.id ?? r.body.data.id;
  };
  await post({ trade_type: 'add', quantity: 10000, trade_date: '2020-01-01' });
  const a = await post({
    trade_type: 'buy',
    symbol: 'LTX',
    quantity: 1,
    price: 100,
    fees: 2,
    trade_date: '2020-01-01',
  });
  await post({ trade_type: 'buy', symbol: 'LTX', quantity: 1, price: 300, trade_date: '2020-06-01' });
  const c = await post({
    trade_type: 'buy',
    symbol: 'LTX',
    quantity: 1,
    price: 200,
    fees: 1,
    trade_date: '2021-03-01',
  });
  return { id, a, c, post };
}

describe('000 realized gains by tax lot', () => {
  it('FIFO, LIFO, HIFO, average and specific identification differ where they should and agree on totals', async () => {
    const user = await signUp();
    const { id, a, c, post } = await ledger(user);
    expect(a).toMatch(/^trd_/);
    // Specific identification: the sale names 0.5 of C and 1 of A.
    await post({
      trade_type: 'sell',
      symbol: 'LTX',
      quantity: 1.5,
      price: 400,
      fees: 3,
      trade_date: '2021-04-01',
      lots: [
        { trade_id: c, quantity: 0.5 },
        { trade_id: a, quantity: 1 },
      ],
    });
    await post({ trade_type: 'split', symbol: 'LTX', quantity: 2, trade_date: '2021-05-01' });
    await post({ trade_type: 'sell', symbol: 'LTX', quantity: 1, price: 250, trade_date: '2022-06-01' });

    const get = async (q: string) => {
      const r = await api(user, `/api/v1/portfolios/${id}/realized-gains?${q}`);
      expect(r.res.status, JSON.stringify(r.body)).toBe(200);
      return r.body.data;
    };
    const fifo = await get('method=fifo&year=2021');
    // FIFO: A (1, 102, held 456 days: long) and 0.5 of B (150, 304 days: short); proceeds 597 split 398 / 199.
    expect(fifo.realizations).toEqual([
      expect.objectContaining({
        lot_trade_id: a,
        quantity: '1',
        proceeds: 398,
        cost_basis: 102,
        gain: 296,
        term: 'long',
        holding_days: 456,
      }),
      expect.objectContaining({
        date_acquired: '2020-06-01',
        quantity: '0.5',
        proceeds: 199,
        cost_basis: 150,
        gain: 49,
        term: 'short',
      }),
    ]);
    expect(fifo.years).toEqual([
      {
        year: 2021,
        count: 2,
        proceeds: 597,
        cost_basis: 252,
        short_term_gain: 49,
        long_term_gain: 296,
        gain: 345,
      },
    ]);
    const gain2021 = async (m: string) => (await get(`method=${m}&year=2021`)).totals.gain;
    expect(await gain2021('lifo')).toBe(597 - 201 - 150); // C then half of B
    expect(await gain2021('hifo')).toBe(597 - 300 - 100.5); // B then half of C
    expect(await gain2021('average')).toBe(597 - 1.5 * 201); // pool 603 / 3
    expect(await gain2021('specific')).toBe(597 - 100.5 - 102); // the named lots

    // Totals agree: every method sells from the same 603 of cost for the same 597 + 250 of
    // proceeds, so realized gains minus the basis still open is the same for all.
    const all: Record<string, Json> = {};
    for (const m of ['fifo', 'lifo', 'hifo', 'average', 'specific']) all[m] = await get(`method=${m}`);
    // 2021's sale differs under each method (345, 246, 196.5, 295.5, 394.5).
    const gains = Object.values(all).map((r) => r.years[0].gain);
    expect(new Set(gains).size).toBe(5);
    for (const r of Object.values(all)) {
      expect(r.totals.proceeds).toBe(847);
      const open = (r.open_lots as Json[]).reduce((s, l) => s + l.cost_basis, 0);
      expect(r.totals.gain - open).toBeCloseTo(847 - 603, 6);
      // After the split 3 units became 3 (1.5 left × 2), 1 sold: 2 open.
      expect((r.open_lots as Json[]).reduce((s, l) => s + Number(l.quantity), 0)).toBe(2);
    }
    // FIFO after the split: 2022's sale takes the rest of B (0.5 → 1 unit, cost 150), held since 2020-06-01.
    expect(all.fifo?.years[1]).toMatchObject({ year: 2022, long_term_gain: 100, short_term_gain: 0 });
    // The ledger's own WAC and FIFO realized P&L agree with average and FIFO lots.
    const wac = await api(user, `/api/v1/portfolios/${id}/realized-pnl?method=wac`);
    const ledgerFifo = await api(user, `/api/v1/portfolios/${id}/realized-pnl?method=fifo`);
    expect(wac.body.data.total_realized_pnl).toBeCloseTo(all.average?.totals.gain, 6);
    expect(ledgerFifo.body.data.total_realized_pnl).toBeCloseTo(all.fifo?.totals.gain, 6);
    // A 730-day threshold (another jurisdiction) makes A short term.
    const longer = await get('method=fifo&year=2021&long_term_days=730');
    expect(longer.totals).toMatchObject({ long_term_gain: 0, short_term_gain: 345 });

    // CSV: one row per lot sold, in the report's order.
    const csv = await call(`/api/v1/portfolios/${id}/realized-gains?method=fifo&format=csv`, { as: user.as });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'description,symbol,quantity,date_acquired,date_sold,proceeds,cost_basis,gain,term,holding_days,sale_trade_id,lot_trade_id,method,currency',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(',2020-01-01,2021-04-01,398.00,102.00,296.00,long,456,');
  });

  it('the ledger never changes; bad input is a 400; others and guests get 404', async () => {
    const user = await signUp();
    const { id } = await ledger(user);
    const before = await api(user, `/api/v1/portfolios/${id}/trades?limit=100`);
    await api(user, `/api/v1/portfolios/${id}/realized-gains?method=hifo`);
    const after = await api(user, `/api/v1/portfolios/${id}/trades?limit=100`);
    expect(after.body.data).toEqual(before.body.data);
    const bad = await api(user, `/api/v1/portfolios/${id}/realized-gains?method=newest`);
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const badYear = await api(user, `/api/v1/portfolios/${id}/realized-gains?year=99`);
    expectError(badYear.res, badYear.body, 400, 'VALIDATION_ERROR');
    const other = await signUp();
    const foreign = await api(other, `/api/v1/portfolios/${id}/realized-gains`);
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
    const guest = await callJson(`/api/v1/portfolios/${id}/realized-gains`);
    expectError(guest.res, guest.body, 404, 'NOT_FOUND'); // a private portfolio is not confirmed to guests
  });

  it('lots of a SHORT: the opening credit is the proceeds, the cover the cost', () => {
    const entry = (id: string, type: 'buy' | 'sell', q: string, p: string, date: string, seq: number) => ({
      id,
      type,
      positionId: 'pos_s',
      positionType: 'SHORT' as const,
      multiplier: '1',
      quantity: q,
      price: p,
      fees: '0',
      date,
      seq,
    });
    const r = lotReport(
      [entry('o1', 'sell', '2', '50', '2021-01-01', 1), entry('c1', 'buy', '2', '40', '2021-02-01', 2)],
      { method: 'fifo' },
    );
    expect(r.realizations).toHaveLength(1);
    expect(r.realizations[0]?.gain.eq(new D(20))).toBe(true);
    expect(r.realizations[0]?.term).toBe('short');
    expect(r.open).toEqual([]);
  });
});
