import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

interface Bot {
  id: string;
  portfolioId: string;
}

const body = (name: string) => ({
  name,
  tradingPair: 'BTC/USD',
  strategy: 'dca',
  mode: 'paper',
  initialBalance: 2_500,
});

beforeAll(async () => {
  await seedMarket(['BTC']);
});

const portfoliosNamed = async (userId: string, name: string) =>
  (
    await env.DB.prepare('SELECT id, cash, ledger_version FROM portfolios WHERE user_id = ? AND name = ?')
      .bind(userId, name)
      .all<{ id: string; cash: string; ledger_version: number }>()
  ).results;

describe('POST /api/bots writes the bot and its funded account in one batch', () => {
  it('makes the bot, its paper portfolio and the funding commit together (cash = initialBalance, ledger v1)', async () => {
    const user = await signUp();
    const { res, body: bot } = await callJson<Bot>('/api/bots', {
      method: 'POST',
      as: user.as,
      body: body('funded'),
    });
    expect(res.status).toBe(201);
    const [portfolio] = await portfoliosNamed(user.id, 'Bot: funded');
    expect(portfolio).toMatchObject({ id: bot.portfolioId, cash: '2500', ledger_version: 1 });
    const { body: status } = await callJson<{ cash: number; totalValue: number }>(
      `/api/bots/${bot.id}/status`,
      {
        as: user.as,
      },
    );
    expect(status).toMatchObject({ cash: 2500 });
  });

  it('leaves nothing behind when the last write fails (no portfolio, no funding, no bot)', async () => {
    const user = await signUp();
    // The bot row's insert, the batch's last statement, fails for this name only.
    await env.DB.prepare(
      `CREATE TRIGGER IF NOT EXISTS bots_refuse_explode BEFORE INSERT ON bots WHEN NEW.name = 'explode'
       BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`,
    ).run();
    const { res } = await callJson('/api/bots', { method: 'POST', as: user.as, body: body('explode') });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await portfoliosNamed(user.id, 'Bot: explode')).toHaveLength(0);
    const trades = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM trades WHERE user_id = ? AND notes = 'Bot starting balance'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(trades?.n).toBe(0);
    const { body: bots } = await callJson<Bot[]>('/api/bots', { as: user.as });
    expect(bots).toHaveLength(0);
  });

  it('is idempotent with an Idempotency-Key: the retry replays the first bot, no second one', async () => {
    const user = await signUp();
    const key = `bot-create-${crypto.randomUUID()}`;
    const headers = { 'Idempotency-Key': key };
    const first = await callJson<Bot>('/api/bots', {
      method: 'POST',
      as: user.as,
      body: body('once'),
      headers,
    });
    const again = await callJson<Bot>('/api/bots', {
      method: 'POST',
      as: user.as,
      body: body('once'),
      headers,
    });
    expect(first.res.status).toBe(201);
    expect(again.res.status).toBe(201);
    expect(again.res.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const { body: bots } = await callJson<Bot[]>('/api/bots', { as: user.as });
    expect(bots.map((b) => b.id)).toEqual([first.body.id]);
    expect(await portfoliosNamed(user.id, 'Bot: once')).toHaveLength(1);
  });
});
