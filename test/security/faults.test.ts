import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newId } from '../../src/core/ids';
import { db } from '../../src/db/client';
import { portfolios } from '../../src/db/schema';
import { commitLedger } from '../../src/domains/portfolios/services/ledger';
import worker from '../../src/index';
import { ingestLive } from '../../src/ingestion/live';
import { JOB_HANDLERS } from '../../src/jobs/handlers';
import { defineJob } from '../../src/jobs/handlers/types';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { signUp, signUpAdmin, type TestUser } from '../helpers/users';

/**
 * Faults (issue 12, "Keep it closed"): a D1 statement failing inside a ledger commit, a user
 * object reset while requests are in flight, duplicate and out-of-order queue deliveries, and
 * a provider answering garbage. Each proves nothing is lost and nothing is half-written.
 */

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
});

/** Everything a ledger commit writes for one portfolio, to compare before and after. */
async function ledgerState(portfolioId: string) {
  const [portfolio, commits, trades, positions] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare('SELECT ledger_version, cash, totals FROM portfolios WHERE id = ?').bind(portfolioId),
    env.DB.prepare('SELECT count(*) AS n FROM ledger_commits WHERE portfolio_id = ?').bind(portfolioId),
    env.DB.prepare('SELECT count(*) AS n FROM trades WHERE portfolio_id = ?').bind(portfolioId),
    env.DB.prepare(
      'SELECT symbol, quantity, cost_basis, realized_pnl FROM positions WHERE portfolio_id = ? ORDER BY symbol',
    ).bind(portfolioId),
  ]);
  const first = (r: D1Result<Record<string, unknown>> | undefined) => r?.results[0] ?? {};
  return {
    portfolio: first(portfolio) as { ledger_version: number; cash: string },
    commits: Number(first(commits).n),
    trades: Number(first(trades).n),
    positions: (positions?.results ?? []) as { symbol: string; quantity: string }[],
  };
}

async function portfolioWith(owner: TestUser, btc: number): Promise<string> {
  const { body } = await callJson<{ data: { id: string } }>('/api/v1/portfolios', {
    method: 'POST',
    as: owner.as,
    body: { name: 'Faults' },
  });
  const buy = await call(`/api/v1/portfolios/${body.data.id}/trades`, {
    method: 'POST',
    as: owner.as,
    body: { trade_type: 'buy', symbol: 'BTC', quantity: btc, price: 40000, trade_date: '2023-12-01' },
  });
  expect(buy.status).toBe(201);
  return body.data.id;
}

const sell = (owner: TestUser, portfolioId: string, quantity = 1) =>
  callJson<{ error?: { code: string } }>(`/api/v1/portfolios/${portfolioId}/trades`, {
    method: 'POST',
    as: owner.as,
    body: { trade_type: 'sell', symbol: 'BTC', quantity, price: 42000, trade_date: '2023-12-15' },
  });

