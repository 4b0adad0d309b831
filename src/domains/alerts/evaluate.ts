// The pure decision logic of alert evaluation: no D1, no Workers imports, so the service
// and the benchmark (bench/alerts.ts, in Node) run the same code.

import type { ALERT_TYPES } from '../../db/schema/watchlists';

export type AlertType = (typeof ALERT_TYPES)[number];

/**
 * Which side of its condition an alert is on; stored in `alerts.last_state`. `armed` is an
 * above/below alert whose condition already held when it was created or changed.
 */
export type AlertState = 'above' | 'below' | 'in' | 'out' | 'bullish' | 'bearish' | 'armed';

/** The market facts one alert is judged on; indicator values are computed by the caller. */
export interface AlertInputs {
  price: number;
  /** Percent change over the alert's window (percent_change). */
  changePct?: number | null | undefined;
  /** The RSI at `at` (rsi_above / rsi_below). */
  rsi?: number | null | undefined;
  /** MACD line and signal line at `at` (macd_cross). */
  macd?: { macd: number; signal: number } | null | undefined;
  /** The moving average at `at` (ma_cross). */
  ma?: number | null | undefined;
}

export interface EvaluableAlert {
  alertType: AlertType;
  params: Record<string, unknown>;
  lastState: string | null;
  lastTriggeredAt: number | null;
  cooldownSeconds: number;
  repeat: boolean;
  triggerCount: number;
}

export interface Decision {
  /** The side now, or null when the inputs cannot tell (not enough history). */
  state: AlertState | null;
  fire: boolean;
  /** The value that decided it: the price, the change, the indicator. */
  value: number | null;
}

const num = (v: unknown, fallback = 0): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;
const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** The alert's side of its condition for these inputs (null when undecidable). */
export function conditionState(
  type: AlertType,
  params: Record<string, unknown>,
  x: AlertInputs,
): AlertState | null {
  switch (type) {
    case 'price_above':
      return x.price > num(params.threshold) ? 'above' : 'below';
    case 'price_below':
      return x.price < num(params.threshold) ? 'below' : 'above';
    case 'price_crosses':
      return x.price >= num(params.threshold) ? 'above' : 'below';
    case 'percent_change': {
      if (!finite(x.changePct)) return null;
      const target = num(params.percent);
      // A negative target is a fall of at least that much; a positive one a rise.
      return (target < 0 ? x.changePct <= target : x.changePct >= target) ? 'in' : 'out';
    }
    case 'rsi_above':
      if (!finite(x.rsi)) return null;
      return x.rsi > num(params.threshold) ? 'above' : 'below';
    case 'rsi_below':
      if (!finite(x.rsi)) return null;
      return x.rsi < num(params.threshold) ? 'below' : 'above';
    case 'macd_cross':
      if (!x.macd || !finite(x.macd.macd) || !finite(x.macd.signal)) return null;
      return x.macd.macd > x.macd.signal ? 'bullish' : 'bearish';
    case 'ma_cross':
      if (!finite(x.ma)) return null;
      return x.price > x.ma ? 'above' : 'below';
  }
}

/** The side an alert fires on entering (price_crosses fires on any change). */
function targetState(type: AlertType, params: Record<string, unknown>): AlertState | 'any' {
  switch (type) {
    case 'price_above':
    case 'rsi_above':
      return 'above';
    case 'price_below':
    case 'rsi_below':
      return 'below';
    case 'price_crosses':
      return 'any';
    case 'percent_change':
      return 'in';
    case 'macd_cross':
      return params.direction === 'bearish' ? 'bearish' : 'bullish';
    case 'ma_cross':
      return params.direction === 'below' ? 'below' : 'above';
  }
}

/** The level alerts: they fire while their condition holds, once per entry into it. */
const LEVEL_TYPES: ReadonlySet<AlertType> = new Set(['price_above', 'price_below', 'rsi_above', 'rsi_below']);

/**
 * The state a new (or changed) alert starts in, from the side the market is on now. A level
 * alert (above/below) whose condition already holds starts `armed`, so the next evaluation
 * that still finds it true fires it: "tell me when BTC is above X" is answered even when it
 * already is. Crossing alerts (crosses, MACD and MA crosses, percent change) start on the
 * current side and wait for a crossing.
 */
export function startingState(
  type: AlertType,
  params: Record<string, unknown>,
  state: AlertState | null,
): AlertState | null {
  return LEVEL_TYPES.has(type) && state !== null && state === targetState(type, params) ? 'armed' : state;
}

function decidingValue(type: AlertType, x: AlertInputs): number | null {
  switch (type) {
    case 'percent_change':
      return x.changePct ?? null;
    case 'rsi_above':
    case 'rsi_below':
      return x.rsi ?? null;
    case 'macd_cross':
      return x.macd ? x.macd.macd - x.macd.signal : null;
    case 'ma_cross':
      return x.ma ?? null;
    default:
      return x.price;
  }
}

/**
 * Whether an alert fires at market time `at`: only on a transition into its condition from
 * a known previous side or from `armed` (no previous side means this is the baseline), never
 * within the cooldown after the last trigger, and never again for a one-shot alert that has fired.
 */
export function decide(alert: EvaluableAlert, x: AlertInputs, at: number): Decision {
  const state = conditionState(alert.alertType, alert.params, x);
  const value = decidingValue(alert.alertType, x);
  if (state === null || alert.lastState === null || state === alert.lastState) {
    return { state, fire: false, value };
  }
  const target = targetState(alert.alertType, alert.params);
  if (target !== 'any' && state !== target) return { state, fire: false, value };
  if (!alert.repeat && alert.triggerCount > 0) return { state, fire: false, value };
  if (alert.lastTriggeredAt !== null && at - alert.lastTriggeredAt < alert.cooldownSeconds * 1000) {
    return { state, fire: false, value };
  }
  return { state, fire: true, value };
}
