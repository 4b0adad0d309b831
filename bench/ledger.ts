import type { PositionRow, TradeRow } from '../src/domains/portfolios/checkpoints';
import {
  derivedChanges,
  derivedJson,
  ledgerEntries,
  replayChange,
  tradeOrder,
  withDerived,
} from '../src/domains/portfolios/checkpoints';
import { type Checkpoint, replay, replayResumable } from '../src/domains/portfolios/ledger';

// `npm run bench -- --suite ledger`: the CPU of one change to a 5,000-trade ledger (50
// positions, 46 long and 4 short, bench/portfolio.ts's shape), as commitLedger spends it between
// its D1 read and its batch: before (replay all 5,001 entries, derive every position) and
// after (continue from the checkpoint of the version before, derive, write what changed), in
// the same run. Pure and in-process: no D1, so the D1 figures are the commit's own counts.

const POSITIONS = 50;
const PER_POSITION = 100;
/** Rows per json_each statement in changeStatements. */
const JSON_CHUNK = 400;
const PORTFOLIO = 'pf_bench_ledger';
const STAMP = '2023-01-01T00:00:00.000Z';

function positionRow(i: number): PositionRow {
  return {
    id: `pos_${i}`,
    portfolioId: PORTFOLIO,
    symbol: `SYM${i}`,
    assetType: 'us-equity',
    positionType: i >= 46 ? 'SHORT' : 'LONG',
    assetId: null,
    underlyingAssetId: null,
    strike: null,
    expiry: null,
    multiplier: '1',
    impliedVolatility: null,
    notes: null,
    allocationTarget: null,
    tags: {},
    isActive: true,
    quantity: '0',
    costBasis: '0',
    avgCost: '0',
    fifoCostBasis: '0',
    realizedPnl: '0',
    fifoRealizedPnl: '0',
    income: '0',
    totalCost: '0',
    totalProceeds: '0',
    openedAt: null,
    closedAt: null,
    createdAt: STAMP,
    updatedAt: STAMP,
    deletedAt: null,
  };
}

function tradeRow(p: PositionRow, i: number, seq: number, day: string): TradeRow {
  // Open on even trades, close half as much on odd ones (bench/portfolio.ts's ledger).
  const opening = i % 2 === 0;
  const short = p.positionType === 'SHORT';
  const price = (100 + Number(p.id.slice(4)) + (i % 17)).toFixed(2);
  const quantity = opening ? '2' : '1';
  return {
    id: `trd_${seq}`,
    portfolioId: PORTFOLIO,
    userId: 'usr_bench',
    positionId: p.id,
    tradeType: short ? (opening ? 'sell' : 'buy') : opening ? 'buy' : 'sell',
    assetType: p.assetType,
    symbol: p.symbol,
    quantity,
    price,
    fees: '0.5',
    totalAmount: String(Number(quantity) * Number(price)),
    tradeDate: day,
    seq,
    notes: null,
    source: 'import',
    botId: null,
    createdAt: STAMP,
    updatedAt: STAMP,
  };
}

