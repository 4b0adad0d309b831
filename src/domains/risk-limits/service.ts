import { and, desc, eq } from 'drizzle-orm';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { db } from '../../db/client';
import { type RISK_ALERT_SEVERITIES, riskAlerts, riskLimits } from '../../db/schema';
import { createNotification } from '../notifications/service';

export interface RiskLimits {
  maxPositionSize: number;
  maxDailyLoss: number;
  maxDrawdown: number;
  maxLeverage: number;
}

/** 002's example limits, used until a user sets their own. */
export const DEFAULT_LIMITS: RiskLimits = {
  maxPositionSize: 50,
  maxDailyLoss: 5,
  maxDrawdown: 15,
  maxLeverage: 3,
};

export async function getLimits(env: Env, userId: string): Promise<RiskLimits & { isDefault: boolean }> {
  const row = await db(env).select().from(riskLimits).where(eq(riskLimits.userId, userId)).get();
  if (!row) return { ...DEFAULT_LIMITS, isDefault: true };
  return {
    maxPositionSize: row.maxPositionSize,
    maxDailyLoss: row.maxDailyLoss,
    maxDrawdown: row.maxDrawdown,
    maxLeverage: row.maxLeverage,
    isDefault: false,
  };
}

/** Sets some or all limits; the others keep their current (or default) values. */
export async function setLimits(env: Env, userId: string, input: Partial<RiskLimits>): Promise<RiskLimits> {
  const current = await getLimits(env, userId);
  const next: RiskLimits = {
    maxPositionSize: input.maxPositionSize ?? current.maxPositionSize,
    maxDailyLoss: input.maxDailyLoss ?? current.maxDailyLoss,
    maxDrawdown: input.maxDrawdown ?? current.maxDrawdown,
    maxLeverage: input.maxLeverage ?? current.maxLeverage,
  };
  const now = new Date().toISOString();
  await db(env)
    .insert(riskLimits)
    .values({ userId, ...next, updatedAt: now })
    .onConflictDoUpdate({ target: riskLimits.userId, set: { ...next, updatedAt: now } });
  return next;
}

/** What an order would do to the account, as the limits see it. Money in the account currency. */
export interface OrderRiskFacts {
  side: 'buy' | 'sell';
  equity: number;
  /** Value of the position in this instrument after the order. */
  positionValueAfter: number;
  /** Gross exposure of the account (all positions) after the order. */
  grossExposureAfter: number;
  /** Equity at the start of the market day (UTC). */
  dayStartEquity: number | null;
  /** Highest equity since the bot started. */
  peakEquity: number | null;
}

export type LimitName = keyof RiskLimits;

export interface Breach {
  limit: LimitName;
  threshold: number;
  value: number;
  message: string;
}

const pct = (x: number) => Math.round(x * 10_000) / 100;

/**
 * The limits an order would break, checked BEFORE it is placed. Sells only reduce risk and are
 * never refused. Drawdown and daily loss refuse any new buy once reached; position size and
 * leverage refuse a buy that would end above them.
 */
export function orderBreaches(limits: RiskLimits, f: OrderRiskFacts): Breach[] {
  if (f.side === 'sell' || f.equity <= 0) return [];
  const out: Breach[] = [];
  if (f.peakEquity && f.peakEquity > 0) {
    const dd = (1 - f.equity / f.peakEquity) * 100;
    if (dd >= limits.maxDrawdown)
      out.push({
        limit: 'maxDrawdown',
        threshold: limits.maxDrawdown,
        value: pct(dd / 100),
        message: `drawdown ${pct(dd / 100)}% from the peak reaches maxDrawdown ${limits.maxDrawdown}%`,
      });
  }
  if (f.dayStartEquity && f.dayStartEquity > 0) {
    const loss = (1 - f.equity / f.dayStartEquity) * 100;
    if (loss >= limits.maxDailyLoss)
      out.push({
        limit: 'maxDailyLoss',
        threshold: limits.maxDailyLoss,
        value: pct(loss / 100),
        message: `today's loss ${pct(loss / 100)}% reaches maxDailyLoss ${limits.maxDailyLoss}%`,
      });
  }
  const size = (f.positionValueAfter / f.equity) * 100;
  if (size > limits.maxPositionSize + 1e-9)
    out.push({
      limit: 'maxPositionSize',
      threshold: limits.maxPositionSize,
      value: pct(size / 100),
      message: `position would be ${pct(size / 100)}% of equity, above maxPositionSize ${limits.maxPositionSize}%`,
    });
  const leverage = f.grossExposureAfter / f.equity;
  if (leverage > limits.maxLeverage + 1e-9)
    out.push({
      limit: 'maxLeverage',
      threshold: limits.maxLeverage,
      value: Math.round(leverage * 100) / 100,
      message: `exposure would be ${leverage.toFixed(2)}x equity, above maxLeverage ${limits.maxLeverage}x`,
    });
  return out;
}

