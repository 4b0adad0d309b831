import { config } from './config';
import { registerMemo } from './isolate-memos';

const DAY = 86_400_000;

export interface MarketClock {
  /** Market time now, epoch ms: the replay's virtual time, or the wall clock when live. */
  now: number;
  mode: 'replay' | 'live';
  /** Replay only: where the virtual clock started, and the end of the shipped history it stops at. */
  start: number | null;
  end: number | null;
  speed: number | null;
}

interface ReplayState {
  anchor: number | null;
  end: number | null;
}

/** How long an isolate reuses the replay's anchor and end: both change only when data is seeded. */
const STATE_TTL_MS = 5000;
let cachedState: { db: D1Database; state: ReplayState; readAt: number } | undefined;
registerMemo(() => forgetMarketClock());

/**
 * The replay's anchor (the real time of its first reading) and end (the close of the last
 * shipped day, recorded by the seed as 'replay.history_end'), in one read, reused by the
 * isolate for a few seconds once both are set: every request asks the clock, often more than
 * once, and neither value moves between seeds.
 */
async function replayState(env: Env): Promise<ReplayState> {
  const hit = cachedState;
  if (hit && hit.db === env.DB && Date.now() - hit.readAt < STATE_TTL_MS) return hit.state;
  const { results } = await env.DB.prepare(
    "SELECT key, value FROM market_state WHERE key IN ('replay.anchor_real', 'replay.history_end')",
  ).all<{ key: string; value: string }>();
  const num = (key: string): number | null => {
    const v = Number(results.find((r) => r.key === key)?.value ?? Number.NaN);
    return Number.isFinite(v) ? v : null;
  };
  const state = { anchor: num('replay.anchor_real'), end: num('replay.history_end') };
  cachedState =
    state.anchor != null && state.end != null ? { db: env.DB, state, readAt: Date.now() } : undefined;
  return state;
}

/** Forgets the isolate's copy of the replay state (tests that move the clock or seed history). */
export function forgetMarketClock(): void {
  cachedState = undefined;
}

/**
 * The one market clock: the only "now" for market data, trades, valuations, analytics,
 * signals and bots. Under replay it is virtual: anchored at its first reading (kept in D1,
 * so restarts carry on), running `REPLAY_SPEED` times real time from `REPLAY_START`, and
 * holding at the end of the shipped history (it never loops back: the database would then
 * hold rows from its future). Live, or with no shipped history to replay, it is the wall clock.
 */
export async function marketClock(env: Env, realNow = Date.now()): Promise<MarketClock> {
  const cfg = config(env);
  if (cfg.MARKET_DATA_MODE !== 'replay') {
    return { now: realNow, mode: 'live', start: null, end: null, speed: null };
  }
  const start = Date.parse(`${cfg.REPLAY_START}T00:00:00Z`);
  let { anchor, end } = await replayState(env);
  // Nothing to replay (no shipped history loaded): the wall clock, as live.
  if (end == null) return { now: realNow, mode: 'replay', start, end: null, speed: cfg.REPLAY_SPEED };
  if (anchor == null) {
    await env.DB.prepare(
      "INSERT INTO market_state (key, value, updated_at) VALUES ('replay.anchor_real', ?, ?) ON CONFLICT (key) DO NOTHING",
    )
      .bind(String(realNow), realNow)
      .run();
    ({ anchor, end } = await replayState(env));
  }
  const elapsed = Math.max(0, realNow - (anchor ?? realNow)) * cfg.REPLAY_SPEED;
  const virtual = start + elapsed;
  return {
    now: end != null ? Math.min(virtual, Math.max(start, end)) : realNow,
    mode: 'replay',
    start,
    end,
    speed: cfg.REPLAY_SPEED,
  };
}

/** Market time now, epoch ms (see `marketClock`). */
export async function marketNow(env: Env, realNow = Date.now()): Promise<number> {
  return (await marketClock(env, realNow)).now;
}

/** The UTC day (YYYY-MM-DD) of a market time. */
export function marketDate(t: number): string {
  return new Date(Math.floor(t / DAY) * DAY).toISOString().slice(0, 10);
}
