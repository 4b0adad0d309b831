import type { Candle } from '../../providers/types';
import type { HistoryFile } from '../assets/catalog';

/** Epoch ms of a YYYY-MM-DD day at 00:00 UTC, or null if it is not a date. */
export function dayStart(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) ? null : t;
}

function num(value: string | undefined): number | null {
  if (value === undefined) return null;
  const v = value.trim().replace(/^"|"$/g, '');
  if (v === '' || v === '.' || v === 'null' || v === 'NaN') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

interface Columns {
  date: number;
  /** An adjusted close: OHLC are scaled by adjusted / close. */
  adjusted?: number;
  open?: number;
  high?: number;
  low?: number;
  close: number;
  volume?: number;
}

function columnsFor(format: HistoryFile['format'], header: string[]): Columns {
  const find = (name: string) => {
    const i = header.findIndex((h) => h.trim().replace(/^"|"$/g, '').toLowerCase() === name.toLowerCase());
    if (i < 0) throw new Error(`column ${name} not in header ${header.join(',')}`);
    return i;
  };
  switch (format) {
    case 'yahoo':
    case 'yahoo-adj':
      return {
        date: find('Date'),
        open: find('Open'),
        high: find('High'),
        low: find('Low'),
        close: find('Close'),
        volume: find('Volume'),
      };
    case 'alphavantage':
      return {
        date: find('date'),
        open: find('1. open'),
        high: find('2. high'),
        low: find('3. low'),
        close: find('4. close'),
        volume: find('5. volume'),
      };
    case 'yahoo-adjclose':
    case 'eodhd-adjusted':
      return {
        date: find('Date'),
        open: find('Open'),
        high: find('High'),
        low: find('Low'),
        close: find('Close'),
        volume: find('Volume'),
        adjusted: find(format === 'yahoo-adjclose' ? 'Adj Close' : 'Adjusted_close'),
      };
    case 'yfinance-autoadj':
      // Header `Price,Close,High,Low,Open,Volume`; the date is the first column.
      return {
        date: 0,
        close: find('Close'),
        high: find('High'),
        low: find('Low'),
        open: find('Open'),
        volume: find('Volume'),
      };
    case 'fred':
      return { date: 0, close: 1 };
    case 'gold':
      return { date: find('Date'), close: find('Closing Value') };
  }
}

export interface ParsedHistory {
  candles: Candle[];
  /** Rows skipped: empty or non-numeric values (holidays in FRED and ^TNX, XLM's leading blanks). */
  skipped: number;
  /** Second and later rows for a day already seen. */
  duplicates: number;
}

/**
 * Daily candles from one of the shipped CSV layouts, ascending by day. Close-only series
 * (FRED, gold) become candles with open = high = low = close. Values are kept as the source
 * gave them: inconsistent highs and lows are for the quality report to find, not to hide.
 */
export function parseHistory(
  text: string,
  format: HistoryFile['format'],
  options: { until?: string | undefined } = {},
): ParsedHistory {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const headerLine = lines.shift();
  // yfinance's multi-index CSV: the `Ticker,...` and `Date,,,` lines follow the header.
  if (format === 'yfinance-autoadj') lines.splice(0, 2);
  const until = options.until ? dayStart(options.until) : null;
  if (!headerLine) return { candles: [], skipped: 0, duplicates: 0 };
  const cols = columnsFor(format, headerLine.split(','));
  const byDay = new Map<number, Candle>();
  let skipped = 0;
  let duplicates = 0;
  for (const line of lines) {
    const cells = line.split(',');
    const time = dayStart(cells[cols.date] ?? '');
    const raw = num(cells[cols.close]);
    const adj = cols.adjusted === undefined ? raw : num(cells[cols.adjusted]);
    if (time === null || raw === null || adj === null || (cols.adjusted !== undefined && raw === 0)) {
      skipped++;
      continue;
    }
    if (until !== null && time > until) continue;
    const scale = cols.adjusted === undefined ? 1 : adj / raw;
    const close = cols.adjusted === undefined ? raw : adj;
    const pick = (i: number | undefined) => (i === undefined ? close : (num(cells[i]) ?? raw) * scale);
    if (byDay.has(time)) {
      duplicates++;
      continue;
    }
    byDay.set(time, {
      openTime: time,
      open: pick(cols.open),
      high: pick(cols.high),
      low: pick(cols.low),
      close,
      volume: cols.volume === undefined ? 0 : (num(cells[cols.volume]) ?? 0),
    });
  }
  const candles = [...byDay.values()].sort((a, b) => a.openTime - b.openTime);
  return { candles, skipped, duplicates };
}