/** The 4xx an API order gets for a breach: 422 naming the limit. */
export function breachError(b: Breach): ApiError {
  return new ApiError('UNPROCESSABLE_ENTITY', `Order refused by risk limit ${b.limit}: ${b.message}`, {
    details: { limit: b.limit, threshold: b.threshold, value: b.value },
    suggestion: 'Reduce the order, or change the limit with POST /api/risk-management/limits.',
  });
}

export type RiskAlertRow = typeof riskAlerts.$inferSelect;

export interface NewRiskAlert {
  userId: string;
  type: string;
  severity: (typeof RISK_ALERT_SEVERITIES)[number];
  message: string;
  botId?: string | null;
  data?: Record<string, unknown>;
  /** Raising twice with one key makes one alert (a retried tick). */
  dedupeKey?: string;
}

/** Records a risk alert and notifies the user (notification system, in-app and live). */
export async function raiseRiskAlert(env: Env, input: NewRiskAlert): Promise<RiskAlertRow | null> {
  const [row] = await db(env)
    .insert(riskAlerts)
    .values({
      id: newId('riskAlert'),
      userId: input.userId,
      type: input.type,
      severity: input.severity,
      message: input.message,
      botId: input.botId ?? null,
      data: input.data ?? null,
      dedupeKey: input.dedupeKey ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await createNotification(env, {
    userId: input.userId,
    type: 'risk_alert',
    category: 'risk',
    priority: input.severity === 'critical' || input.severity === 'high' ? 'urgent' : 'normal',
    title: `Risk alert: ${input.type}`,
    message: input.message,
    data: { alert_id: row.id, bot_id: input.botId ?? null, ...input.data },
    dedupeKey: `risk:${row.id}`,
  });
  return row;
}

export async function listRiskAlerts(
  env: Env,
  userId: string,
  q: { acknowledged?: boolean | undefined; limit: number; offset: number },
): Promise<RiskAlertRow[]> {
  return db(env)
    .select()
    .from(riskAlerts)
    .where(
      and(
        eq(riskAlerts.userId, userId),
        q.acknowledged === undefined ? undefined : eq(riskAlerts.acknowledged, q.acknowledged),
      ),
    )
    .orderBy(desc(riskAlerts.createdAt), desc(riskAlerts.id))
    .limit(q.limit)
    .offset(q.offset);
}

/** Acknowledges one of the user's alerts (again is a no-op that keeps the first time); others' 404. */
export async function acknowledgeRiskAlert(env: Env, userId: string, id: string): Promise<RiskAlertRow> {
  const d = db(env);
  const row = await d
    .select()
    .from(riskAlerts)
    .where(and(eq(riskAlerts.id, id), eq(riskAlerts.userId, userId)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Risk alert ${id} not found`);
  if (row.acknowledged) return row;
  const [done] = await d
    .update(riskAlerts)
    .set({ acknowledged: true, acknowledgedAt: new Date().toISOString() })
    .where(and(eq(riskAlerts.id, id), eq(riskAlerts.userId, userId)))
    .returning();
  return done ?? row;
}
