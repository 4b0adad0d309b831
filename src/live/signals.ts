import { macd, rsi } from '../quant';
import type { LiveMessage } from './publisher';

// Technical signal changes for /ws/signals: when ingestion writes an asset's new 1h candle,
// the RSI(14) and MACD(12,26,9) of its recent 1h closes (the quant library, TA-Lib's
// definitions) are checked for a crossing between the previous candle and this one.
// Everything comes from the candles themselves, so the same candle always yields the
// same signal and no state is kept.

const HOUR = 3_600_000;
/** Enough closes for MACD's 33-bar warm-up plus the two bars compared. */
const LOOKBACK = 60;
const MIN_CLOSES = 35;
const IN_CHUNK = 90;

export const SIGNAL_METHOD =
  'crossings between the last two 1h candles: RSI(14, Wilder) above 70 or below 30; MACD(12,26,9) line across its signal';

interface CloseRow {
  asset_id: string;
  open_time: number;
  close: number;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/** What crossed between the last two closes of a series, if anything. */
export function crossings(closes: number[]): {
  signals: { signal: string; direction: 'bullish' | 'bearish'; value: number }[];
  indicators: {
    rsi_14: number | null;
    macd: number | null;
    macd_signal: number | null;
    macd_histogram: number | null;
  };
} {
  const r = rsi(closes, 14);
  const m = macd(closes);
  const [r0, r1] = [r.at(-2), r.at(-1)];
  const [h0, h1] = [m.histogram.at(-2), m.histogram.at(-1)];
  const signals: { signal: string; direction: 'bullish' | 'bearish'; value: number }[] = [];
  if (finite(r0) && finite(r1)) {
    if (r0 <= 70 && r1 > 70) signals.push({ signal: 'rsi_overbought', direction: 'bearish', value: r1 });
    if (r0 >= 30 && r1 < 30) signals.push({ signal: 'rsi_oversold', direction: 'bullish', value: r1 });
  }
  if (finite(h0) && finite(h1)) {
    if (h0 <= 0 && h1 > 0) signals.push({ signal: 'macd_bullish_cross', direction: 'bullish', value: h1 });
    if (h0 >= 0 && h1 < 0) signals.push({ signal: 'macd_bearish_cross', direction: 'bearish', value: h1 });
  }
  const num = (v: number | undefined) => (finite(v) ? v : null);
  return {
    signals,
    indicators: {
      rsi_14: num(r1),
      macd: num(m.macd.at(-1)),
      macd_signal: num(m.signal.at(-1)),
      macd_histogram: num(h1),
    },
  };
}

/**
 * The signal messages of the assets that just got a new 1h candle (`fresh`: asset id →
 * the candle's open time), from one read of their recent 1h closes.
 */
export async function signalChanges(
  env: Env,
  fresh: Map<string, number>,
  symbols: Map<string, string>,
): Promise<LiveMessage[]> {
  if (!fresh.size) return [];
  const ids = [...fresh.keys()];
  const from = Math.min(...fresh.values()) - LOOKBACK * HOUR;
  const rows: CloseRow[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const chunk = ids.slice(i, i + IN_CHUNK);
    const { results } = await env.DB.prepare(
      `SELECT asset_id, open_time, close FROM price_data
       WHERE timeframe = '1h' AND asset_id IN (${chunk.map(() => '?').join(', ')}) AND open_time >= ?
       ORDER BY open_time`,
    )
      .bind(...chunk, from)
      .all<CloseRow>();
    rows.push(...results);
  }
  const series = new Map<string, CloseRow[]>();
  for (const r of rows) {
    const upTo = fresh.get(r.asset_id);
    if (upTo === undefined || r.open_time > upTo) continue;
    const list = series.get(r.asset_id) ?? [];
    list.push(r);
    series.set(r.asset_id, list);
  }
  const out: LiveMessage[] = [];
  for (const [assetId, list] of series) {
    const recent = list.slice(-LOOKBACK);
    const last = recent.at(-1);
    const prev = recent.at(-2);
    // Only a crossing between two consecutive hours is a change seen now.
    if (recent.length < MIN_CLOSES || !last || !prev || last.open_time - prev.open_time !== HOUR) continue;
    const { signals, indicators } = crossings(recent.map((r) => r.close));
    for (const s of signals) {
      out.push({
        type: 'signal',
        symbol: symbols.get(assetId) ?? assetId,
        asset_id: assetId,
        timeframe: '1h',
        ...s,
        indicators: { ...indicators, close: last.close },
        candle_time: new Date(last.open_time).toISOString(),
        method: SIGNAL_METHOD,
      });
    }
  }
  return out;
}
