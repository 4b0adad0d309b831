import { registerBotTicker } from '../../core/bot-ticker';
import { type BotTimeframeName, TIMEFRAME_MS } from './market';
import { runBotTick } from './runner';
import { getBot, markBotStatus } from './service';

// The bots domain's side of durable/bot.ts: the object coordinates (schedule, decided bars),
// this trades. Imported for its effect by src/index.ts.
registerBotTicker({
  tick: runBotTick,
  markStatus: (env, botId, status, reason) => markBotStatus(env, botId, status, reason ?? null),
  async barMs(env, botId) {
    const bot = await getBot(env, botId);
    return bot ? TIMEFRAME_MS[bot.timeframe as BotTimeframeName] : null;
  },
});
