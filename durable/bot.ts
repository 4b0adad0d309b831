import { type BotMemory, type BotTickResult, botTicker } from '../src/core/bot-ticker';
import { describeError, log } from '../src/core/logger';
import { marketClock } from '../src/core/market-clock';
import { MeridianObject } from './lib/base';

export interface BotDecision {
  barTime: number;
  action: string;
  reason: string;
  orderId: string | null;
  tradeId: string | null;
  decidedAt: number;
}

export interface BotObjectStatus {
  botId: string | null;
  running: boolean;
  nextAlarm: number | null;
  memory: BotMemory;
  decisions: BotDecision[];
}

/**
 * One trading bot: its running flag, schedule and decisions, in SQLite. It wakes on an alarm
 * at each close of its timeframe's bars on the market clock (the replay's virtual time is
 * turned into a real delay by the clock's speed), decides once per closed bar (the
 * `decisions` table is keyed by the bar; the order id in the ledger covers a crash between
 * the fill and that row) and reschedules. Start and stop are idempotent; an alarm that fires
 * twice finds the bar decided. The tick itself (candles, strategy, limits, ledger) is the
 * bots domain's, reached through core's `BotTicker` seam (registered when the Worker loads),
 * so this file imports only core: the object coordinates, the domain trades.
 */
export class BotObject extends MeridianObject {
  protected readonly kind = 'bot';

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS decisions (
        bar_time INTEGER PRIMARY KEY, action TEXT NOT NULL, reason TEXT NOT NULL,
        order_id TEXT, trade_id TEXT, decided_at INTEGER NOT NULL)`);
    });
  }

  private get(key: string): string | null {
    const row = this.ctx.storage.sql
      .exec<{ value: string }>('SELECT value FROM state WHERE key = ?', key)
      .toArray()[0];
    return row?.value ?? null;
  }

  private set(key: string, value: string): void {
    this.ctx.storage.sql.exec(
      'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }

  private memory(): BotMemory {
    const raw = this.get('memory');
    return raw ? (JSON.parse(raw) as BotMemory) : { peakEquity: null, dayStart: null };
  }

  private decided(barTime: number): boolean {
    return (
      this.ctx.storage.sql.exec('SELECT 1 FROM decisions WHERE bar_time = ?', barTime).toArray().length > 0
    );
  }

  /** Starts the bot (idempotent): marks it running, decides on the last closed bar, schedules. */
  async start(botId: string): Promise<{ already: boolean; tick: BotTickResult | null }> {
    this.set('bot_id', botId);
    if (this.get('running') === '1') {
      await botTicker().markStatus(this.env, botId, 'running');
      return { already: true, tick: null };
    }
    this.set('running', '1');
    await botTicker().markStatus(this.env, botId, 'running');
    const tick = await this.tick();
    return { already: false, tick };
  }

  /** Stops the bot (idempotent): no more alarms, status stopped with the reason. */
  async stop(reason: string): Promise<{ already: boolean }> {
    const botId = this.get('bot_id');
    const already = this.get('running') !== '1';
    this.set('running', '0');
    await this.ctx.storage.deleteAlarm();
    if (botId && !already) await botTicker().markStatus(this.env, botId, 'stopped', reason);
    return { already };
  }

  /**
   * One decision now, on the last closed bar, then the next alarm. Safe to call any number of
   * times: a bar already decided is skipped.
   */
  async tick(): Promise<BotTickResult | null> {
    const botId = this.get('bot_id');
    if (!botId || this.get('running') !== '1') return null;
    let outcome: BotTickResult | null = null;
    try {
      outcome = await botTicker().tick(this.env, botId, this.memory(), (t) => this.decided(t));
      this.set('memory', JSON.stringify(outcome.memory));
      if (outcome.barTime !== null && outcome.action !== 'skipped') {
        this.ctx.storage.sql.exec(
          'INSERT OR IGNORE INTO decisions (bar_time, action, reason, order_id, trade_id, decided_at) VALUES (?, ?, ?, ?, ?, ?)',
          outcome.barTime,
          outcome.action,
          outcome.reason,
          outcome.orderId,
          outcome.fill?.tradeId ?? null,
          outcome.marketTime,
        );
      }
      if (outcome.stopSelf) {
        await this.stop(outcome.stopSelf);
        return outcome;
      }
    } catch (err) {
      log('error', 'bot.tick_failed', { bot_id: botId, ...describeError(err) });
    }
    await this.schedule(botId);
    return outcome;
  }

  /** The next alarm: the next bar close of the bot's timeframe, in real time at the clock's speed. */
  private async schedule(botId: string): Promise<void> {
    const size = await botTicker().barMs(this.env, botId);
    if (size === null) return;
    const clock = await marketClock(this.env);
    const nextClose = (Math.floor(clock.now / size) + 1) * size;
    const speed = clock.mode === 'replay' && clock.speed ? clock.speed : 1;
    // A replay that reached the end of its history holds still: look again in a minute.
    const held = clock.end !== null && clock.now >= clock.end;
    const delay = held ? 60_000 : Math.max(1000, (nextClose - clock.now) / speed + 1000);
    await this.ctx.storage.setAlarm(Date.now() + delay);
  }

  override async alarm(): Promise<void> {
    await this.tick();
  }

  /** State and the last decisions, newest first. */
  async status(limit = 20): Promise<BotObjectStatus> {
    const decisions = this.ctx.storage.sql
      .exec<{
        bar_time: number;
        action: string;
        reason: string;
        order_id: string | null;
        trade_id: string | null;
        decided_at: number;
      }>('SELECT * FROM decisions ORDER BY bar_time DESC LIMIT ?', limit)
      .toArray()
      .map((r) => ({
        barTime: r.bar_time,
        action: r.action,
        reason: r.reason,
        orderId: r.order_id,
        tradeId: r.trade_id,
        decidedAt: r.decided_at,
      }));
    return {
      botId: this.get('bot_id'),
      running: this.get('running') === '1',
      nextAlarm: await this.ctx.storage.getAlarm(),
      memory: this.memory(),
      decisions,
    };
  }

  /** Forgets a decision (tests of the ledger's order-id guard after a lost write). */
  async forgetDecision(barTime: number): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM decisions WHERE bar_time = ?', barTime);
  }
}
