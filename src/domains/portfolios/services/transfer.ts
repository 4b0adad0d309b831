import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { sha256Hex } from '../../../core/crypto';
import { ApiError } from '../../../core/errors';
import { db } from '../../../db/client';
import { assets, ledgerCommits } from '../../../db/schema';
import {
  formatTradesCsv,
  type ParsedTradeRow,
  type ParsedTradesCsv,
  parseTradesCsv,
  type TradeCsvRow,
  TradesCsvError,
} from '../csv';
import { LedgerError, replay } from '../ledger';
import {
  commitLedger,
  type LoadedLedger,
  ledgerEntries,
  loadLedger,
  type Mutation,
  nextSeq,
  placeTrade,
  type TradeInput,
} from './ledger';
import type { PortfolioRow, PositionRow, TradeRow } from './portfolios';

export interface ImportReport {
  dry_run: boolean;
  total_rows: number;
  accepted: number;
  rejected: { line: number; raw: string; reasons: string[] }[];
  warnings: string[];
  /** Symbols of positions the import opens. */
  new_positions: string[];
  /** Ids of the trades written (empty for a dry run). */
  trade_ids: string[];
  /** The accepted rows as they would be (or were) recorded, first 100. */
  preview: {
    line: number;
    trade_date: string;
    trade_type: string;
    asset_type: string;
    symbol: string;
    quantity: string;
    price: string;
    fees: string;
  }[];
}

/** Ledger passes an import may take to drop rows the ledger refuses (each pass drops one). */
const MAX_LEDGER_PASSES = 50;

function inputOf(row: ParsedTradeRow): TradeInput {
  return {
    trade_type: row.type,
    asset_type: row.assetType,
    symbol: row.symbol,
    quantity: row.quantity,
    price: row.price,
    fees: row.fees,
    trade_date: row.date,
    notes: row.notes,
    position_type: row.positionType,
    underlying: row.underlying ?? undefined,
    strike: row.strike ?? undefined,
    expiry: row.expiry ?? undefined,
    multiplier: row.multiplier,
  };
}

function parse(text: string) {
  try {
    return parseTradesCsv(text);
  } catch (err) {
    if (err instanceof TradesCsvError) {
      throw new ApiError(
        err.code === 'CSV_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_ERROR',
        err.message,
        {
          details: { code: err.code, line: err.line },
          suggestion: 'See the README for the trades CSV columns.',
        },
      );
    }
    throw err;
  }
}

/**
 * Turns parsed rows into trades against a ledger: each row is placed on its position (made if
 * new), then the whole ledger is replayed; a row the ledger refuses (a sale beyond what is held
 * at its date, a withdrawal beyond the cash) is rejected with the reason and the rest replayed
 * again, so the accepted rows always form a valid ledger.
 */
async function plan(
  env: Env,
  ledger: LoadedLedger,
  userId: string,
  rows: ParsedTradeRow[],
  rejected: ImportReport['rejected'],
) {
  const created: PositionRow[] = [];
  let seq = nextSeq(ledger);
  let accepted: { row: ParsedTradeRow; trade: TradeRow }[] = [];
  for (const row of rows) {
    try {
      accepted.push({
        row,
        trade: await placeTrade(env, ledger, userId, inputOf(row), created, seq++, 'import'),
      });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      rejected.push({ line: row.line, raw: '', reasons: [err.message] });
    }
  }
  // A broker line can make several rows (both legs of a trade, a fee paid in a coin): all or none.
  const refused = new Set(rejected.map((r) => r.line));
  if (refused.size > 0) accepted = accepted.filter((a) => !refused.has(a.row.line));
  for (let pass = 0; ; pass++) {
    const positions = [...ledger.positions, ...created];
    try {
      replay(ledgerEntries(positions, [...ledger.trades, ...accepted.map((a) => a.trade)]));
      break;
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      const bad = accepted.find((a) => a.trade.id === err.entryId);
      if (!bad || pass >= MAX_LEDGER_PASSES) {
        throw new ApiError('VALIDATION_ERROR', `The import cannot be applied: ${err.message}`, {
          details: { trade_id: err.entryId, date: err.date, ...err.details },
        });
      }
      rejected.push({ line: bad.row.line, raw: '', reasons: [ledgerReason(err)] });
      accepted = accepted.filter((a) => a.row.line !== bad.row.line);
    }
  }
  const used = new Set(accepted.map((a) => a.trade.positionId));
  return { accepted, created: created.filter((p) => used.has(p.id)) };
}

