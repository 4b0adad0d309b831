import { and, count, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import { ApiError } from '../../../core/errors';
import type { Page } from '../../../core/pagination';
import { db } from '../../../db/client';
import { type TradeAssetType, type TradeType, trades } from '../../../db/schema';
import { D, type Realization } from '../ledger';
import { commitLedger, normalizeSymbol, type TradeInput } from './ledger';
import type { PortfolioRow, PositionRow, TradeRow } from './portfolios';

export interface TradeFilters {
  symbol?: string | undefined;
  trade_type?: TradeType | undefined;
  asset_type?: TradeAssetType | undefined;
  from?: string | undefined;
  to?: string | undefined;
  bot_id?: string | undefined;
}

/** A page of a portfolio's trades, newest first. */
export async function listTrades(env: Env, portfolioIds: string[], filters: TradeFilters, page: Page) {
  if (portfolioIds.length === 0) return { rows: [] as TradeRow[], total: 0 };
  const where = and(
    inArray(trades.portfolioId, portfolioIds),
    filters.symbol ? eq(trades.symbol, normalizeSymbol(filters.symbol)) : undefined,
    filters.trade_type ? eq(trades.tradeType, filters.trade_type) : undefined,
    filters.asset_type ? eq(trades.assetType, filters.asset_type) : undefined,
    filters.bot_id ? eq(trades.botId, filters.bot_id) : undefined,
    filters.from ? gte(trades.tradeDate, filters.from) : undefined,
    filters.to ? lte(trades.tradeDate, `${filters.to}\uffff`) : undefined,
  );
  const d = db(env);
  const [rows, total] = await Promise.all([
    d
      .select()
      .from(trades)
      .where(where)
      .orderBy(desc(trades.tradeDate), desc(trades.seq))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(trades).where(where).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export type TradePatch = Partial<
  Pick<TradeInput, 'quantity' | 'price' | 'fees' | 'trade_date' | 'notes' | 'trade_type'>
>;

/**
 * Edits a past trade. The whole ledger is replayed with the change, so every later sale's
 * realized P&L, every position's cost and the cash follow; an edit that would make any later
 * sale exceed what is held at its date is refused and changes nothing.
 */
export async function updateTrade(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  tradeId: string,
  patch: TradePatch,
) {
  let saved: TradeRow | undefined;
  const result = await commitLedger(env, portfolio, userId, 'trade.update', (ledger) => {
    const t = ledger.trades.find((x) => x.id === tradeId);
    if (!t) throw new ApiError('NOT_FOUND', `Trade ${tradeId} not found`);
    if (t.botId) throw new ApiError('AUTHORIZATION_ERROR', 'Trades made by a bot cannot be edited');
    const quantity = patch.quantity !== undefined ? new D(patch.quantity).toString() : t.quantity;
    const price = patch.price !== undefined ? new D(patch.price).toString() : t.price;
    saved = {
      ...t,
      tradeType: patch.trade_type ?? t.tradeType,
      quantity,
      price,
      fees: patch.fees !== undefined ? new D(patch.fees).toString() : t.fees,
      totalAmount: new D(quantity).times(price).toString(),
      tradeDate: patch.trade_date ?? t.tradeDate,
      notes: patch.notes !== undefined ? patch.notes : t.notes,
      updatedAt: new Date().toISOString(),
    };
    if (saved.positionId === null && !['add', 'remove', 'fee'].includes(saved.tradeType)) {
      throw new ApiError(
        'VALIDATION_ERROR',
        `A cash entry can be add, remove or fee, not ${saved.tradeType}`,
      );
    }
    return { updateTrades: [saved], details: { trade_ids: [tradeId], before: t } };
  });
  if (!saved) throw new ApiError('INTERNAL_ERROR', 'Trade was not updated');
  return { trade: saved, result };
}

/** Deletes a trade; the ledger is replayed without it (refused if a later sale would then exceed holdings). */
export async function deleteTrade(env: Env, portfolio: PortfolioRow, userId: string, tradeId: string) {
  const result = await commitLedger(env, portfolio, userId, 'trade.delete', (ledger) => {
    const t = ledger.trades.find((x) => x.id === tradeId);
    if (!t) throw new ApiError('NOT_FOUND', `Trade ${tradeId} not found`);
    if (t.botId) throw new ApiError('AUTHORIZATION_ERROR', 'Trades made by a bot cannot be deleted');
    return { deleteTradeIds: [tradeId], details: { trade_ids: [tradeId], before: t } };
  });
  return { id: tradeId, result };
}

export interface RealizedRow {
  trade_id: string;
  position_id: string;
  symbol: string;
  asset_type: string;
  position_type: string;
  date: string;
  quantity: number;
  proceeds: number;
  cost_basis: number;
  realized_pnl: number;
  realized_pnl_percent: number | null;
  method: 'wac' | 'fifo';
  /** FIFO only: the lots the sale consumed. */
  lots?: { trade_id: string; quantity: number; unit_cost: number }[];
}

/** One row per sale (or short cover), newest first, by the given cost method. */
export function realizedRows(
  realizations: readonly Realization[],
  positionRows: readonly PositionRow[],
  method: 'wac' | 'fifo',
): RealizedRow[] {
  const byId = new Map(positionRows.map((p) => [p.id, p]));
  return realizations
    .map((r) => {
      const p = byId.get(r.positionId);
      const m = method === 'fifo' ? r.fifo : r.wac;
      const pnl = m.pnl.toNumber();
      const basis = m.costBasis.toNumber();
      return {
        trade_id: r.entryId,
        position_id: r.positionId,
        symbol: p?.symbol ?? '',
        asset_type: p?.assetType ?? '',
        position_type: r.positionType,
        date: r.date,
        quantity: r.quantity.toNumber(),
        proceeds: r.proceeds.toNumber(),
        cost_basis: basis,
        realized_pnl: pnl,
        realized_pnl_percent: basis !== 0 ? (pnl / Math.abs(basis)) * 100 : null,
        method,
        ...(method === 'fifo'
          ? {
              lots: r.fifo.lots.map((l) => ({
                trade_id: l.entryId,
                quantity: l.quantity.toNumber(),
                unit_cost: l.unitCost.toNumber(),
              })),
            }
          : {}),
      };
    })
    .reverse();
}
