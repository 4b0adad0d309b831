import { and, count, desc, eq, gt, inArray, isNull, lt, or } from 'drizzle-orm';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { log } from '../../core/logger';
import type { Page } from '../../core/pagination';
import { db } from '../../db/client';
import { assets, quotes } from '../../db/schema';
import { alertAssetWatermarks } from '../../db/schema/alert-watermarks';
import { alerts, alertTriggers } from '../../db/schema/watchlists';
import type { Principal } from '../../env';
import type { PricesUpdated } from '../../events/bus';
import { TIMEFRAME_MS } from '../../providers/common';
import { ema, macd, rsi, sma } from '../../quant';
import { emaWarmup, macdWarmup, wilderWarmup } from '../../quant/warmup';
import type { AssetRow } from '../assets/service';
import { resolveAsset } from '../assets/service';
import { createNotification } from '../notifications/service';
import { candles } from '../prices/service';
import { watchlistSignals } from '../watchlists/analysis';
import { DEFAULT_WATCHLIST_ID } from '../watchlists/service';
import { type AlertInputs, type AlertType, decide, startingState } from './evaluate';
import { type Claim, claimStatements, IN_CHUNK, markStatements, spanStatements } from './evaluation-writes';
import { ALERT_PARAMS, type AlertCondition, type CreateAlertInput, type UpdateAlertInput } from './schemas';

type Row = typeof alerts.$inferSelect;
type TriggerRow = typeof alertTriggers.$inferSelect;

/** The most completed candles one indicator alert loads (RSI(200)'s warm-up is 5,714). */
const MAX_INDICATOR_BARS = 6000;

/**
 * Completed candles an indicator alert is computed over (plus the current price as the forming
 * bar): the indicator's warm-up (`src/quant/warmup.ts`), so its value equals the one computed
 * from the asset's full history to 1e-9 relative, as every indicator endpoint's does.
 */
export function indicatorBars(type: AlertType, params: Record<string, unknown>): number {
  const period = Number(params.period ?? (type === 'ma_cross' ? 50 : 14));
  const bars = (() => {
    switch (type) {
      case 'rsi_above':
      case 'rsi_below':
        return wilderWarmup(period);
      case 'macd_cross':
        return macdWarmup(26, 9);
      case 'ma_cross':
        return params.ma === 'ema' ? emaWarmup(period) : period;
      default:
        return 0;
    }
  })();
  return Math.min(MAX_INDICATOR_BARS, bars);
}
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function describeCondition(type: AlertType, p: Record<string, unknown>, symbol: string): string {
  switch (type) {
    case 'price_above':
      return `${symbol} price above ${p.threshold}`;
    case 'price_below':
      return `${symbol} price below ${p.threshold}`;
    case 'price_crosses':
      return `${symbol} price crosses ${p.threshold}`;
    case 'percent_change':
      return `${symbol} ${Number(p.percent) < 0 ? 'falls' : 'rises'} ${Math.abs(Number(p.percent))}% within ${p.window_minutes} minutes`;
    case 'rsi_above':
      return `${symbol} RSI(${p.period}, ${p.timeframe}) above ${p.threshold}`;
    case 'rsi_below':
      return `${symbol} RSI(${p.period}, ${p.timeframe}) below ${p.threshold}`;
    case 'macd_cross':
      return `${symbol} MACD ${p.direction} cross (${p.timeframe})`;
    case 'ma_cross':
      return `${symbol} price crosses ${p.direction} its ${String(p.ma).toUpperCase()}(${p.period}, ${p.timeframe})`;
  }
}

type PriceCondition = 'above' | 'below' | 'crosses';
const PRICE_CONDITIONS = {
  above: 'price_above',
  below: 'price_below',
  crosses: 'price_crosses',
} as const satisfies Record<PriceCondition, AlertType>;
const CONDITION_OF: Partial<Record<AlertType, PriceCondition>> = {
  price_above: 'above',
  price_below: 'below',
  price_crosses: 'crosses',
};
const isPriceCondition = (c: AlertCondition): c is PriceCondition => c in PRICE_CONDITIONS;

/** 000's `condition` word for an alert type: above / below / crosses for price alerts. */
function conditionOf(type: AlertType): AlertCondition {
  return CONDITION_OF[type] ?? type;
}

function typeOfCondition(condition: AlertCondition): AlertType {
  return isPriceCondition(condition) ? PRICE_CONDITIONS[condition] : condition;
}