function ledgerReason(err: LedgerError): string {
  if (err.code === 'INSUFFICIENT_QUANTITY') {
    return `sells ${err.details.requested ?? ''} but only ${err.details.held ?? '0'} is held on ${err.date}`;
  }
  if (err.code === 'INSUFFICIENT_CASH')
    return `withdraws more than the cash balance (${err.details.balance ?? '0'}) on ${err.date}`;
  return err.message;
}

/** What an import's ledger commit keeps to answer a repeat of the same file. */
interface StoredImport {
  content_hash: string;
  /** The report without the rejected rows' raw text, which the same file gives again. */
  report: Omit<ImportReport, 'rejected'> & { rejected: { line: number; reasons: string[] }[] };
}

/** Thrown inside the ledger change when the file was imported before: nothing is written. */
class AlreadyImported extends Error {
  constructor(
    readonly stored: StoredImport,
    readonly at: string,
  ) {
    super('already imported');
  }
}

/** The earlier import of this exact file into this portfolio, if any (newest first). */
async function earlierImport(
  env: Env,
  portfolioId: string,
  hash: string,
): Promise<{ stored: StoredImport; at: string } | null> {
  const row = await db(env)
    .select({ details: ledgerCommits.details, at: ledgerCommits.createdAt })
    .from(ledgerCommits)
    .where(
      and(
        eq(ledgerCommits.portfolioId, portfolioId),
        eq(ledgerCommits.action, 'trades.import'),
        sql`json_extract(${ledgerCommits.details}, '$.content_hash') = ${hash}`,
      ),
    )
    .orderBy(desc(ledgerCommits.version))
    .get();
  const stored = row?.details as StoredImport | undefined;
  return row && stored?.report ? { stored, at: row.at } : null;
}

/** The first import's report, answered for a repeat of its file (raw lines from the same text). */
function repeatReport(earlier: { stored: StoredImport; at: string }, rawLines: string[]): ImportReport {
  const r = earlier.stored.report;
  return {
    ...r,
    rejected: r.rejected.map((x) => ({ ...x, raw: rawLines[x.line - 1] ?? '' })),
    warnings: [
      ...r.warnings,
      `This file was already imported into this portfolio at ${earlier.at}; nothing was recorded again`,
    ],
  };
}

/**
 * Imports trades from CSV (the columns in the README). A dry run reports what would be
 * recorded and which rows are rejected and why, and writes nothing; otherwise the accepted
 * rows are recorded in one ledger change (all or none of them), the rejected ones reported.
 * Idempotent by content: the SHA-256 of the text is kept with the import's ledger commit, and
 * the same file posted to the same portfolio again answers with the first import's report and
 * records nothing. The check runs inside the ledger change, so two identical imports racing
 * each other serialize on the commit version and the second finds the first.
 */
