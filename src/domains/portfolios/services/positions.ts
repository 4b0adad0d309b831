import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import type { PositionType, TradeAssetType } from '../../../db/schema';
import { D } from '../ledger';
import {
  type CommitResult,
  commitLedger,
  findHeldAsset,
  type LedgerActivity,
  type LoadedLedger,
  newPosition,
  newTrade,
  nextSeq,
  normalizeSymbol,
  resolveHeldAsset,
} from './ledger';
import { getOwnedPosition, type PortfolioRow, type PositionRow, type TradeRow } from './portfolios';
import { dateOf, pricesIn } from './valuation';

/** Maps the catalog's asset types onto the ledger's (003's) asset types. */
export function tradeAssetType(catalogType: string): TradeAssetType {
  switch (catalogType) {
    case 'crypto':
    case 'stablecoin':
      return 'crypto';
    case 'us-equity':
      return 'us-equity';
    case 'pk-equity':
      return 'pk-equity';
    case 'etf':
    case 'index':
      return 'etf';
    case 'metal':
    case 'commodity':
      return 'metal';
    default:
      return 'us-equity';
  }
}

export interface OpenPositionInput {
  /** Asset id or symbol (000's asset_id, 004's symbol). For options: the option's own symbol. */
  symbol: string;
  quantity: string;
  /** Per unit; defaults to the current price. */
  entry_price?: string | undefined;
  /** YYYY-MM-DD; defaults to today (the replay's day when replaying). */
  entry_date?: string | undefined;
  fees?: string | undefined;
  position_type?: PositionType | undefined;
  asset_type?: TradeAssetType | undefined;
  underlying?: string | undefined;
  strike?: string | undefined;
  expiry?: string | undefined;
  multiplier?: string | undefined;
  implied_volatility?: number | null | undefined;
  notes?: string | null | undefined;
  allocation_target?: number | null | undefined;
  tags?: Record<string, string> | undefined;
}

export interface UpdatePositionInput {
  quantity?: string | undefined;
  entry_price?: string | undefined;
  entry_date?: string | undefined;
  notes?: string | null | undefined;
  allocation_target?: number | null | undefined;
  implied_volatility?: number | null | undefined;
  tags?: Record<string, string> | undefined;
  is_active?: boolean | undefined;
}

const isOptionType = (t: PositionType) => t === 'CALL' || t === 'PUT';

export async function today(env: Env): Promise<string> {
  return dateOf(await marketNow(env));
}

/**
 * The price to trade at when none is given: the asset's current price in the portfolio's
 * currency (an option's must be given).
 */
async function currentPrice(
  env: Env,
  currency: string,
  position: Pick<PositionRow, 'assetId' | 'positionType' | 'symbol'>,
) {
  if (position.assetId && !isOptionType(position.positionType)) {
    const { prices } = await pricesIn(env, currency, [position.assetId]);
    const price = prices.get(position.assetId);
    if (price) return new D(price.price).toString();
  }
  throw new ApiError('VALIDATION_ERROR', `No current price for ${position.symbol}: give the price`, {
    details: { symbol: position.symbol },
  });
}

/** The trade that opens (LONG, CALL, PUT: a buy) or adds to (SHORT: a sell) a position. */
const openingSide = (t: PositionType) => (t === 'SHORT' ? 'sell' : 'buy');
const closingSide = (t: PositionType) => (t === 'SHORT' ? 'buy' : 'sell');

/**
 * Opens a position (000's "add asset", 004's "add position"): a position row and its opening
 * trade in the ledger. An asset already held as an active position of the same type answers
 * 409: change it instead, or record trades.
 */
