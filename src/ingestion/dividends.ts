import { marketNow } from '../core/market-clock';
import { subscribe } from '../events/bus';
import { bumpDataVersion } from './state';

const COLUMNS = 'asset_id, ex_time, amount, close_before, factor, method, source';

/**
 * Replay: moves every stored dividend with ex-date <= `t` (epoch ms, market time) from
 * `dividend_replay_store` into `dividend_events` and removes it from the store, in one atomic
 * D1 batch. Idempotent: a second call with the same `t` moves nothing. Bumps the data version
 * when anything moved, so cached screener responses refresh. Returns the rows moved.
 */
export async function ingestDividendsUntil(env: Env, t: number): Promise<number> {
  const [moved] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO dividend_events (${COLUMNS})
       SELECT ${COLUMNS} FROM dividend_replay_store WHERE ex_time <= ?1
       ON CONFLICT (asset_id, ex_time) DO UPDATE SET amount = excluded.amount, close_before = excluded.close_before,
         factor = excluded.factor, method = excluded.method, source = excluded.source`,
    ).bind(t),
    env.DB.prepare('DELETE FROM dividend_replay_store WHERE ex_time <= ?1').bind(t),
  ]);
  const n = moved?.meta.changes ?? 0;
  if (n > 0) await bumpDataVersion(env);
  return n;
}

// The replay tick publishes `prices.updated` at the market clock after each write: dividends
// whose ex-date the clock has reached follow the candles into the served tables (never past
// the clock, whatever time an event carries).
subscribe('prices.updated', async (env, event) => {
  await ingestDividendsUntil(env, Math.min(event.at, await marketNow(env)));
});