export async function importTrades(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  text: string,
  options: { dryRun: boolean; parsed?: (ParsedTradesCsv & { total?: number }) | undefined },
): Promise<ImportReport> {
  // A broker file arrives already read into rows (importers/); the guarantees below are the same.
  const parsed = options.parsed ?? parse(text);
  const raw = new Map(parsed.rejected.map((r) => [r.line, r.raw]));
  const rawLines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const hash = await sha256Hex(text);
  const report = (
    accepted: { row: ParsedTradeRow; trade: TradeRow }[],
    created: PositionRow[],
    rejected: ImportReport['rejected'],
    existing: TradeRow[],
    written: boolean,
  ): ImportReport => {
    const fingerprint = (
      t: Pick<TradeRow, 'tradeDate' | 'tradeType' | 'symbol' | 'quantity' | 'price' | 'fees'>,
    ) => [t.tradeDate, t.tradeType, t.symbol, t.quantity, t.price, t.fees].join('|');
    const known = new Set(existing.map(fingerprint));
    const duplicates = accepted.filter((a) => known.has(fingerprint(a.trade))).map((a) => a.row.line);
    return {
      dry_run: !written,
      total_rows: options.parsed?.total ?? parsed.rows.length + parsed.rejected.length,
      accepted: accepted.length,
      rejected: [
        ...parsed.rejected,
        ...rejected.map((r) => ({ ...r, raw: raw.get(r.line) ?? rawLines[r.line - 1] ?? '' })),
      ].sort((a, b) => a.line - b.line),
      warnings: [
        ...parsed.warnings,
        ...(duplicates.length > 0
          ? [
              `Lines ${duplicates.join(', ')} repeat trades already in the ledger (same date, type, symbol, quantity, price and fees)`,
            ]
          : []),
      ],
      new_positions: created.map((p) => p.symbol),
      trade_ids: written ? accepted.map((a) => a.trade.id) : [],
      preview: accepted.slice(0, 100).map(({ row, trade }) => ({
        line: row.line,
        trade_date: trade.tradeDate,
        trade_type: trade.tradeType,
        asset_type: trade.assetType,
        symbol: trade.symbol,
        quantity: trade.quantity,
        price: trade.price,
        fees: trade.fees,
      })),
    };
  };

  if (options.dryRun) {
    const [ledger, earlier] = await Promise.all([
      loadLedger(env, portfolio),
      earlierImport(env, portfolio.id, hash),
    ]);
    const rejected: ImportReport['rejected'] = [];
    const { accepted, created } = await plan(env, ledger, userId, parsed.rows, rejected);
    const dry = report(accepted, created, rejected, ledger.trades, false);
    if (earlier) {
      dry.warnings.push(
        `This file was already imported into this portfolio at ${earlier.at}; importing it again records nothing`,
      );
    }
    return dry;
  }
  let outcome: ImportReport | undefined;
  const mutate = async (ledger: LoadedLedger): Promise<Mutation> => {
    const earlier = await earlierImport(env, portfolio.id, hash);
    if (earlier) throw new AlreadyImported(earlier.stored, earlier.at);
    const rejected: ImportReport['rejected'] = [];
    const { accepted, created } = await plan(env, ledger, userId, parsed.rows, rejected);
    if (accepted.length === 0) {
      throw new ApiError('VALIDATION_ERROR', 'No row of the file can be imported', {
        details: {
          rejected: report(accepted, created, rejected, ledger.trades, false).rejected.slice(0, 100),
        },
      });
    }
    const done = report(accepted, created, rejected, ledger.trades, true);
    outcome = done;
    const stored: StoredImport = {
      content_hash: hash,
      report: { ...done, rejected: done.rejected.map(({ line, reasons }) => ({ line, reasons })) },
    };
    return {
      insertPositions: created,
      insertTrades: accepted.map((a) => a.trade),
      details: { imported: accepted.length, rejected: rejected.length + parsed.rejected.length, ...stored },
    };
  };
  try {
    await commitLedger(env, portfolio, userId, 'trades.import', mutate);
  } catch (err) {
    if (err instanceof AlreadyImported) return repeatReport(err, rawLines);
    throw err;
  }
  if (!outcome) throw new ApiError('INTERNAL_ERROR', 'Import did not complete');
  return outcome;
}

/** The ledger as CSV, in the import's columns, oldest first: an export re-imports to the same ledger. */
export async function exportTrades(env: Env, portfolio: PortfolioRow): Promise<string> {
  const ledger = await loadLedger(env, portfolio);
  const byId = new Map(ledger.positions.map((p) => [p.id, p]));
  const underlyingIds = [
    ...new Set(ledger.positions.flatMap((p) => (p.underlyingAssetId ? [p.underlyingAssetId] : []))),
  ];
  const underlying = new Map(
    underlyingIds.length === 0
      ? []
      : (
          await db(env)
            .select({ id: assets.id, symbol: assets.symbol })
            .from(assets)
            .where(inArray(assets.id, underlyingIds))
        ).map((a) => [a.id, a.symbol] as const),
  );
  const rows: TradeCsvRow[] = ledger.trades
    .filter((t) => {
      const p = t.positionId ? byId.get(t.positionId) : undefined;
      return !t.positionId || (p?.isActive && !p.deletedAt);
    })
    .map((t) => {
      const p = t.positionId ? byId.get(t.positionId) : undefined;
      const option = p && (p.positionType === 'CALL' || p.positionType === 'PUT');
      return {
        date: t.tradeDate,
        type: t.tradeType,
        assetType: t.assetType,
        symbol: t.symbol,
        quantity: t.quantity,
        price: t.price,
        fees: t.fees,
        positionType: p?.positionType ?? 'LONG',
        underlying: option && p.underlyingAssetId ? (underlying.get(p.underlyingAssetId) ?? null) : null,
        strike: option ? p.strike : null,
        expiry: option ? p.expiry : null,
        multiplier: p?.multiplier ?? '1',
        notes: t.notes,
      };
    });
  return formatTradesCsv(rows);
}
