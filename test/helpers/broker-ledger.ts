import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { call, callJson } from './api';
import type { TestUser } from './users';

/**
 * Checking a broker sample's import against what its rows describe, computed here and not by the
 * parser under test: each test reads the raw file with its own small reader and says, row by row,
 * what happened (a trade of X for Y with a fee in Z, a deposit, a transfer between the user's
 * own accounts, income in kind...). This file turns those events into the ledger entries they
 * must become in a USD portfolio, priced at the daily closes read straight from `price_data`
 * (on or before the day, at most 10 days back), and compares them entry by entry with the
 * ledger the real import wrote.
 */
const files = import.meta.glob('../../../shared/data/fixtures/broker/*/*', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export function fixture(name: string): string {
  const hit = Object.entries(files).find(([k]) => k.endsWith(`/${name}`));
  if (!hit) throw new Error(`no fixture ${name}`);
  return hit[1];
}

/** One CSV line split into fields (double quotes, "" escapes); enough for these samples. */
export function csvFields(line: string, sep = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The file's lines, 1-based as the import reports them (index 0 is line 1). */
export const linesOf = (text: string) => text.replace(/^\uFEFF/, '').split(/\r?\n/);

/** A sample CSV's data rows (after its header, blank ones left out), each with its 1-based line. */
export const csvRows = (name: string) =>
  linesOf(fixture(name))
    .map((l, i) => ({ line: i + 1, f: csvFields(l) }))
    .slice(1)
    .filter((r) => r.f.length > 1);

const DAY = 86_400_000;
const FX: Record<string, [string, number]> = { EUR: ['EURUSD', 1], GBP: ['GBPUSD', 1], GBX: ['GBPUSD', 100] };
const closeCache = new Map<string, number | null>();

/** USD per unit of a currency or coin at the close of the moment's day (or up to 10 days before); null when none is stored. */
export async function usdPer(cur: string, date: string): Promise<number | null> {
  if (cur === 'USD') return 1;
  const [symbol, div] = FX[cur] ?? [cur, 1];
  const day = Math.floor(Date.parse(date) / DAY) * DAY;
  const key = `${symbol}@${day}`;
  if (!closeCache.has(key)) {
    const row = await env.DB.prepare(
      `SELECT close, open_time FROM price_data WHERE asset_id = ? AND timeframe = '1d' AND open_time <= ? ORDER BY open_time DESC LIMIT 1`,
    )
      .bind(`ast_${symbol.toLowerCase()}`, day)
      .first<{ close: number; open_time: number }>();
    closeCache.set(key, row && day - row.open_time <= 10 * DAY ? row.close : null);
  }
  const c = closeCache.get(key);
  return c == null ? null : c / div;
}

export interface Entry {
  type: string;
  symbol: string;
  quantity: number;
  price: number;
  fees: number;
  date: string;
}
interface Event {
  line: number;
  date: string;
  entries: Entry[];
  missing: string[];
}
type Fee = [amount: number, currency: string] | undefined;

const FIAT = new Set(['USD', 'EUR', 'GBP', 'GBX', 'CHF']);

/**
 * What the rows describe, as ledger entries in USD. Events are given in file order; `done()`
 * replays them oldest first (as the ledger does) and expects a sale of units not held to be
 * refused with the ledger's reason.
 */
export class ExpectedLedger {
  private events: Event[] = [];
  private rejections = new Map<number, RegExp>();
  constructor() {
    closeCache.clear(); // closes read for one file's expectation, never carried to another test
  }
  private async rates(curs: string[], date: string) {
    const missing: string[] = [];
    const r = new Map<string, number>();
    for (const c of curs) {
      const v = await usdPer(c, date);
      if (v == null) missing.push(c);
      else r.set(c, v);
    }
    return { r, missing };
  }
  private add(line: number, date: string, entries: Entry[], missing: string[]) {
    this.events.push({ line, date, entries, missing });
  }
  /** A fee in a coin: the coin sold at the market (its value is the fee); in a currency: its value. */
  private feeParts(fee: Fee, r: Map<string, number>, date: string): { value: number; sale: Entry[] } {
    if (!fee || fee[0] === 0) return { value: 0, sale: [] };
    const [amount, cur] = fee;
    const rate = r.get(cur) ?? 0;
    const value = Math.abs(amount) * rate;
    if (FIAT.has(cur)) return { value, sale: [] };
    return {
      value,
      sale: [{ type: 'sell', symbol: cur, quantity: Math.abs(amount), price: rate, fees: 0, date }],
    };
  }
  /** `quantity` of `symbol` bought or sold for `total` of `quote` (a currency, or another coin: both legs). */
  async trade(
    line: number,
    date: string,
    side: 'buy' | 'sell',
    symbol: string,
    quantity: number,
    quote: string,
    total: number,
    fee?: Fee,
    moreFees: [number, string][] = [],
  ) {
    const { r, missing } = await this.rates(
      [quote, ...(fee && fee[0] !== 0 ? [fee[1]] : []), ...moreFees.map(([, c]) => c)],
      date,
    );
    const f = this.feeParts(fee, r, date);
    // Fees beyond the first (another coin in the same event): each its coin sold, then a fee entry.
    const more = moreFees.flatMap((m) => {
      const p = this.feeParts(m, r, date);
      return [...p.sale, { type: 'fee', symbol: 'USD', quantity: p.value, price: 1, fees: 0, date }];
    });
    const q = Math.abs(quantity);
    const t = Math.abs(total);
    const rate = r.get(quote) ?? 0;
    const main: Entry = { type: side, symbol, quantity: q, price: (t * rate) / q, fees: f.value, date };
    const crypto = !FIAT.has(quote);
    const leg: Entry = {
      type: side === 'buy' ? 'sell' : 'buy',
      symbol: quote,
      quantity: t,
      price: rate,
      fees: 0,
      date,
    };
    const entries = crypto ? (side === 'buy' ? [leg, main] : [main, leg]) : [main];
    this.add(line, date, [...entries, ...f.sale, ...more], missing);
  }
  /** Units moved into or out of the user's own account: add/remove at the market, never a sale. */
  async transfer(line: number, date: string, dir: 'in' | 'out', symbol: string, quantity: number, fee?: Fee) {
    const { r, missing } = await this.rates([symbol, ...(fee && fee[0] !== 0 ? [fee[1]] : [])], date);
    const f = this.feeParts(fee, r, date);
    const e: Entry = {
      type: dir === 'in' ? 'add' : 'remove',
      symbol,
      quantity: Math.abs(quantity),
      price: r.get(symbol) ?? 0,
      fees: f.value,
      date,
    };
    this.add(line, date, [e, ...f.sale], missing);
  }
  /** Cash paid in or out, converted to USD. */
  async cash(line: number, date: string, dir: 'in' | 'out', amount: number, currency: string) {
    const { r, missing } = await this.rates([currency], date);
    const e: Entry = {
      type: dir === 'in' ? 'add' : 'remove',
      symbol: 'USD',
      quantity: Math.abs(amount) * (r.get(currency) ?? 0),
      price: 1,
      fees: 0,
      date,
    };
    this.add(line, date, [e], missing);
  }
  /** A reward in kind: the units are bought at the market and their value is income (a dividend). */
  async income(line: number, date: string, symbol: string, quantity: number) {
    const { r, missing } = await this.rates([symbol], date);
    const p = r.get(symbol) ?? 0;
    const q = Math.abs(quantity);
    this.add(
      line,
      date,
      [
        { type: 'buy', symbol, quantity: q, price: p, fees: 0, date },
        { type: 'dividend', symbol, quantity: q, price: p, fees: 0, date },
      ],
      missing,
    );
  }
  /** A cash dividend of `amount` in `currency`. */
  async dividend(line: number, date: string, symbol: string, amount: number, currency: string) {
    const { r, missing } = await this.rates([currency], date);
    this.add(
      line,
      date,
      [
        {
          type: 'dividend',
          symbol,
          quantity: Math.abs(amount) * (r.get(currency) ?? 0),
          price: 1,
          fees: 0,
          date,
        },
      ],
      missing,
    );
  }
  /** A standalone fee (a coin fee is the coin sold, then the fee). */
  async fee(line: number, date: string, amount: number, currency: string) {
    const { r, missing } = await this.rates([currency], date);
    const f = this.feeParts([amount, currency], r, date);
    this.add(
      line,
      date,
      [...f.sale, { type: 'fee', symbol: 'USD', quantity: f.value, price: 1, fees: 0, date }],
      missing,
    );
  }
  /** A row the file cannot carry into a ledger, with the reason the report must give. */
  reject(line: number, reason: RegExp) {
    this.rejections.set(line, reason);
  }

  /** Replays the events oldest first: rows that cannot be priced, or sell what is not held, are refused. */
  done(): { entries: Entry[]; rejected: Map<number, RegExp> } {
    const rejected = new Map(this.rejections);
    const held = new Map<string, number>();
    const opened = new Set<string>(); // positions a buy or add has opened
    let cash = 0;
    const entries: Entry[] = [];
    const ordered = [...this.events].sort(
      (a, b) => Date.parse(a.date) - Date.parse(b.date) || a.line - b.line,
    );
    for (const e of ordered) {
      if (e.missing.length) {
        rejected.set(e.line, new RegExp(`no stored price of (${e.missing.join('|')})`));
        continue;
      }
      const after = new Map(held);
      const open = new Set(opened);
      const short: string[] = [];
      // Cash never goes negative (a shortfall is an implicit deposit); a withdrawal above it is refused.
      let c = cash;
      let overdrawn = false;
      for (const x of e.entries) {
        const value = x.quantity * x.price;
        if (x.type === 'buy' || x.type === 'fee') c = Math.max(0, c - value - x.fees);
        else if (x.type === 'sell' || x.type === 'dividend') c += value - x.fees;
        else if (x.symbol !== 'USD') c = Math.max(0, c - x.fees);
        else if (x.type === 'add') c += value;
        else if (value > c + 1e-9) overdrawn = true;
        else c -= value;
      }
      if (overdrawn) {
        rejected.set(e.line, /withdraws more than the cash balance/);
        continue;
      }
      for (const x of e.entries) {
        if (x.symbol === 'USD' || x.type === 'fee') continue;
        const inflow = x.type === 'buy' || x.type === 'add';
        // Anything but a buy or an add needs the position to exist (a dividend too).
        if (!inflow && !open.has(x.symbol)) short.push(x.symbol);
        if (inflow) open.add(x.symbol);
        if (x.type === 'dividend') continue;
        const q = (after.get(x.symbol) ?? 0) + (inflow ? 1 : -1) * x.quantity;
        if (q < -1e-9 * Math.max(1, x.quantity)) short.push(x.symbol);
        after.set(x.symbol, q);
      }
      if (short.length) {
        // The ledger names the first entry it cannot record (a missing position before a short one).
        rejected.set(e.line, new RegExp(`(No (${short.join('|')}) held|only .* is held)`));
        continue;
      }
      for (const [k, v] of after) held.set(k, v);
      for (const k of open) opened.add(k);
      cash = c;
      entries.push(...e.entries);
    }
    return { entries, rejected };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
type Json = Record<string, any>;

async function newPortfolio(user: TestUser): Promise<string> {
  const r = await callJson<{ data: Json }>('/api/v1/portfolios', {
    method: 'POST',
    as: user.as,
    body: { name: 'Sample import' },
  });
  expect(r.res.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data.id as string;
}

export async function importFile(user: TestUser, id: string, text: string, query = '') {
  return callJson<{ data: Json }>(`/api/v1/portfolios/${id}/trades/import?${query}`, {
    method: 'POST',
    as: user.as,
    body: text,
    headers: { 'content-type': 'text/csv' },
  });
}

/** The portfolio's ledger, every page. */
export async function ledgerOf(user: TestUser, id: string): Promise<Json[]> {
  const out: Json[] = [];
  for (let offset = 0; ; offset += 500) {
    const r = await callJson<{ data: Json }>(`/api/v1/portfolios/${id}/trades?limit=500&offset=${offset}`, {
      as: user.as,
    });
    expect(r.res.status, JSON.stringify(r.body)).toBe(200);
    out.push(...r.body.data.trades);
    if (r.body.data.trades.length < 500) return out;
  }
}

const key = (day: string, type: string, symbol: string, q: number) =>
  `${day}|${type}|${symbol}|${q.toPrecision(10)}`;
const sec = (d: string) => Math.floor(Date.parse(d) / 1000);
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

/**
 * Imports the file for real into a fresh USD portfolio and checks the ledger entry by entry
 * against the expected one (type, symbol, quantity, price, fees, date), the rejected rows
 * against the expected refusals (same lines, reasons matching), and returns the ids.
 */
export async function importMatches(
  user: TestUser,
  name: string,
  format: string,
  expected: ExpectedLedger,
  options: { text?: string } = {},
): Promise<{ id: string; report: Json; ledger: Json[]; entries: Entry[] }> {
  const id = await newPortfolio(user);
  const { entries, rejected } = expected.done();
  // A file none of whose rows can be recorded yet is refused as a whole: its dry run reports them.
  const { res, body } = await importFile(
    user,
    id,
    options.text ?? fixture(name),
    entries.length ? '' : 'dry_run=true',
  );
  expect(res.status, `${name}: ${JSON.stringify(body)}`).toBe(200);
  const report = body.data;
  expect(report.format, name).toBe(format);
  const got = new Map<number, string>(
    (report.rejected as Json[]).map((x) => [x.line as number, (x.reasons as string[]).join('; ')]),
  );
  expect(
    [...got.keys()].sort((a, b) => a - b),
    `${name}: rejected lines ${JSON.stringify([...got])}`,
  ).toEqual([...rejected.keys()].sort((a, b) => a - b));
  for (const [line, re] of rejected) expect(got.get(line), `${name} line ${line}`).toMatch(re);
  const ledger = await ledgerOf(user, id);
  const mine = entries
    .map((e) => ({ ...e, k: key(e.date.slice(0, 10), e.type, e.symbol, e.quantity) }))
    .sort((a, b) => a.k.localeCompare(b.k) || sec(a.date) - sec(b.date) || a.price - b.price);
  const theirs = ledger
    .map((t) => ({
      date: String(t.trade_date),
      type: String(t.trade_type),
      symbol: String(t.symbol),
      quantity: Number(t.quantity),
      price: Number(t.price),
      fees: Number(t.fees),
      k: key(String(t.trade_date).slice(0, 10), String(t.trade_type), String(t.symbol), Number(t.quantity)),
    }))
    .sort((a, b) => a.k.localeCompare(b.k) || sec(a.date) - sec(b.date) || a.price - b.price);
  expect(
    theirs.map((t) => t.k),
    name,
  ).toEqual(mine.map((e) => e.k));
  mine.forEach((e, i) => {
    const t = theirs[i] as (typeof theirs)[number];
    const at = `${name}: ${e.k}`;
    expect(close(t.price, e.price), `${at} price ${t.price} vs ${e.price}`).toBe(true);
    expect(close(t.fees, e.fees), `${at} fees ${t.fees} vs ${e.fees}`).toBe(true);
    // The ledger keeps the moment to the second.
    if (t.date.length > 10) expect(Date.parse(t.date), at).toBe(Math.floor(Date.parse(e.date) / 1000) * 1000);
  });
  return { id, report, ledger, entries };
}

/** The same file again imports nothing; the export re-imports to the same ledger in a new portfolio. */
export async function onceAndRoundTrip(user: TestUser, name: string, id: string) {
  const again = await importFile(user, id, fixture(name));
  expect(again.res.status).toBe(200);
  expect(again.body.data.warnings.at(-1), name).toContain('already imported');
  const before = await ledgerOf(user, id);
  const exported = await call(`/api/v1/portfolios/${id}/trades/export`, { as: user.as });
  expect(exported.status).toBe(200);
  const copy = await newPortfolio(user);
  const back = await importFile(user, copy, await exported.text());
  expect(back.res.status, JSON.stringify(back.body)).toBe(200);
  expect(back.body.data.format).toBe('meridian');
  const row = (t: Json) =>
    [t.trade_date, t.trade_type, t.asset_type, t.symbol, t.quantity, t.price, t.fees].join('|');
  expect((await ledgerOf(user, copy)).map(row).sort(), name).toEqual(before.map(row).sort());
  expect(before.length).toBeGreaterThan(0);
}

/** Transfers between the user's own accounts are not gains: only sales realize anything. */
export async function onlySalesRealize(user: TestUser, id: string, ledger: Json[]) {
  const r = await callJson<{ data: Json }>(`/api/v1/portfolios/${id}/realized-pnl?method=fifo`, {
    as: user.as,
  });
  expect(r.res.status, JSON.stringify(r.body)).toBe(200);
  const typeOf = new Map(ledger.map((t) => [t.id as string, t.trade_type as string]));
  const realized = r.body.data.realizations as Json[];
  for (const x of realized) expect(typeOf.get(x.trade_id), JSON.stringify(x)).toBe('sell');
  expect(realized.length).toBe(ledger.filter((t) => t.trade_type === 'sell').length);
}
