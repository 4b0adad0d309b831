import type { DividendMethod } from '../../db/schema/dividends';
import {
  type CloseAdjRow,
  type DerivedDividends,
  deriveDividends,
  type ReportedRow,
  reportedDividends,
} from '../../quant/dividends';
import { ASSET_CATALOG } from '../assets/catalog';
import { dayStart } from './history-csv';

/** A shipped file dividends are read from, for one catalog asset. */
export interface DividendFile {
  symbol: string;
  /** Path under ../shared/data. */
  path: string;
  /** `close-adj`: Close and Adj Close / Adjusted_close; `reported`: yfinance's Dividends column. */
  layout: 'close-adj' | 'reported';
  /** Rows after this day are dropped (chenc319's partial last bar). */
  until?: string;
}

const chenc = (symbol: string): DividendFile => ({
  symbol,
  path: `factors/etf-yahoo-chenc319/${symbol}.csv`,
  layout: 'close-adj',
  until: '2025-09-25',
});
const finanzas = (symbol: string): DividendFile => ({
  symbol,
  path: `factors/yahoo-finanzascuantitativas/${symbol}.csv`,
  layout: 'close-adj',
});

/**
 * Every catalog asset with a shipped file that carries dividends (factors/SOURCES.md, the data
 * README). Not here: QQQ, DIA, EFA, VWO, GLD, TLT, XLF, XLE, VNQ, ARKK, IJH (Alpha Vantage raw
 * closes only), SCHD and VTV's served series (yfinance auto_adjust: no unadjusted close; VTV's
 * EODHD copy ends 2024-04-11 and is on another adjustment basis), crypto (pays none).
 */
export const DIVIDEND_FILES: DividendFile[] = [
  ...['SPY', 'IWM', 'MTUM', 'QUAL', 'USMV', 'SPLV', 'VLUE', 'IWD', 'VYM', 'SPHD'].map(chenc),
  { symbol: 'VEA', path: 'factors/etf-eodhd-bdi2357/VEA_US.csv', layout: 'close-adj' },
  { symbol: 'VTI', path: 'factors/etf-eodhd-bdi2357/VTI_US.csv', layout: 'close-adj' },
  ...['AAPL', 'MSFT', 'NVDA', 'JPM'].map(finanzas),
  { symbol: 'AGG', path: 'prices/crypto-yahoo/AGG.csv', layout: 'reported' },
  { symbol: 'BND', path: 'prices/crypto-yahoo/BND.csv', layout: 'reported' },
];

const decimals = (cell: string) => {
  const dot = cell.indexOf('.');
  return dot < 0 ? 0 : cell.trim().length - dot - 1;
};

export interface FileDividends extends DerivedDividends {
  method: DividendMethod;
  /** How the asset's served closes relate to this file (see `dividend_sources.basis`). */
  basis: 'raw' | 'source_adjusted';
  firstTime: number | null;
  lastTime: number | null;
}

/**
 * The dividends in one shipped file: parsed, derived (src/quant/dividends.ts), with the span the
 * file covers and whether the asset's served closes are this file's adjusted ones.
 */
export function dividendsFromFile(file: DividendFile, text: string): FileDividends {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const col = (name: string) => {
    const i = header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    if (i < 0) throw new Error(`${file.path}: no column ${name}`);
    return i;
  };
  const until = file.until ? dayStart(file.until) : null;
  const date = col('Date');
  const close = col('Close');
  const served = ASSET_CATALOG.find((a) => a.symbol === file.symbol)?.history;
  const servedPath = served ? `${served.root ?? 'prices'}/${served.path}` : null;
  const basis = servedPath === file.path ? 'source_adjusted' : 'raw';
  const times: number[] = [];
  let derived: DerivedDividends;
  if (file.layout === 'close-adj') {
    const adj = header.some((h) => h === 'Adj Close') ? col('Adj Close') : col('Adjusted_close');
    const rows: CloseAdjRow[] = [];
    for (const line of lines) {
      const cells = line.split(',');
      const time = dayStart(cells[date] ?? '');
      const c = Number(cells[close]);
      const a = Number(cells[adj]);
      if (time === null || !(c > 0) || !(a > 0) || (until !== null && time > until)) continue;
      if (rows.length && (rows.at(-1) as CloseAdjRow).time >= time) continue;
      rows.push({
        time,
        close: c,
        adjusted: a,
        closeDecimals: decimals(cells[close] ?? ''),
        adjustedDecimals: decimals(cells[adj] ?? ''),
      });
      times.push(time);
    }
    derived = deriveDividends(rows);
  } else {
    const div = col('Dividends');
    const rows: ReportedRow[] = [];
    for (const line of lines) {
      const cells = line.split(',');
      const time = dayStart(cells[date] ?? '');
      const a = Number(cells[close]);
      if (time === null || !(a > 0) || (until !== null && time > until)) continue;
      if (rows.length && (rows.at(-1) as ReportedRow).time >= time) continue;
      rows.push({ time, adjusted: a, dividend: Number(cells[div]) || 0 });
      times.push(time);
    }
    derived = reportedDividends(rows);
  }
  return {
    ...derived,
    method: file.layout === 'reported' ? 'reported' : 'adj_close_step',
    basis,
    firstTime: times[0] ?? null,
    lastTime: times.at(-1) ?? null,
  };
}
