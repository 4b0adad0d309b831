/**
 * The seam between a bot's Durable Object and the bots domain. `durable/` imports only core and
 * quant (STYLE.md), yet a bot's tick is domain work (candles, strategy, limits, ledger); so the
 * object asks this core interface and the bots domain registers the implementation when the
 * Worker loads (`src/domains/bots/ticker.ts`, imported by `src/index.ts`), as the event
 * subscribers do.
 */

/** What a bot's object remembers between ticks, for the drawdown and daily-loss limits. */
export interface BotMemory {
  peakEquity: number | null;
  dayStart: { day: string; equity: number } | null;
}

/** One tick's outcome, as the object stores and returns it. */
export interface BotTickResult {
  /** Open time of the closed bar decided on; null when there was none. */
  barTime: number | null;
  action: 'buy' | 'sell' | 'hold' | 'refused' | 'skipped';
  reason: string;
  orderId: string | null;
  fill: { tradeId: string } | null;
  /** The risk limit that refused the order, if one did. */
  limit: string | null;
  marketTime: number;
  memory: BotMemory;
  /** The bot must stop (a drawdown breach): the object stops itself; the others were stopped. */
  stopSelf: string | null;
}

export interface BotTicker {
  /** One decision on the last closed bar unless `decided(bar)`; never a second order for a bar. */
  tick(
    env: Env,
    botId: string,
    memory: BotMemory,
    decided: (barTime: number) => boolean,
  ): Promise<BotTickResult>;
  /** Records the bot's running/stopped status (and why it stopped) where the API reads it. */
  markStatus(env: Env, botId: string, status: 'running' | 'stopped', reason?: string | null): Promise<void>;
  /** The length of the bot's bars in ms (its timeframe), or null for a bot that no longer exists. */
  barMs(env: Env, botId: string): Promise<number | null>;
}

let registered: BotTicker | null = null;

/** Called once by the bots domain when the Worker loads. */
export function registerBotTicker(ticker: BotTicker): void {
  registered = ticker;
}

export function botTicker(): BotTicker {
  if (!registered) throw new Error('No bot ticker registered: src/domains/bots/ticker.ts was not loaded');
  return registered;
}