export async function openPosition(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  input: OpenPositionInput,
  options: { activity?: LedgerActivity } = {},
): Promise<{ position: PositionRow; trade: TradeRow; result: CommitResult }> {
  const positionType = input.position_type ?? 'LONG';
  const isOption = isOptionType(positionType);
  if (isOption && (!input.underlying || !input.strike || !input.expiry)) {
    throw new ApiError('VALIDATION_ERROR', 'An option position needs underlying, strike and expiry');
  }
  let assetId: string | null;
  let symbol: string;
  let assetType: TradeAssetType;
  if (isOption) {
    const underlying = await resolveHeldAsset(env, normalizeSymbol(input.underlying ?? ''), userId);
    assetId = underlying.id;
    symbol = normalizeSymbol(input.symbol);
    assetType = input.asset_type ?? tradeAssetType(underlying.assetType);
  } else {
    const asset = await findHeldAsset(
      env,
      input.symbol.startsWith('ast_') ? input.symbol : normalizeSymbol(input.symbol),
      userId,
    );
    const type = input.asset_type ?? (asset ? tradeAssetType(asset.assetType) : null);
    if (!type) {
      throw new ApiError('NOT_FOUND', `Asset ${input.symbol} not found`, {
        suggestion:
          'Give asset_type to track an instrument the catalog does not price (it is valued at cost).',
      });
    }
    assetId = asset?.id ?? null;
    symbol = asset?.symbol ?? normalizeSymbol(input.symbol);
    assetType = type;
  }
  const date = input.entry_date ?? (await today(env));
  const price =
    input.entry_price ?? (await currentPrice(env, portfolio.baseCurrency, { assetId, positionType, symbol }));
  let position: PositionRow | undefined;
  let trade: TradeRow | undefined;
  const result = await commitLedger(env, portfolio, userId, 'position.open', (ledger: LoadedLedger) => {
    const clash = ledger.positions.find(
      (p) =>
        p.isActive &&
        !p.deletedAt &&
        p.symbol === symbol &&
        p.positionType === positionType &&
        (!isOption || (p.strike === new D(input.strike ?? '0').toString() && p.expiry === input.expiry)),
    );
    if (clash) {
      throw new ApiError(
        'INTEGRITY_ERROR',
        `${symbol} is already in this portfolio as position ${clash.id}`,
        {
          details: { position_id: clash.id },
          suggestion: 'Change that position, or record a trade on it.',
        },
      );
    }
    position = newPosition(portfolio.id, {
      symbol,
      assetType,
      positionType,
      assetId,
      underlyingAssetId: isOption ? assetId : null,
      strike: isOption ? new D(input.strike ?? '0').toString() : null,
      expiry: isOption ? (input.expiry ?? null) : null,
      ...(input.multiplier ? { multiplier: new D(input.multiplier).toString() } : {}),
      impliedVolatility: input.implied_volatility ?? null,
      notes: input.notes ?? null,
      allocationTarget: input.allocation_target ?? null,
      tags: input.tags ?? {},
    });
    trade = newTrade(
      ledger,
      userId,
      position.id,
      {
        trade_type: openingSide(positionType),
        asset_type: assetType,
        symbol,
        quantity: input.quantity,
        price,
        fees: input.fees,
        trade_date: date,
      },
      nextSeq(ledger),
      'position',
    );
    return {
      insertPositions: [position],
      insertTrades: [trade],
      details: { position_id: position.id, trade_ids: [trade.id] },
      activity: options.activity && {
        ...options.activity,
        details: { ...options.activity.details, position_id: position.id, trade_id: trade.id },
      },
    };
  });
  if (!position || !trade) throw new ApiError('INTERNAL_ERROR', 'Position was not opened');
  const saved = result.ledger.positions.find((p) => p.id === position?.id) ?? position;
  return { position: saved, trade, result };
}

/**
 * Changes a position. Notes, target, tags, implied volatility and the active flag are the
 * user's to edit. Quantity is not: a new quantity is recorded as a trade of the difference
 * (at `entry_price`, or the current price) dated today; a new entry price or date edits the
 * opening trade, which is only unambiguous while it is the position's only trade.
 */
