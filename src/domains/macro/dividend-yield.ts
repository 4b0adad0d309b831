import { trailingDividendYield } from '../../quant/dividends';
import { ASSET_CATALOG } from '../assets/catalog';
import { DAY, type MacroInputs } from './data';

const dayIso = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);

/** How a served dividend yield was computed: window, data points, as-of, source. */
export interface DividendYieldBasis {
  method: 'adj_close_step' | 'reported';
  window_start: string;
  as_of: string;
  dividends_ttm: number;
  data_points: number;
  /** The unadjusted close the sum is divided by. */
  close: number;
  source: string;
}

export type DividendYield =
  | { value: number; basis: DividendYieldBasis; reason: null }
  | { value: null; basis: null; reason: string };

const round = (v: number, digits: number) => Number(v.toPrecision(digits));

function noSource(symbol: string, type: string): string {
  if (type === 'crypto' || type === 'stablecoin') return 'Crypto assets pay no dividends.';
  if (type !== 'etf' && type !== 'us-equity') return 'Not a dividend-paying security.';
  const format = ASSET_CATALOG.find((a) => a.symbol === symbol)?.history?.format;
  if (format === 'alphavantage')
    return 'Only unadjusted closes are shipped for this asset (Alpha Vantage): no adjusted series or dividend column to derive dividends from; configure a provider with dividends.';
  if (format === 'yfinance-autoadj')
    return 'Only a dividend-adjusted series is shipped for this asset (yfinance auto_adjust): no unadjusted close to derive dividends from; configure a provider with dividends.';
  return 'No shipped file carries this asset’s dividends; configure a provider with dividends.';
}

/**
 * Trailing-12-month dividend yield (percent) of one asset at its close of `closeDay` (a UTC day
 * number at or before the market clock): cash dividends with ex-date in (closeDay − 365 days,
 * closeDay] over the unadjusted close of closeDay. Served only where the dividend source covers
 * the whole window; otherwise null with the reason.
 */
export function dividendYieldAt(
  inputs: MacroInputs,
  asset: { id: string; symbol: string; type: string },
  close: { value: number; day: number } | null,
): DividendYield {
  const source = inputs.dividendSources?.get(asset.id);
  if (!source) return { value: null, basis: null, reason: noSource(asset.symbol, asset.type) };
  if (!close) return { value: null, basis: null, reason: 'No close at or before the market clock.' };
  const asOf = close.day * DAY;
  const windowStart = asOf - 365 * DAY;
  if (source.firstTime > windowStart)
    return {
      value: null,
      basis: null,
      reason: `The dividend source (${source.source}) starts ${dayIso(source.firstTime / DAY)}: less than 12 months before the close of ${dayIso(close.day)}.`,
    };
  if (source.lastTime < asOf)
    return {
      value: null,
      basis: null,
      reason: `The dividend source (${source.source}) ends ${dayIso(source.lastTime / DAY)}, before the close of ${dayIso(close.day)}: later dividends are unknown.`,
    };
  const events = (inputs.dividends?.get(asset.id) ?? []).filter((e) => e.time <= asOf);
  // Served closes on the source's adjusted basis become unadjusted by the factor in force that day.
  const factor = source.basis === 'raw' ? 1 : (events.at(-1)?.factor ?? source.firstFactor);
  const raw = close.value / factor;
  const y = trailingDividendYield(events, asOf, raw);
  if (!y) return { value: null, basis: null, reason: 'No positive close to divide by.' };
  return {
    value: round(y.yieldPct, 10),
    basis: {
      method: source.method,
      window_start: dayIso(windowStart / DAY + 1),
      as_of: dayIso(close.day),
      dividends_ttm: round(y.dividends, 10),
      data_points: y.count,
      close: round(raw, 10),
      source: source.source,
    },
    reason: null,
  };
}
