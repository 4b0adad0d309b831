import { z } from 'zod';
import type { Candle, Timeframe } from './types';

/** Length of each timeframe in milliseconds (a week is 7 days: Binance and Kraken weeks start Monday 00:00 UTC). */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

export const DAY_MS = 86_400_000;

// Plain decimal or exponent notation; rejects '', 'NaN', 'Infinity', '1,5' and hex, which Number() would accept or mangle.
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A number sent as a string (Binance, Kraken, alternative.me): validated, then converted. */
export const numericString = z
  .string()
  .trim()
  .regex(DECIMAL, 'expected a decimal number in a string')
  .transform(Number);

/** A number sent either as a JSON number or as a decimal string. */
export const looseNumber = z.union([z.number(), numericString]);

/**
 * A number that may be missing: JSON null, absent, or the string "null" (CoinGecko has sent
 * `"roi": "null"` and `"max_supply": "null"`). All three become null.
 */
export const nullableNumber = z
  .union([z.number(), z.null(), z.literal('null')])
  .optional()
  .transform((v) => (typeof v === 'number' ? v : null));

/** Epoch seconds (number or numeric string) to epoch milliseconds. */
export const epochSeconds = looseNumber.pipe(z.number().int().nonnegative()).transform((s) => s * 1000);

/**
 * True when the candle that opened at `openTime` has finished by `now`: its whole interval
 * lies in the past. Providers include the forming candle in their answers; adapters drop it
 * unless the caller asks for it, so a stored candle is never half a period.
 */
export function isClosed(openTime: number, durationMs: number, now: number): boolean {
  return openTime + durationMs <= now;
}

/** Sorts candles by open time and keeps the last of any duplicate open time. */
export function sortCandles(candles: Candle[]): Candle[] {
  const byTime = new Map<number, Candle>();
  for (const c of candles) byTime.set(c.openTime, c);
  return [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
}

/** Start of the UTC day containing `ms`. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
