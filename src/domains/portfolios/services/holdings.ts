import type { RequestFacts } from '../../../core/client';
import { ApiError } from '../../../core/errors';
import type { TradeAssetType, TradeType } from '../../../db/schema';
import { type AssetRow, resolveAssets } from '../../assets/service';
import { isZeroDecimal } from '../ledger';
import { normalizeSymbol, resolveHeldAsset } from './ledger';
import {
  type EstimatePosition,
  getOwnedPosition,
  openPositionCounts,
  type PortfolioRow,
  type PositionRow,
  portfolioPositions,
} from './portfolios';
import {
  deactivatePosition,
  type OpenPositionInput,
  openPosition,
  tradeAssetType,
  type UpdatePositionInput,
  updatePosition,
} from './positions';
import { fromUsd, fxAssetId, pricesFor } from './valuation';

/**
 * The active position `ref` names in a portfolio: a position id (`pos_...`), or the asset id or
 * symbol of an active position there (000 addresses portfolio assets by asset). An option is
 * matched by its own symbol only, never by its underlying's id. Two active positions in one
 * asset (a LONG and a SHORT) make the asset ambiguous: the position id is then required.
 */
export async function positionInPortfolio(
  env: Env,
  userId: string,
  portfolio: PortfolioRow,
  ref: string,
  options: { includeInactive?: boolean } = {},
): Promise<PositionRow> {
  if (/^pos_/i.test(ref)) {
    const { position } = await getOwnedPosition(env, userId, ref);
    if (position.portfolioId !== portfolio.id || (!position.isActive && !options.includeInactive)) {
      throw new ApiError('NOT_FOUND', `Position ${ref} not found in portfolio ${portfolio.id}`);
    }
    return position;
  }
  const rows = await portfolioPositions(env, [portfolio.id], options);
  const symbol = normalizeSymbol(ref);
  const matches = rows.filter(
    (p) =>
      p.symbol === symbol || (p.assetId === ref && p.positionType !== 'CALL' && p.positionType !== 'PUT'),
  );
  const [only] = matches;
  if (!only) throw new ApiError('NOT_FOUND', `Asset ${ref} is not held in portfolio ${portfolio.id}`);
  if (matches.length > 1) {
    throw new ApiError('VALIDATION_ERROR', `${ref} names several positions in this portfolio`, {
      details: { position_ids: matches.map((p) => p.id) },
      suggestion: 'Address the position by its id (pos_...).',
    });
  }
  return only;
}

/** 000's "add asset": opens the position (its opening trade goes in the ledger) and records the activity in the same batch. */
export async function addPortfolioAsset(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  input: OpenPositionInput,
  facts?: Partial<RequestFacts>,
) {
  return openPosition(env, portfolio, userId, input, { activity: { action: 'portfolio.asset_add', facts } });
}

export async function changePortfolioAsset(
  env: Env,
  userId: string,
  position: PositionRow,
  input: UpdatePositionInput,
  facts?: Partial<RequestFacts>,
) {
  return updatePosition(env, userId, position.id, input, {
    activity: { action: 'portfolio.asset_update', facts },
  });
}

/** 000's delete: is_active = false; the position and its trades leave the figures. */
export async function removePortfolioAsset(
  env: Env,
  userId: string,
  position: PositionRow,
  facts?: Partial<RequestFacts>,
) {
  return deactivatePosition(env, userId, position.id, {
    activity: { action: 'portfolio.asset_remove', facts },
  });
}

export interface ValueEstimate {
  assetsCount: number;
  cash: number;
  marketValue: number;
  totalValue: number;
  costBasis: number;
  unrealizedPnl: number;
  /** Epoch ms of the newest price used; null when nothing was priced. */
  pricedAt: number | null;
}

/**
 * Value estimates for a page of portfolios with one positions query and one prices query:
 * the ledger's cached quantities and WAC cost at current prices (quotes, else the last daily
 * close). Options and instruments the catalog does not price count at cost here; the
 * portfolio's own detail values options with Black-Scholes.
 */
