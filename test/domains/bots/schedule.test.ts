import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayTick } from '../../../src/ingestion/replay';
import { callJson } from '../../helpers/api';
import { seedMarket, setMarketClock } from '../../helpers/market';
import { signUp } from '../../helpers/users';

interface Trade {
  side: string;
  price: number;
  timestamp: string;
}

beforeAll(async () => {
  await seedMarket(['BTC']);
});

describe('a bot on the market clock', () => {
  it('sleeps until the next bar close, then decides on the bar that just closed, at the current quote', async () => {
    await setMarketClock('2024-01-01T00:00:00Z');
    const user = await signUp();
    const { body: bot } = await callJson<{ id: string }>('/api/bots', {
      method: 'POST',
      as: user.as,
      body: {
        name: 'dca',
        tradingPair: 'BTC/USD',
        strategy: 'dca',
        parameters: { amount: 500, intervalBars: 1 },
      },
    });
    await callJson(`/api/bots/${bot.id}/start`, { method: 'POST', as: user.as });
    const { body: st } = await callJson<{ nextAlarm: string; decisions: { bar: string }[] }>(
      `/api/bots/${bot.id}/status`,
      { as: user.as },
    );
    // The 2024-01-01 bar closes a market day later: 24 real minutes at the replay's 60x.
    const wait = Date.parse(st.nextAlarm) - Date.now();
    expect(wait).toBeGreaterThan(20 * 60_000);
    expect(wait).toBeLessThan(25 * 60_000);
    expect(st.decisions.map((d) => d.bar)).toEqual(['2023-12-31T00:00:00.000Z']);

    // The alarm firing early (before the close) finds no new closed bar: nothing happens.
    const stub = env.BOT.getByName(bot.id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    let { body: trades } = await callJson<Trade[]>(`/api/trades?botId=${bot.id}`, { as: user.as });
    expect(trades).toHaveLength(1);

    // The market moves past the close; ingestion brings the bar and the quote; the alarm fires.
    await setMarketClock('2024-01-02T00:30:00Z');
    await replayTick(env);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    ({ body: trades } = await callJson<Trade[]>(`/api/trades?botId=${bot.id}`, { as: user.as }));
    expect(trades).toHaveLength(2);
    const { body: quote } = await callJson<{ price: number; timestamp: string }>(
      '/api/markets/BTC-USD/price',
    );
    const newest = trades[0];
    expect(Date.parse(newest?.timestamp ?? '')).toBeLessThanOrEqual(Date.parse('2024-01-02T01:00:00Z'));
    expect(newest?.price).toBeCloseTo(quote.price * 1.0005, 6);
    const { body: after } = await callJson<{ decisions: { bar: string; action: string }[] }>(
      `/api/bots/${bot.id}/status`,
      { as: user.as },
    );
    expect(after.decisions[0]).toMatchObject({ bar: '2024-01-01T00:00:00.000Z', action: 'buy' });
  });
});
