/**
 * Cash dividends from price files, and the trailing-12-month dividend yield.
 *
 * Two shapes of source:
 * - a close and an adjusted close (Yahoo `Adj Close`, EODHD `Adjusted_close`): the adjustment
 *   factor f = adjusted / close is constant between ex-dates and steps up at each one. Yahoo's
 *   convention multiplies every price before an ex-date by (1 − D / C_{t−1}), so at ex-date t
 *   the cash dividend is D = C_{t−1} × (1 − f_{t−1} / f_t).
 * - a reported dividends column (yfinance `history()` with `Dividends`), whose closes are
 *   already adjusted by that same convention: the factors are rebuilt backwards from f = 1 on
 *   the file's last row, f_{t−1} = f_t / (1 + f_t × D_t / A_{t−1}) (A: the adjusted close).
 */

/** One daily row of a file with both closes; `*Decimals` are the digits printed (rounding). */
export interface CloseAdjRow {
  time: number;
  close: number;
  adjusted: number;
  closeDecimals: number;
  adjustedDecimals: number;
}

export interface DividendEvent {
  /** Ex-date, 00:00 UTC epoch ms. */
  time: number;
  /** Cash per share in the close's units (split-adjusted as the file's `Close` is). */
  amount: number;
  /** The (unadjusted) close of the trading day before the ex-date. */
  closeBefore: number;
  /** The file's adjusted / close from the ex-date until the next one. */
  factor: number;
}

export interface DerivedDividends {
  events: DividendEvent[];
  /** Factor steps that are not a cash dividend (f fell, or by more than `maxRatioDrop`): splits or vendor fixes. */
  rejected: { time: number; ratio: number }[];
  /** The factor on the file's first row (before its first event). */
  firstFactor: number | null;
}

/** Half a unit in the last printed digit, relative to the value. */
const relRounding = (value: number, decimals: number) => (0.5 * 10 ** -decimals) / Math.abs(value);

/**
 * Cash dividends at the steps of f = adjusted / close. A step counts when |1 − f_{t−1}/f_t|
 * exceeds both `minStep` and twice what the rounding of the four printed numbers (two closes,
 * two adjusted closes) can explain. The default 2e-5 sits between the vendors' day-to-day
 * jitter of f (at most 8.1e-6 on every shipped file) and the smallest real dividend step
 * (1.0e-4, NVDA's $0.04). A step where f falls, or where f_{t−1}/f_t < 1 − `maxRatioDrop`
 * (a 25 % dividend), is rejected as a split or a vendor correction, not a cash dividend.
 */
export function deriveDividends(rows: CloseAdjRow[], minStep = 2e-5, maxRatioDrop = 0.25): DerivedDividends {
  const events: DividendEvent[] = [];
  const rejected: { time: number; ratio: number }[] = [];
  for (let i = 1; i < rows.length; i++) {
    const p = rows[i - 1] as CloseAdjRow;
    const r = rows[i] as CloseAdjRow;
    const fPrev = p.adjusted / p.close;
    const f = r.adjusted / r.close;
    const ratio = fPrev / f;
    const tolerance =
      2 *
      (relRounding(p.close, p.closeDecimals) +
        relRounding(p.adjusted, p.adjustedDecimals) +
        relRounding(r.close, r.closeDecimals) +
        relRounding(r.adjusted, r.adjustedDecimals));
    if (Math.abs(1 - ratio) <= Math.max(minStep, tolerance)) continue;
    if (ratio > 1 || ratio < 1 - maxRatioDrop) {
      rejected.push({ time: r.time, ratio });
      continue;
    }
    events.push({ time: r.time, amount: p.close * (1 - ratio), closeBefore: p.close, factor: f });
  }
  const first = rows[0];
  return { events, rejected, firstFactor: first ? first.adjusted / first.close : null };
}

/** One daily row of a file with reported dividends and adjusted closes (yfinance `history()`). */
export interface ReportedRow {
  time: number;
  /** The adjusted close the file gives. */
  adjusted: number;
  /** Cash dividend with ex-date on this row (0 if none). */
  dividend: number;
}

/**
 * Reported dividends with the adjustment factor of each ex-date, rebuilt backwards from f = 1
 * on the last row (the convention above), so a close on the file's adjusted basis converts to
 * the unadjusted close as adjusted / f.
 */
export function reportedDividends(rows: ReportedRow[]): DerivedDividends {
  const factors = new Array<number>(rows.length).fill(1);
  for (let i = rows.length - 1; i > 0; i--) {
    const r = rows[i] as ReportedRow;
    const f = factors[i] as number;
    const prevAdj = (rows[i - 1] as ReportedRow).adjusted;
    factors[i - 1] = r.dividend > 0 ? f / (1 + (f * r.dividend) / prevAdj) : f;
  }
  const events: DividendEvent[] = [];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i] as ReportedRow;
    if (!(r.dividend > 0)) continue;
    const p = rows[i - 1] as ReportedRow;
    events.push({
      time: r.time,
      amount: r.dividend,
      closeBefore: p.adjusted / (factors[i - 1] as number),
      factor: factors[i] as number,
    });
  }
  return { events, rejected: [], firstFactor: rows.length ? (factors[0] as number) : null };
}

export interface TrailingYield {
  /** Percent: dividends with ex-date in (asOf − 365 days, asOf] over the close at `asOf`. */
  yieldPct: number;
  dividends: number;
  count: number;
  windowStart: number;
  asOf: number;
}

const DAY = 86_400_000;

/**
 * Trailing-12-month dividend yield at `asOf` (00:00 UTC of the close's day): the sum of cash
 * dividends with ex-date after asOf − 365 days and at or before asOf, over `close` (the
 * unadjusted close at asOf), in percent. Events after `asOf` are ignored.
 */
export function trailingDividendYield(
  events: { time: number; amount: number }[],
  asOf: number,
  close: number,
): TrailingYield | null {
  if (!(close > 0)) return null;
  const windowStart = asOf - 365 * DAY;
  let dividends = 0;
  let count = 0;
  for (const e of events)
    if (e.time > windowStart && e.time <= asOf) {
      dividends += e.amount;
      count++;
    }
  return { yieldPct: (dividends / close) * 100, dividends, count, windowStart, asOf };
}