export async function estimateValues(
  env: Env,
  rows: PortfolioRow[],
  /** The portfolios' positions and open counts, when already read (`listPortfoliosWithHoldings`). */
  holdings?: { positions: EstimatePosition[]; counts: Map<string, number> },
): Promise<Map<string, ValueEstimate>> {
  const ids = rows.map((p) => p.id);
  const [positions, counts]: [EstimatePosition[], Map<string, number>] = holdings
    ? [holdings.positions, holdings.counts]
    : await Promise.all([portfolioPositions(env, ids), openPositionCounts(env, ids)]);
  const open = positions.filter((p) => !isZeroDecimal(p.quantity));
  // USD prices, and the FX rates of the portfolios' currencies to express them in.
  const fxIds = [...new Set(rows.map((p) => p.baseCurrency))].flatMap((c) => fxAssetId(c) ?? []);
  const prices = await pricesFor(env, [
    ...open.flatMap((p) =>
      p.assetId && p.positionType !== 'CALL' && p.positionType !== 'PUT' ? [p.assetId] : [],
    ),
    ...fxIds,
  ]);
  const currencyOf = new Map(rows.map((p) => [p.id, p.baseCurrency]));
  const out = new Map<string, ValueEstimate>();
  for (const pf of rows) {
    const cash = Number(pf.cash);
    out.set(pf.id, {
      assetsCount: counts.get(pf.id) ?? 0,
      cash,
      marketValue: 0,
      totalValue: cash,
      costBasis: 0,
      unrealizedPnl: 0,
      pricedAt: null,
    });
  }
  for (const p of open) {
    const e = out.get(p.portfolioId);
    if (!e) continue;
    const quantity = Number(p.quantity);
    const multiplier = Number(p.multiplier);
    const cost = Number(p.costBasis);
    const isOption = p.positionType === 'CALL' || p.positionType === 'PUT';
    const currency = currencyOf.get(p.portfolioId) ?? 'USD';
    const fxId = fxAssetId(currency);
    const fx = fxId ? prices.get(fxId) : undefined;
    const usd = p.assetId && !isOption ? prices.get(p.assetId) : undefined;
    // Without a stored rate a non-USD portfolio's position is estimated at cost, like an unpriced one.
    const quote =
      usd && (!fxId || fx) ? { ...usd, price: fromUsd(currency, usd.price, fx?.price ?? 1) } : undefined;
    const gross = quote ? quantity * quote.price * multiplier : cost;
    const sign = p.positionType === 'SHORT' ? -1 : 1;
    e.marketValue += sign * gross;
    e.totalValue += sign * gross;
    e.costBasis += sign * cost;
    e.unrealizedPnl += sign === 1 ? gross - cost : cost - gross;
    if (quote && (e.pricedAt === null || quote.at > e.pricedAt)) e.pricedAt = quote.at;
  }
  return out;
}

/** Catalog rows of the positions' assets, by id, for names. */
export async function assetsOf(env: Env, positions: PositionRow[]): Promise<Map<string, AssetRow>> {
  const ids = [...new Set(positions.flatMap((p) => (p.assetId ? [p.assetId] : [])))];
  return ids.length ? resolveAssets(env, ids) : new Map();
}

/**
 * The ledger asset type of a trade the client did not type: a deposit or withdrawal without a
 * symbol (or with a currency code) is cash; otherwise the catalog's type of the symbol. A
 * symbol the catalog does not know needs the type given.
 */
export async function inferAssetType(
  env: Env,
  userId: string,
  input: { trade_type: TradeType; symbol?: string | undefined; position_type?: string | undefined },
): Promise<TradeAssetType> {
  const cashLike = input.trade_type === 'add' || input.trade_type === 'remove' || input.trade_type === 'fee';
  if (cashLike && (!input.symbol || normalizeSymbol(input.symbol) === 'USD')) return 'cash';
  if (!input.symbol) throw new ApiError('VALIDATION_ERROR', 'symbol is required for a non-cash trade');
  const asset = await resolveHeldAsset(env, normalizeSymbol(input.symbol), userId).catch((err: unknown) => {
    if (err instanceof ApiError && err.code === 'NOT_FOUND') return null;
    throw err;
  });
  if (!asset) {
    throw new ApiError('VALIDATION_ERROR', `asset_type is required: ${input.symbol} is not in the catalog`, {
      details: { symbol: input.symbol },
    });
  }
  return tradeAssetType(asset.assetType);
}
