/**
 * Kenneth French Data Library daily CSVs (raw YYYYMMDD layout, or the `.isodates` copy):
 * returns as decimals by day. Pure: used by the seeder and by tests.
 */
export interface FrenchTable {
  columns: string[];
  /** Day (00:00 UTC, epoch ms) → values in decimals (the files give percent), by column. */
  rows: Map<number, number[]>;
}

const dayOf = (cell: string): number | null => {
  const c = cell.trim();
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(c);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) ? null : t;
};

export function parseFrench(text: string): FrenchTable {
  let columns: string[] | null = null;
  const rows = new Map<number, number[]>();
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(',');
    if (cells.length < 2) continue;
    const day = dayOf(cells[0] ?? '');
    if (day === null) {
      // The header: the first comma line naming a factor, before the first data row.
      if (rows.size === 0 && /Mkt-RF|Mom/i.test(line)) columns = cells.slice(1).map((c) => c.trim());
      else if (rows.size > 0) break; // the daily table ends (annual tables or the footer follow)
      continue;
    }
    if (!columns) continue;
    const values = cells.slice(1, columns.length + 1).map((c) => Number(c.trim()) / 100);
    if (values.length !== columns.length || values.some((v) => !Number.isFinite(v))) continue;
    // -99.99 / -999 mark missing values in French's files.
    if (cells.slice(1).some((c) => c.trim() === '-99.99' || c.trim() === '-999')) continue;
    rows.set(day, values);
  }
  if (!columns) throw new Error('no French factor header found');
  return { columns, rows };
}

export interface FactorRow {
  time: number;
  mkt_rf: number;
  smb: number;
  hml: number;
  rmw: number | null;
  cma: number | null;
  mom: number | null;
  rf: number;
}

/** One vintage's FF3, FF5 and momentum files joined by day (FF3 days; FF5 and Mom where present). */
export function joinFrench(ff3: FrenchTable, ff5: FrenchTable, mom: FrenchTable, from = 0): FactorRow[] {
  const col = (t: FrenchTable, name: string) => t.columns.findIndex((c) => c.toLowerCase() === name);
  const i3 = { mkt: col(ff3, 'mkt-rf'), smb: col(ff3, 'smb'), hml: col(ff3, 'hml'), rf: col(ff3, 'rf') };
  const i5 = { rmw: col(ff5, 'rmw'), cma: col(ff5, 'cma') };
  const im = col(mom, 'mom');
  const out: FactorRow[] = [];
  for (const [time, v] of ff3.rows) {
    if (time < from) continue;
    const f5 = ff5.rows.get(time);
    const m = mom.rows.get(time);
    out.push({
      time,
      mkt_rf: v[i3.mkt] ?? 0,
      smb: v[i3.smb] ?? 0,
      hml: v[i3.hml] ?? 0,
      rmw: f5 ? (f5[i5.rmw] ?? null) : null,
      cma: f5 ? (f5[i5.cma] ?? null) : null,
      mom: m ? (m[im] ?? null) : null,
      rf: v[i3.rf] ?? 0,
    });
  }
  return out.sort((a, b) => a.time - b.time);
}

/** The shipped vintages, newest first, with their file names under ../shared/data/factors. */
export const FRENCH_VINTAGES = [
  {
    vintage: '202604',
    folder: 'kenneth-french-202604',
    ff3: 'F-F_Research_Data_Factors_daily.csv',
    ff5: 'F-F_Research_Data_5_Factors_2x3_daily.isodates.csv',
    mom: 'F-F_Momentum_Factor_daily.csv',
  },
  {
    vintage: '202407',
    folder: 'kenneth-french-202407',
    ff3: 'F-F_Research_Data_Factors_daily.CSV',
    ff5: 'F-F_Research_Data_5_Factors_2x3_daily.CSV',
    mom: 'F-F_Momentum_Factor_daily.CSV',
  },
] as const;

/** Rows before this day are not loaded: regressions look back at most a few years from 2010 on. */
export const FRENCH_FROM = Date.UTC(2005, 0, 1);