describe('a D1 failure in the middle of a ledger commit', () => {
  it('writes nothing of the commit, answers 500 in the error shape, and the next commit lands whole', async () => {
    const owner = await signUp();
    const portfolioId = await portfolioWith(owner, 2);
    const before = await ledgerState(portfolioId);
    // The commit's batch inserts the commit row, the trade and the positions' figures first and
    // moves the portfolio's version last: failing that last statement fails a batch half run.
    await env.DB.prepare(
      `CREATE TRIGGER fault_ledger BEFORE UPDATE OF ledger_version ON portfolios
       WHEN NEW.id = '${portfolioId}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
    ).run();
    try {
      const { res, body } = await sell(owner, portfolioId);
      expectError(res, body, 500, 'INTERNAL_ERROR');
      expect(JSON.stringify(body)).not.toMatch(/injected fault|trigger/i);
      expect(await ledgerState(portfolioId)).toEqual(before);
    } finally {
      await env.DB.prepare('DROP TRIGGER fault_ledger').run();
    }
    const { res } = await sell(owner, portfolioId);
    expect(res.status).toBe(201);
    const after = await ledgerState(portfolioId);
    expect(after.portfolio.ledger_version).toBe(before.portfolio.ledger_version + 1);
    expect(after.commits).toBe(before.commits + 1);
    expect(after.trades).toBe(before.trades + 1);
    expect(after.positions.find((p) => p.symbol === 'BTC')?.quantity).toBe('1');
  });
});

describe("a reset of the user's object while requests are in flight", () => {
  it('loses no accepted sell, writes no unanswered one, and keeps the session', async () => {
    const owner = await signUp();
    const portfolioId = await portfolioWith(owner, 20);
    const before = await ledgerState(portfolioId);
    const stub = env.USER.getByName(owner.id);
    const sells = Array.from({ length: 12 }, () => sell(owner, portfolioId));
    // Reset the object while the sells wait for it (for their session check or their turn).
    await new Promise((resolve) => setTimeout(resolve, 20));
    await runInDurableObject(stub, (_instance, state) => {
      state.abort('fault injection');
    }).catch(() => undefined);
    const answers = await Promise.all(sells);
    const accepted = answers.filter((a) => a.res.status === 201).length;
    for (const { res, body } of answers) {
      if (res.status !== 201) expect(body.error?.code, `status ${res.status}`).toBeDefined();
    }
    // Every 201 is in the ledger, and nothing else is: each commit whole or absent.
    const after = await ledgerState(portfolioId);
    expect(after.commits - before.commits).toBe(accepted);
    expect(after.trades - before.trades).toBe(accepted);
    expect(after.portfolio.ledger_version - before.portfolio.ledger_version).toBe(accepted);
    expect(after.positions.find((p) => p.symbol === 'BTC')?.quantity).toBe(String(20 - accepted));

    // The object comes back on the next request, with the session it stored.
    const me = await call('/api/v1/auth/me', { as: owner.as });
    expect(me.status).toBe(200);
    const sessions = await callJson<{ data: { sessions?: { id: string }[] } | { id: string }[] }>(
      '/api/v1/sessions',
      { as: owner.as },
    );
    expect(sessions.res.status).toBe(200);
    expect(JSON.stringify(sessions.body)).toContain(owner.sessionId);
    const { res } = await sell(owner, portfolioId);
    expect(res.status).toBe(201);
  });

  it('finishes the commit that held its turn and the one waiting behind it, each once', async () => {
    const owner = await signUp();
    const portfolioId = await portfolioWith(owner, 1);
    const row = await db(env).select().from(portfolios).where(eq(portfolios.id, portfolioId)).get();
    if (!row) throw new Error('no portfolio');
    const before = await ledgerState(portfolioId);
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = commitLedger(env, row, owner.id, 'fault.first', async () => {
      entered();
      await gate;
      return { details: { fault: 'first' } };
    });
    await inside;
    const second = commitLedger(env, row, owner.id, 'fault.second', () => ({ details: { fault: 'second' } }));
    await runInDurableObject(env.USER.getByName(owner.id), (_instance, state) => {
      state.abort('fault injection');
    }).catch(() => undefined);
    open();
    const versions = (await Promise.all([first, second])).map((r) => r.version).sort();
    expect(versions).toEqual([before.portfolio.ledger_version + 1, before.portfolio.ledger_version + 2]);
    const actions = await env.DB.prepare(
      'SELECT version, action FROM ledger_commits WHERE portfolio_id = ? AND version > ? ORDER BY version',
    )
      .bind(portfolioId, before.portfolio.ledger_version)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action).sort()).toEqual(['fault.first', 'fault.second']);
  });
});

describe('duplicate and out-of-order queue deliveries', () => {
  const runs = new Map<string, number>();

  beforeAll(() => {
    // A job that counts its runs and takes a moment, so overlapping deliveries really overlap.
    JOB_HANDLERS['test.counted'] = defineJob({
      payload: z.object({}),
      async run(ctx) {
        runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return { runs: runs.get(ctx.jobId) };
      },
    });
  });

  async function queuedJob(): Promise<string> {
    const id = newId('job');
    await env.DB.prepare("INSERT INTO jobs (id, type, payload) VALUES (?, 'test.counted', '{}')")
      .bind(id)
      .run();
    return id;
  }

  async function deliver(messages: { id: string; job: string; attempts: number }[]) {
    const batch = createMessageBatch(
      'meridian-jobs',
      messages.map((m) => ({
        id: m.id,
        timestamp: new Date(),
        attempts: m.attempts,
        body: { job_id: m.job, type: 'test.counted' },
      })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    return getQueueResult(batch, ctx);
  }

  it('runs each job once when its message comes twice, reversed, and in two batches at once', async () => {
    const a = await queuedJob();
    const b = await queuedJob();
    const messages = [
      { id: 'b-2', job: b, attempts: 2 },
      { id: 'a-2', job: a, attempts: 2 },
      { id: 'b-1', job: b, attempts: 1 },
      { id: 'a-1', job: a, attempts: 1 },
      { id: 'a-1', job: a, attempts: 1 },
    ];
    const results = await Promise.all([deliver(messages), deliver([...messages].reverse())]);
    expect(runs.get(a)).toBe(1);
    expect(runs.get(b)).toBe(1);
    for (const result of results) {
      expect(result.retryMessages).toEqual([]);
      expect(result.retryBatch.retry).toBe(false);
    }
    const rows = await env.DB.prepare(
      'SELECT status, attempts, result FROM jobs WHERE id IN (?, ?) ORDER BY id',
    )
      .bind(a, b)
      .all<{ status: string; attempts: number; result: string }>();
    for (const row of rows.results)
      expect(row).toEqual({ status: 'succeeded', attempts: 1, result: '{"runs":1}' });
    // A late redelivery after success changes nothing.
    await deliver([{ id: 'a-3', job: a, attempts: 3 }]);
    expect(runs.get(a)).toBe(1);
  });
});

describe('a provider answering garbage', () => {
  it('records the failure in source health and writes no quote', async () => {
    const quotes = () => env.DB.prepare('SELECT * FROM quotes ORDER BY asset_id, source').all();
    const version = () => env.DB.prepare('SELECT key, value FROM market_state ORDER BY key').all();
    const before = { quotes: (await quotes()).results, state: (await version()).results };
    const fetch = async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      // CoinGecko: malformed JSON. Binance: well-formed JSON of the wrong shape.
      if (url.includes('coingecko')) return new Response('{"id":"bitcoin","current_price":', { status: 200 });
      return Response.json([{ symbol: 'BTCUSDT', lastPrice: 'NaN', volume: { nested: true } }]);
    };
    await expect(ingestLive(env, Date.now(), { fetch, sleep: async () => {} })).rejects.toThrow();
    expect((await quotes()).results).toEqual(before.quotes);
    expect((await version()).results).toEqual(before.state);

    const admin = await signUpAdmin();
    const { body } = await callJson<{
      data: { sources: { id: string; errors_today: number; last_error: string | null }[] };
    }>('/api/v1/admin/macro/data-sources', { as: admin.as });
    for (const id of ['coingecko', 'binance']) {
      const source = body.data.sources.find((s) => s.id === id);
      expect(source?.errors_today, id).toBeGreaterThanOrEqual(1);
      expect(source?.last_error, id).toBeTruthy();
    }
  });
});