const dayOf = (n: number) => new Date(Date.UTC(2023, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

interface Timing {
  median: number;
  cpu: number;
}

/**
 * `before` and `after` run alternately (so machine load falls on both alike), after warm-up:
 * each one's median wall ms and median CPU ms (process.cpuUsage, user + system) over `runs`.
 */
function interleaved(before: () => void, after: () => void, runs: number): [Timing, Timing] {
  for (let i = 0; i < 3; i++) {
    before();
    after();
  }
  const walls: [number[], number[]] = [[], []];
  const cpus: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of [before, after].entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      walls[k]?.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpus[k]?.push((c.user + c.system) / 1000);
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  return [
    { median: median(walls[0]), cpu: median(cpus[0]) },
    { median: median(walls[1]), cpu: median(cpus[1]) },
  ];
}

export interface LedgerBenchRow {
  case: string;
  'entries replayed': number;
  'median ms': string;
  'CPU ms': string;
  '× before': string;
  'positions written': number;
  'rows written': number;
  statements: number;
  'bytes bound': number;
}

export function runLedgerBench(options: { runs?: number } = {}): LedgerBenchRow[] {
  const runs = options.runs ?? 21;
  const positions = Array.from({ length: POSITIONS }, (_, i) => positionRow(i));
  const trades: TradeRow[] = [];
  let seq = 1;
  for (const p of positions) {
    for (let i = 0; i < PER_POSITION; i++) {
      trades.push(tradeRow(p, i, seq++, dayOf(Math.floor((i * 364) / PER_POSITION))));
    }
  }
  trades.sort(tradeOrder);
  // The version as committed: its replay, checkpoints and stored derived figures.
  const first = replayResumable(ledgerEntries(positions, trades));
  const checkpoints = first.checkpoints as Checkpoint[];
  const stored = derivedChanges(positions, first.state, STAMP).saved;
  const ledger = { positions: stored, trades };

  const p7 = stored[7] as PositionRow;
  const cases: { name: string; insert: TradeRow }[] = [
    { name: 'append: a buy today', insert: tradeRow(p7, 0, seq, '2023-12-31') },
    { name: 'back-dated insert, 30 days before the end', insert: tradeRow(p7, 0, seq, '2023-11-30') },
    { name: 'back-dated insert, at the first day', insert: tradeRow(p7, 0, seq, '2023-01-01') },
  ];

  // The commit's statements and rows: its ledger_commits row, the trade insert, the positions'
  // derived figures (json_each, JSON_CHUNK rows a statement) and the portfolio's cash and totals.
  const writes = (rows: readonly PositionRow[]) => ({
    statements: 2 + Math.ceil(rows.length / JSON_CHUNK) + 1,
    rows: 2 + rows.length + 1,
    bytes: rows.length === 0 ? 0 : JSON.stringify(rows.map(derivedJson)).length,
  });

  const rows: LedgerBenchRow[] = [];
  for (const c of cases) {
    const nextTrades = [...trades, c.insert].sort(tradeOrder);
    const next = { positions: stored, trades: nextTrades };
    // Before: what changeStatements did for every change.
    let before: ReturnType<typeof replay> | undefined;
    let beforeRows: PositionRow[] = [];
    let after: ReturnType<typeof replayChange> | undefined;
    let changed: PositionRow[] = [];
    const [b, a] = interleaved(
      () => {
        before = replay(ledgerEntries(next.positions, next.trades));
        beforeRows = next.positions.map((p) => withDerived(p, before as ReturnType<typeof replay>, 'now'));
        JSON.stringify(beforeRows.map(derivedJson));
      },
      () => {
        after = replayChange(ledger, checkpoints, next, { insertTrades: [c.insert] });
        changed = derivedChanges(next.positions, after.state, 'now').changed;
        JSON.stringify(changed.map(derivedJson));
      },
      runs,
    );
    const same = (x: PositionRow[]) => JSON.stringify(x.map(({ updatedAt: _u, ...rest }) => rest));
    const applied = next.positions.map((p) => changed.find((q) => q.id === p.id) ?? p);
    if (
      !before ||
      !after ||
      after.state.cash.toString() !== before.cash.toString() ||
      same(applied) !== same(beforeRows)
    ) {
      throw new Error(`${c.name}: the checkpointed replay differs from the full one`);
    }
    const full = writes(beforeRows);
    const part = writes(changed);
    rows.push({
      case: `${c.name}: before (full replay)`,
      'entries replayed': before.entriesApplied,
      'median ms': b.median.toFixed(2),
      'CPU ms': b.cpu.toFixed(2),
      '× before': '1.00',
      'positions written': beforeRows.length,
      'rows written': full.rows,
      statements: full.statements,
      'bytes bound': full.bytes,
    });
    rows.push({
      case: `${c.name}: after (from ${after.from})`,
      'entries replayed': after.replayed,
      'median ms': a.median.toFixed(2),
      'CPU ms': a.cpu.toFixed(2),
      '× before': (a.cpu / b.cpu).toFixed(3),
      'positions written': changed.length,
      'rows written': part.rows,
      statements: part.statements,
      'bytes bound': part.bytes,
    });
  }
  // What keeping checkpoints costs a full replay (a read's first replay of a version keeps them).
  const entries = ledgerEntries(positions, trades);
  const [plainReplay, keeping] = interleaved(
    () => replay(entries),
    () => replayResumable(entries),
    runs,
  );
  const none = { 'positions written': 0, 'rows written': 0, statements: 0, 'bytes bound': 0 };
  rows.push({
    case: 'full replay of 5,000 (a read): plain',
    'entries replayed': entries.length,
    'median ms': plainReplay.median.toFixed(2),
    'CPU ms': plainReplay.cpu.toFixed(2),
    '× before': '1.00',
    ...none,
  });
  rows.push({
    case: `full replay of 5,000 (a read): keeping ${checkpoints.length} checkpoints`,
    'entries replayed': entries.length,
    'median ms': keeping.median.toFixed(2),
    'CPU ms': keeping.cpu.toFixed(2),
    '× before': (keeping.cpu / plainReplay.cpu).toFixed(3),
    ...none,
  });
  return rows;
}