export function alertView(a: Row, symbol: string, currentPrice: number | null) {
  const threshold = typeof a.params.threshold === 'number' ? a.params.threshold : null;
  return {
    id: a.id,
    alert_id: a.id,
    user_id: a.userId,
    asset_id: a.assetId,
    symbol,
    alert_type: a.alertType,
    params: a.params,
    threshold,
    trigger_value: threshold,
    condition: conditionOf(a.alertType),
    description: describeCondition(a.alertType, a.params, symbol),
    name: a.name,
    message: a.message,
    is_active: a.isActive,
    repeat: a.repeat,
    cooldown_seconds: a.cooldownSeconds,
    current_state: a.lastState,
    current_price: currentPrice,
    is_triggered: a.triggerCount > 0,
    trigger_count: a.triggerCount,
    last_triggered_at: iso(a.lastTriggeredAt),
    source: a.source,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

function triggerView(t: TriggerRow) {
  return {
    id: t.id,
    alert_id: t.alertId,
    asset_id: t.assetId,
    triggered_at: new Date(t.triggeredAt).toISOString(),
    price: t.price,
    value: t.value,
  };
}

/** `params` checked against its type's schema (defaults filled in); 400 otherwise. */
export function parseParams(type: AlertType, params: unknown): Record<string, unknown> {
  const result = ALERT_PARAMS[type].safeParse(params ?? {});
  if (!result.success) {
    const details = result.error.issues.map((i) => ({
      loc: ['body', 'params', ...i.path.map(String)],
      msg: i.message,
      type: i.code,
    }));
    throw new ApiError('VALIDATION_ERROR', `Invalid params for ${type}: ${details[0]?.msg ?? 'invalid'}`, {
      details,
    });
  }
  return result.data;
}

export interface AlertDraft {
  asset_id: string;
  alert_type: AlertType;
  params: unknown;
  name?: string | undefined;
  message?: string | undefined;
  repeat: boolean;
  cooldown_seconds: number;
  is_active: boolean;
}

function conflict(field: string, message: string): ApiError {
  return new ApiError('VALIDATION_ERROR', message, {
    details: [{ loc: ['body', field], msg: message, type: 'value_error' }],
  });
}

/** The type named by `alert_type` or 000's `condition` (both must agree when both are sent). */
function typeFrom(input: { alert_type?: AlertType | undefined; condition?: AlertCondition | undefined }) {
  const named = input.condition === undefined ? undefined : typeOfCondition(input.condition);
  if (named && input.alert_type && named !== input.alert_type) {
    throw conflict('condition', `condition ${input.condition} contradicts alert_type ${input.alert_type}`);
  }
  return input.alert_type ?? named;
}

/** The level from `threshold` (001) or `trigger_value` (000), merged into `params`. */
function paramsFrom(input: {
  params?: Record<string, unknown> | undefined;
  threshold?: number | undefined;
  trigger_value?: number | undefined;
}): Record<string, unknown> | undefined {
  const { threshold, trigger_value: triggerValue } = input;
  if (threshold !== undefined && triggerValue !== undefined && threshold !== triggerValue) {
    throw conflict('trigger_value', 'trigger_value and threshold name the same level; send one');
  }
  const level = triggerValue ?? threshold;
  if (level === undefined) return input.params;
  return { ...input.params, threshold: level };
}

/** A create body in any seed's names, as the one draft the service stores. */
export function draftFrom(input: CreateAlertInput): AlertDraft {
  const {
    alert_type,
    condition,
    params,
    threshold,
    trigger_value,
    notification_method: _method,
    ...rest
  } = input;
  const type = typeFrom({ alert_type, condition });
  if (!type) throw conflict('alert_type', 'Send alert_type or condition');
  return { ...rest, alert_type: type, params: paramsFrom({ params, threshold, trigger_value }) ?? {} };
}

// --- market inputs -----------------------------------------------------------------------

interface MarketPoint {
  assetId: string;
  price: number;
  changePct24h: number | null;
  at: number;
}

/**
 * Computes each alert's inputs at one market moment, loading every candle series once per
 * asset and timeframe (indicators use completed candles up to `at`, then the current price).
 */
class MarketInputs {
  private closes = new Map<string, Promise<number[]>>();
  private refs = new Map<string, Promise<number | null>>();

  constructor(
    private env: Env,
    private assetsById: Map<string, AssetRow>,
  ) {}

  private series(point: MarketPoint, timeframe: '1h' | '1d', bars: number): Promise<number[]> {
    const key = `${point.assetId}|${timeframe}|${bars}`;
    let p = this.closes.get(key);
    if (!p) {
      const asset = this.assetsById.get(point.assetId);
      const tf = TIMEFRAME_MS[timeframe];
      p = asset
        ? candles(this.env, asset, {
            timeframe,
            end: point.at - tf,
            limit: bars,
            newestFirst: true,
          }).then((rows) => [...rows.reverse().map((r) => r.close), point.price])
        : Promise.resolve([point.price]);
      this.closes.set(key, p);
    }
    return p;
  }

  private reference(point: MarketPoint, windowMinutes: number): Promise<number | null> {
    const key = `${point.assetId}|${windowMinutes}`;
    let p = this.refs.get(key);
    if (!p) {
      const asset = this.assetsById.get(point.assetId);
      const timeframe = windowMinutes < 2 * 1440 ? '1h' : '1d';
      const then = point.at - windowMinutes * 60_000;
      p = asset
        ? candles(this.env, asset, {
            timeframe,
            end: then - TIMEFRAME_MS[timeframe],
            limit: 1,
            newestFirst: true,
          }).then((rows) => rows[0]?.close ?? null)
        : Promise.resolve(null);
      this.refs.set(key, p);
    }
    return p;
  }

  async inputs(point: MarketPoint, type: AlertType, params: Record<string, unknown>): Promise<AlertInputs> {
    const timeframe = params.timeframe === '1h' ? '1h' : '1d';
    const bars = indicatorBars(type, params);
    switch (type) {
      case 'percent_change': {
        const window = Number(params.window_minutes ?? 1440);
        if (window === 1440 && point.changePct24h !== null) {
          return { price: point.price, changePct: point.changePct24h };
        }
        const ref = await this.reference(point, window);
        return { price: point.price, changePct: ref ? ((point.price - ref) / ref) * 100 : null };
      }
      case 'rsi_above':
      case 'rsi_below': {
        const values = await this.series(point, timeframe, bars);
        return { price: point.price, rsi: rsi(values, Number(params.period ?? 14)).at(-1) ?? null };
      }
      case 'macd_cross': {
        const values = await this.series(point, timeframe, bars);
        const m = macd(values);
        const line = m.macd.at(-1);
        const signal = m.signal.at(-1);
        return {
          price: point.price,
          macd: line === undefined || signal === undefined ? null : { macd: line, signal },
        };
      }
      case 'ma_cross': {
        const values = await this.series(point, timeframe, bars);
        const period = Number(params.period ?? 50);
        const ma = values.length >= period ? (params.ma === 'ema' ? ema : sma)(values, period).at(-1) : null;
        return { price: point.price, ma: ma ?? null };
      }
      default:
        return { price: point.price };
    }
  }
}

/** The state an alert starts in, from the current quote (see `startingState`). */
async function initialState(
  env: Env,
  asset: AssetRow,
  type: AlertType,
  params: Record<string, unknown>,
): Promise<string | null> {
  const q = await db(env).select().from(quotes).where(eq(quotes.assetId, asset.id)).get();
  if (!q) return null;
  const market = new MarketInputs(env, new Map([[asset.id, asset]]));
  const point = { assetId: asset.id, price: q.price, changePct24h: q.changePct24h, at: q.asOf };
  const x = await market.inputs(point, type, params);
  const now = decide(
    {
      alertType: type,
      params,
      lastState: null,
      lastTriggeredAt: null,
      cooldownSeconds: 0,
      repeat: true,
      triggerCount: 0,
    },
    x,
    q.asOf,
  ).state;
  return startingState(type, params, now);
}

// --- CRUD ------------------------------------------------------------------------------

async function priceOf(env: Env, assetId: string): Promise<number | null> {
  const q = await db(env)
    .select({ price: quotes.price })
    .from(quotes)
    .where(eq(quotes.assetId, assetId))
    .get();
  return q?.price ?? null;
}

async function owned(env: Env, principal: Principal, id: string) {
  const row = await db(env)
    .select({ alert: alerts, symbol: assets.symbol, price: quotes.price })
    .from(alerts)
    .innerJoin(assets, eq(assets.id, alerts.assetId))
    .leftJoin(quotes, eq(quotes.assetId, alerts.assetId))
    .where(and(eq(alerts.id, id), eq(alerts.userId, principal.userId), isNull(alerts.deletedAt)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Alert ${id} not found`);
  return row;
}

export async function createAlert(env: Env, principal: Principal, draft: AlertDraft, source: string) {
  const asset = await resolveAsset(env, draft.asset_id);
  const params = parseParams(draft.alert_type, draft.params);
  const lastState = await initialState(env, asset, draft.alert_type, params);
  const [row] = await db(env)
    .insert(alerts)
    .values({
      id: newId('alert'),
      userId: principal.userId,
      assetId: asset.id,
      alertType: draft.alert_type,
      params,
      name: draft.name ?? null,
      message: draft.message ?? null,
      isActive: draft.is_active,
      repeat: draft.repeat,
      cooldownSeconds: draft.cooldown_seconds,
      lastState,
      source,
    })
    .returning();
  if (!row) throw new ApiError('DATABASE_ERROR', 'Could not save the alert');
  return alertView(row, asset.symbol, await priceOf(env, asset.id));
}

export interface AlertFilters {
  is_active?: boolean | undefined;
  asset?: string | undefined;
  type?: AlertType | undefined;
  source?: string | undefined;
}

export async function listAlerts(env: Env, principal: Principal, f: AlertFilters, page: Page) {
  const asset = f.asset?.trim();
  const where = and(
    eq(alerts.userId, principal.userId),
    isNull(alerts.deletedAt),
    f.is_active === undefined ? undefined : eq(alerts.isActive, f.is_active),
    f.type ? eq(alerts.alertType, f.type) : undefined,
    f.source ? eq(alerts.source, f.source) : undefined,
    asset ? or(eq(alerts.assetId, asset), eq(assets.symbol, asset.toUpperCase())) : undefined,
  );
  const d = db(env);
  const [rows, total] = await Promise.all([
    d
      .select({ alert: alerts, symbol: assets.symbol, price: quotes.price })
      .from(alerts)
      .innerJoin(assets, eq(assets.id, alerts.assetId))
      .leftJoin(quotes, eq(quotes.assetId, alerts.assetId))
      .where(where)
      .orderBy(desc(alerts.createdAt), desc(alerts.id))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(alerts).innerJoin(assets, eq(assets.id, alerts.assetId)).where(where).get(),
  ]);
  return { total: total?.n ?? 0, alerts: rows.map((r) => alertView(r.alert, r.symbol, r.price)) };
}

export async function getAlert(env: Env, principal: Principal, id: string) {
  const r = await owned(env, principal, id);
  return alertView(r.alert, r.symbol, r.price);
}

export async function updateAlert(env: Env, principal: Principal, id: string, input: UpdateAlertInput) {
  const current = await owned(env, principal, id);
  const named = typeFrom(input);
  const type = named ?? current.alert.alertType;
  const params = paramsFrom(input);
  const set: Partial<typeof alerts.$inferInsert> = { updatedAt: new Date().toISOString() };
  if (named !== undefined || params !== undefined) {
    // A new type starts from its own params; the same type merges into the old ones.
    const base = type !== current.alert.alertType ? {} : current.alert.params;
    const merged = { ...base, ...params };
    set.alertType = type;
    set.params = parseParams(type, merged);
    const asset = await resolveAsset(env, current.alert.assetId);
    set.lastState = await initialState(env, asset, type, set.params);
  }
  if (input.name !== undefined) set.name = input.name;
  if (input.message !== undefined) set.message = input.message;
  if (input.repeat !== undefined) set.repeat = input.repeat;
  if (input.cooldown_seconds !== undefined) set.cooldownSeconds = input.cooldown_seconds;
  if (input.is_active !== undefined) set.isActive = input.is_active;
  const [row] = await db(env)
    .update(alerts)
    .set(set)
    .where(and(eq(alerts.id, id), eq(alerts.userId, principal.userId), isNull(alerts.deletedAt)))
    .returning();
  if (!row) throw new ApiError('NOT_FOUND', `Alert ${id} not found`);
  return alertView(row, current.symbol, current.price);
}

/** Soft delete: inactive and hidden from every list; its triggers stay for the record. */
export async function deleteAlert(env: Env, principal: Principal, id: string) {
  await owned(env, principal, id);
  const now = new Date().toISOString();
  await db(env)
    .update(alerts)
    .set({ isActive: false, deletedAt: now, updatedAt: now })
    .where(and(eq(alerts.id, id), eq(alerts.userId, principal.userId)));
  return { alert_id: id, deleted: true, deleted_at: now };
}

export async function alertHistory(env: Env, principal: Principal, id: string, page: Page) {
  const r = await owned(env, principal, id);
  const d = db(env);
  const mine = and(eq(alertTriggers.alertId, id), eq(alertTriggers.userId, principal.userId));
  const [rows, total] = await Promise.all([
    d
      .select()
      .from(alertTriggers)
      .where(mine)
      .orderBy(desc(alertTriggers.triggeredAt))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(alertTriggers).where(mine).get(),
  ]);
  return {
    total: total?.n ?? 0,
    alert: alertView(r.alert, r.symbol, r.price),
    triggers: rows.map(triggerView),
  };
}

/** Your recent triggers, newest first, with the asset's move since: current quote vs trigger price. */
export async function triggeredAlerts(env: Env, principal: Principal, page: Page) {
  const d = db(env);
  const mine = and(eq(alertTriggers.userId, principal.userId), isNull(alerts.deletedAt));
  const [rows, total] = await Promise.all([
    d
      .select({
        trigger: alertTriggers,
        symbol: assets.symbol,
        alertType: alerts.alertType,
        name: alerts.name,
        price: quotes.price,
      })
      .from(alertTriggers)
      .innerJoin(alerts, eq(alerts.id, alertTriggers.alertId))
      .innerJoin(assets, eq(assets.id, alertTriggers.assetId))
      .leftJoin(quotes, eq(quotes.assetId, alertTriggers.assetId))
      .where(mine)
      .orderBy(desc(alertTriggers.triggeredAt), desc(alertTriggers.id))
      .limit(page.limit)
      .offset(page.offset),
    d
      .select({ n: count() })
      .from(alertTriggers)
      .innerJoin(alerts, eq(alerts.id, alertTriggers.alertId))
      .where(mine)
      .get(),
  ]);
  return {
    total: total?.n ?? 0,
    triggered: rows.map((r) => {
      const change = r.price === null ? null : r.price - r.trigger.price;
      return {
        ...triggerView(r.trigger),
        symbol: r.symbol,
        alert_type: r.alertType,
        name: r.name,
        current_price: r.price,
        change_since_trigger: change,
        change_since_trigger_pct:
          change === null || r.trigger.price === 0 ? null : (change / r.trigger.price) * 100,
      };
    }),
  };
}

/**
 * 001's public timing alerts: the default watchlist's technical signals (the vote of
 * `watchlistSignals`) that point one way; neutral and too-short series are not alerts.
 * Before an admin has set the default watchlist there is none, and no timing alerts.
 */
export async function timingAlerts(env: Env) {
  try {
    const s = await watchlistSignals(env, undefined, DEFAULT_WATCHLIST_ID);
    const alerts = s.signals.flatMap((x) =>
      x.signal === 'bullish' || x.signal === 'bearish' ? [{ ...x, signal: x.signal }] : [],
    );
    return { alerts, source: { watchlist_id: s.watchlist_id, method: s.method } };
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'NOT_FOUND')) throw err;
    return { alerts: [], source: { watchlist_id: null, method: 'no default watchlist set' } };
  }
}

// --- evaluation ------------------------------------------------------------------------

export interface EvaluationResult {
  evaluated: number;
  fired: string[];
  /** Statements written: state changes and their triggers, first evaluations, the spans. */
  written: number;
}

/**
 * Evaluates the active alerts of the assets in one `prices.updated` event, writing only what
 * changes (issue 20). Each asset keeps the span of market time it has evaluated
 * (`alertAssetWatermarks`): an event inside it is a repeat or out of order and does nothing; an
 * alert evaluated in the span counts as evaluated through its end, so an unchanged one is not
 * written. A state change is claimed with one conditional UPDATE (not yet evaluated at this or
 * a later time, still on the side read, and the event still outside the span), so concurrent
 * evaluations cannot both fire; its trigger row goes in the same batch (unique per alert and
 * time), the span moves last, then the notification, deduplicated by `alert:<id>:<at>`.
 */
export async function evaluateAlerts(env: Env, event: PricesUpdated): Promise<EvaluationResult> {
  const points = new Map(event.assets.map((a) => [a.assetId, a]));
  const ids = [...points.keys()];
  if (!ids.length) return { evaluated: 0, fired: [], written: 0 };
  const d = db(env);
  const span = alertAssetWatermarks;
  const rows: { alert: Row; spanFrom: number | null }[] = [];
  const assetRows: AssetRow[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const chunk = ids.slice(i, i + IN_CHUNK);
    const [found, chunkAssets] = await Promise.all([
      d
        .select({ alert: alerts, spanFrom: span.evaluatedFrom })
        .from(alerts)
        .leftJoin(span, eq(span.assetId, alerts.assetId))
        .where(
          and(
            inArray(alerts.assetId, chunk),
            eq(alerts.isActive, true),
            isNull(alerts.deletedAt),
            or(isNull(alerts.lastEvaluatedAt), lt(alerts.lastEvaluatedAt, event.at)),
            or(isNull(span.assetId), gt(span.evaluatedFrom, event.at), lt(span.evaluatedThrough, event.at)),
          ),
        ),
      d.select().from(assets).where(inArray(assets.id, chunk)),
    ]);
    rows.push(...found);
    assetRows.push(...chunkAssets);
  }
  if (!rows.length) return { evaluated: 0, fired: [], written: 0 };

  const market = new MarketInputs(env, new Map(assetRows.map((a) => [a.id, a])));
  // Unchanged alerts the span does not cover yet, by the state read: marked once.
  const unmarked = new Map<string | null, string[]>();
  const claims: { row: Row; claim: Claim }[] = [];
  for (const { alert: row, spanFrom } of rows) {
    const p = points.get(row.assetId);
    if (!p) continue;
    const point = { assetId: p.assetId, price: p.price, changePct24h: p.changePct24h, at: event.at };
    const x = await market.inputs(point, row.alertType, row.params);
    const decision = decide(row, x, event.at);
    if (decision.state === null || decision.state === row.lastState) {
      const covered = spanFrom !== null && row.lastEvaluatedAt !== null && row.lastEvaluatedAt >= spanFrom;
      if (covered) continue;
      const list = unmarked.get(row.lastState) ?? [];
      list.push(row.id);
      unmarked.set(row.lastState, list);
    } else {
      const { state, fire, value } = decision;
      claims.push({
        row,
        claim: { id: row.id, lastState: row.lastState, state, fire, price: p.price, value },
      });
    }
  }

  const statements: D1PreparedStatement[] = [];
  const claimAt: number[] = [];
  for (const { claim } of claims) {
    claimAt.push(statements.length);
    statements.push(...claimStatements(env.DB, event.at, claim, newId('alertTrigger')));
  }
  statements.push(...markStatements(env.DB, event.at, unmarked));
  statements.push(...spanStatements(env.DB, event.at, [...new Set(rows.map((r) => r.alert.assetId))]));
  const results: D1Result[] = [];
  for (let i = 0; i < statements.length; i += 200)
    results.push(...(await env.DB.batch(statements.slice(i, i + 200))));

  const fired: string[] = [];
  const symbols = new Map(event.assets.map((a) => [a.assetId, a.symbol]));
  await Promise.all(
    claims.map(async ({ row, claim: c }, i) => {
      const idx = claimAt[i];
      const won = idx !== undefined && (results[idx]?.results.length ?? 0) > 0;
      if (!won || !c.fire) return;
      fired.push(row.id);
      const symbol = symbols.get(row.assetId) ?? row.assetId;
      const condition = describeCondition(row.alertType, row.params, symbol);
      await createNotification(env, {
        userId: row.userId,
        type: 'alert',
        category: 'alert',
        priority: 'high',
        title: row.name ?? `Alert: ${condition}`,
        message: row.message ?? `${condition} — ${symbol} at ${c.price}`,
        data: {
          alert_id: row.id,
          asset_id: row.assetId,
          symbol,
          alert_type: row.alertType,
          price: c.price,
          value: c.value,
          triggered_at: new Date(event.at).toISOString(),
        },
        dedupeKey: `alert:${row.id}:${event.at}`,
      });
    }),
  );
  log('info', 'alerts.evaluated', {
    at: event.at,
    evaluated: rows.length,
    fired: fired.length,
    written: statements.length,
  });
  return { evaluated: rows.length, fired, written: statements.length };
}
