import { round } from '../schemas';
import type { PortfolioValue, PositionValue } from './valuation';

const HOUR = 3_600_000;
/** A daily close is a day old by the time the next one exists: no penalty for the first day. */
const FRESH_HOURS = 24;
/** After that the freshness score halves every three days (a long weekend costs about half). */
const HALF_LIFE_HOURS = 72;

export interface DataQuality {
  overall_score: number;
  metrics: {
    price_coverage: {
      score: number;
      total_positions: number;
      positions_with_prices: number;
      missing_prices: number;
      unpriced_symbols: string[];
    };
    data_freshness: {
      score: number;
      last_updated: string | null;
      hours_since_update: number | null;
      oldest_update: string | null;
      hours_since_oldest_update: number | null;
      stale_symbols: string[];
      /** Each stale price with its date and why it is not live (src/domains/prices/freshness.ts). */
      stale_prices: { symbol: string; as_of: string; cadence: string; reason: string }[];
    };
    greeks_coverage: {
      score: number;
      options_positions: number;
      positions_with_greeks: number;
      missing_greeks: number;
      symbols_missing_greeks: string[];
    };
  };
  recommendations: string[];
  last_assessed: string;
}

const isOption = (v: PositionValue) =>
  v.position.positionType === 'CALL' || v.position.positionType === 'PUT';

/** Hours from a price time to the market clock; a price ahead of the clock (replayed history) counts as fresh. */
const ageHours = (at: number, now: number) => Math.max(0, (now - at) / HOUR);

/** 100 up to a day old, then halving every three days. */
export function freshnessScore(hours: number): number {
  return hours <= FRESH_HOURS ? 100 : 100 * 0.5 ** ((hours - FRESH_HOURS) / HALF_LIFE_HOURS);
}

/**
 * How much of a valuation rests on real, recent data: price coverage (open positions valued from
 * a real price rather than at cost), freshness of the prices used against the market clock (the
 * score follows the OLDEST price, since one stale price taints the total; the newest is reported
 * as last_updated), and greeks coverage (options whose implied volatility is known, so they are
 * priced by Black-Scholes and have greeks). The overall score weights them 50/30/20 when the
 * portfolio holds options and 60/40 otherwise. An empty portfolio scores 100: nothing is missing.
 */
export function assessQuality(value: PortfolioValue, now: number): DataQuality {
  const open = value.positions.filter((v) => v.isOpen);
  const priced = open.filter((v) => v.priceSource !== 'cost');
  const unpriced = open.filter((v) => v.priceSource === 'cost');
  const coverage = open.length ? (priced.length / open.length) * 100 : 100;

  const times = priced.flatMap((v) => (v.priceAt !== null ? [v.priceAt] : []));
  const newest = times.length ? Math.max(...times) : null;
  const oldest = times.length ? Math.min(...times) : null;
  // Stale by the one freshness rule: the price's cadence promised a newer observation by now.
  const stale = priced.filter((v) => v.freshness?.stale);
  const freshness = oldest === null ? (open.length ? 0 : 100) : freshnessScore(ageHours(oldest, now));

  const options = open.filter(isOption);
  const withGreeks = options.filter(
    (v) => v.position.impliedVolatility !== null && v.underlyingPrice !== null,
  );
  const missingGreeks = options.filter((v) => !withGreeks.includes(v));
  const greeks = options.length ? (withGreeks.length / options.length) * 100 : 100;

  const overall = options.length
    ? 0.5 * coverage + 0.3 * freshness + 0.2 * greeks
    : 0.6 * coverage + 0.4 * freshness;

  const symbols = (vs: PositionValue[]) => [...new Set(vs.map((v) => v.position.symbol))];
  const recommendations: string[] = [];
  const noPrice = symbols(unpriced.filter((v) => !isOption(v)));
  if (noPrice.length) {
    recommendations.push(
      `No market price for ${noPrice.join(', ')}: valued at cost. Add the asset to the catalog or import its prices.`,
    );
  }
  for (const v of missingGreeks) {
    recommendations.push(
      v.position.impliedVolatility === null
        ? `Set the implied volatility of option ${v.position.symbol} to price it and compute its greeks`
        : `No price for the underlying of option ${v.position.symbol}: it is valued at cost`,
    );
  }
  for (const v of stale) {
    recommendations.push(
      `${v.position.symbol} is valued at its ${v.freshness?.as_of.slice(0, 10)} price, not a live one: ${v.freshness?.stale_reason}`,
    );
  }
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    overall_score: round(overall, 2),
    metrics: {
      price_coverage: {
        score: round(coverage, 2),
        total_positions: open.length,
        positions_with_prices: priced.length,
        missing_prices: unpriced.length,
        unpriced_symbols: symbols(unpriced),
      },
      data_freshness: {
        score: round(freshness, 2),
        last_updated: iso(newest),
        hours_since_update: newest === null ? null : round(ageHours(newest, now), 2),
        oldest_update: iso(oldest),
        hours_since_oldest_update: oldest === null ? null : round(ageHours(oldest, now), 2),
        stale_symbols: symbols(stale),
        stale_prices: stale.flatMap((v) =>
          v.freshness?.stale_reason
            ? [
                {
                  symbol: v.position.symbol,
                  as_of: v.freshness.as_of,
                  cadence: v.freshness.cadence,
                  reason: v.freshness.stale_reason,
                },
              ]
            : [],
        ),
      },
      greeks_coverage: {
        score: round(greeks, 2),
        options_positions: options.length,
        positions_with_greeks: withGreeks.length,
        missing_greeks: missingGreeks.length,
        symbols_missing_greeks: symbols(missingGreeks),
      },
    },
    recommendations,
    last_assessed: new Date(now).toISOString(),
  };
}
