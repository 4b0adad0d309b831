import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/events/bus';
import { replayTick } from '../../src/ingestion/replay';
import { crossings } from '../../src/live/signals';
import { seedMarket } from '../helpers/market';
import { connect, ofType } from './client';

const HOUR = 3_600_000;

/** A falling series that turns up hard on its last bar: the MACD line crosses its signal there. */
function turningSeries(): number[] {
  const closes = Array.from({ length: 50 }, (_, i) => 2000 - 0.2 * i * i);
  closes.push((closes.at(-1) ?? 0) + 400);
  return closes;
}

describe('/ws/signals', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  it('finds crossings between the last two bars only', () => {
    const closes = turningSeries();
    expect(crossings(closes).signals.map((s) => s.signal)).toContain('macd_bullish_cross');
    expect(crossings(closes.slice(0, -1)).signals.map((s) => s.signal)).not.toContain('macd_bullish_cross');
    const rising = [...Array.from({ length: 40 }, (_, i) => 100 + (i % 2 ? 1 : -1)), 140];
    expect(crossings(rising).signals).toContainEqual(
      expect.objectContaining({ signal: 'rsi_overbought', direction: 'bearish' }),
    );
  });

  it('publishes a signal when ingestion writes the 1h candle that crosses', async () => {
    const s = await connect('/ws/signals');
    await s.next(ofType('welcome'));
    const closes = turningSeries();
    const lastHour = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const start = lastHour - (closes.length - 1) * HOUR;
    for (const [i, c] of closes.entries()) {
      await env.DB.prepare(
        `INSERT OR REPLACE INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at)
         VALUES ('ast_eth', '1h', ?, ?, ?, ?, ?, 1, 'test', ?)`,
      )
        .bind(start + i * HOUR, c, c, c, c, Date.now())
        .run();
    }
    await publish(env, {
      type: 'prices.updated',
      source: 'test',
      at: Date.now(),
      assets: [{ assetId: 'ast_eth', symbol: 'ETH', price: closes.at(-1) ?? 0, changePct24h: 3 }],
    });
    const signal = await s.next(ofType('signal'));
    expect(signal).toMatchObject({
      symbol: 'ETH',
      asset_id: 'ast_eth',
      timeframe: '1h',
      signal: 'macd_bullish_cross',
      direction: 'bullish',
      candle_time: new Date(lastHour).toISOString(),
      indicators: { close: closes.at(-1) },
    });
    expect(typeof signal.seq).toBe('number');
    s.close();
  });

  it('never fails ingestion when the hubs fail', async () => {
    const broken = {
      ...env,
      HUB: {
        getByName: () => {
          throw new Error('hub down');
        },
      },
    } as unknown as Env;
    const result = await replayTick(broken);
    expect(result?.changed.length).toBeGreaterThan(0);
  });
});