export async function updatePosition(
  env: Env,
  userId: string,
  positionId: string,
  input: UpdatePositionInput,
  options: { activity?: LedgerActivity } = {},
) {
  const { position, portfolio } = await getOwnedPosition(env, userId, positionId);
  const date = await today(env);
  const result = await commitLedger(env, portfolio, userId, 'position.update', async (ledger) => {
    const current = ledger.positions.find((p) => p.id === positionId);
    if (!current || current.deletedAt) throw new ApiError('NOT_FOUND', `Position ${positionId} not found`);
    const own = ledger.trades.filter((t) => t.positionId === positionId);
    const movesLedger =
      input.quantity !== undefined || input.entry_price !== undefined || input.entry_date !== undefined;
    if (!current.isActive && movesLedger) {
      throw new ApiError(
        'VALIDATION_ERROR',
        `Position ${positionId} was removed: reactivate it (is_active: true) first`,
      );
    }
    if (input.is_active === true && !current.isActive) {
      // Its trades come back into the ledger; two active positions of one instrument would split it.
      const clash = ledger.positions.find(
        (p) =>
          p.id !== current.id &&
          p.isActive &&
          !p.deletedAt &&
          p.symbol === current.symbol &&
          p.positionType === current.positionType &&
          p.strike === current.strike &&
          p.expiry === current.expiry,
      );
      if (clash) {
        throw new ApiError('INTEGRITY_ERROR', `${current.symbol} is held again as position ${clash.id}`, {
          details: { position_id: clash.id },
          suggestion: 'Record trades on that position instead.',
        });
      }
    }
    const updated: PositionRow = {
      ...current,
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      ...(input.allocation_target !== undefined ? { allocationTarget: input.allocation_target } : {}),
      ...(input.implied_volatility !== undefined ? { impliedVolatility: input.implied_volatility } : {}),
      ...(input.tags !== undefined ? { tags: input.tags } : {}),
      ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
    };
    const insertTrades: TradeRow[] = [];
    const updateTrades: TradeRow[] = [];
    const held = new D(current.quantity);
    const wanted = input.quantity !== undefined ? new D(input.quantity) : held;
    if (!wanted.eq(held)) {
      const grow = wanted.gt(held);
      const side = grow ? openingSide(current.positionType) : closingSide(current.positionType);
      const price = input.entry_price ?? (await currentPrice(env, portfolio.baseCurrency, current));
      insertTrades.push(
        newTrade(
          ledger,
          userId,
          current.id,
          {
            trade_type: side,
            asset_type: current.assetType,
            symbol: current.symbol,
            quantity: wanted.minus(held).abs().toString(),
            price,
            trade_date: input.entry_date ?? date,
          },
          nextSeq(ledger),
          'position',
        ),
      );
    } else if (input.entry_price !== undefined || input.entry_date !== undefined) {
      const opening = own[0];
      if (own.length !== 1 || !opening) {
        throw new ApiError(
          'VALIDATION_ERROR',
          'The entry price and date belong to the opening trade, and this position has several trades',
          {
            details: { trade_ids: own.map((t) => t.id) },
            suggestion: 'Edit the trade itself through the trades ledger.',
          },
        );
      }
      const price = input.entry_price ?? opening.price;
      updateTrades.push({
        ...opening,
        price: new D(price).toString(),
        totalAmount: new D(opening.quantity).times(price).toString(),
        tradeDate: input.entry_date ?? opening.tradeDate,
      });
    }
    return {
      updatePositions: [updated],
      insertTrades,
      updateTrades,
      details: {
        position_id: positionId,
        fields: Object.keys(input),
        trade_ids: insertTrades.map((t) => t.id),
      },
      activity: options.activity && {
        ...options.activity,
        details: { ...options.activity.details, position_id: positionId, fields: Object.keys(input) },
      },
    };
  });
  const saved = result.ledger.positions.find((p) => p.id === positionId) ?? position;
  return { position: saved, result };
}

/** 000's delete: the position (and so its trades) leaves the portfolio's figures; it stays visible to 004's include_inactive. */
export async function deactivatePosition(
  env: Env,
  userId: string,
  positionId: string,
  options: { activity?: LedgerActivity } = {},
) {
  return updatePosition(env, userId, positionId, { is_active: false }, options);
}

/** 004's close: one trade of the whole open quantity, at the given price or the current one. */
export async function closePosition(
  env: Env,
  userId: string,
  positionId: string,
  input: {
    price?: string | undefined;
    date?: string | undefined;
    fees?: string | undefined;
    notes?: string | undefined;
  },
) {
  const { portfolio } = await getOwnedPosition(env, userId, positionId);
  const date = input.date ?? (await today(env));
  let trade: TradeRow | undefined;
  const result = await commitLedger(env, portfolio, userId, 'position.close', async (ledger) => {
    const current = ledger.positions.find((p) => p.id === positionId);
    if (!current?.isActive) throw new ApiError('NOT_FOUND', `Position ${positionId} not found`);
    const held = new D(current.quantity);
    if (held.isZero()) {
      throw new ApiError('VALIDATION_ERROR', `Position ${positionId} is already closed`, {
        details: { closed_at: current.closedAt },
      });
    }
    const price = input.price ?? (await currentPrice(env, portfolio.baseCurrency, current));
    trade = newTrade(
      ledger,
      userId,
      current.id,
      {
        trade_type: closingSide(current.positionType),
        asset_type: current.assetType,
        symbol: current.symbol,
        quantity: held.toString(),
        price,
        fees: input.fees,
        trade_date: date,
        notes: input.notes ?? 'Position closed',
      },
      nextSeq(ledger),
      'position',
    );
    return { insertTrades: [trade], details: { position_id: positionId, trade_ids: [trade.id] } };
  });
  if (!trade) throw new ApiError('INTERNAL_ERROR', 'Position was not closed');
  const saved = result.ledger.positions.find((p) => p.id === positionId);
  const realization = result.state.realizations.find((r) => r.entryId === trade?.id);
  return { position: saved, trade, realization, result };
}
