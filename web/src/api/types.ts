// The API's shapes the web app reads, typed by hand from /openapi.json (the schemas of the
// operations named beside each type). Only the fields the pages use are listed.

export interface Envelope<T> {
  success: true;
  data: T;
  meta: {
    timestamp: string;
    request_id: string;
    pagination?: { total: number; page: number; limit: number };
  };
}

/** GET /api/v1/assets, /assets/{id}, the watchlists' `assets`. */
export interface Asset {
  id: string;
  symbol: string;
  name: string;
  asset_type: string;
  sector_id: string | null;
  current_price: number | null;
  price_change_24h: number | null;
  price_change_percentage_24h: number | null;
  volume_24h: number | null;
  price_updated_at: string | null;
  as_of: string | null;
  stale: boolean;
  stale_reason: string | null;
  market_cap: number | null;
}

export interface Watchlist {
  id: string;
  name: string;
  is_default: boolean;
  asset_count: number;
}

export interface Candle {
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** GET /api/v1/assets/{id}/price-history */
export interface PriceHistory {
  symbol: string;
  timeframe: string;
  as_of: string | null;
  stale: boolean;
  stale_reason: string | null;
  count: number;
  candles: Candle[];
}

/** GET /api/v1/assets/{id}/statistics */
export interface Statistics {
  symbol: string;
  method: string;
  data_points_used: number;
  as_of: string | null;
  period_days: number;
  returns: Record<string, number | null>;
  volatility: Record<string, number | null>;
  ranges: Record<string, number | null>;
  volume: Record<string, number | null>;
  drawdown: {
    max_drawdown: number;
    peak_date: string | null;
    trough_date: string | null;
    duration_days: number;
  };
}

/** GET /api/v1/price-data/{id}/technical-indicators */
export interface Indicators {
  method: string;
  data_points_used: number;
  as_of: string | null;
  parameters: Record<string, unknown>;
  series: Record<string, (number | null)[] | string[]> & { timestamps: string[] };
}

export type TradeType = 'buy' | 'sell' | 'add' | 'remove' | 'dividend' | 'fee' | 'split';
export type LedgerAssetType = 'crypto' | 'pk-equity' | 'us-equity' | 'etf' | 'cash' | 'metal';

/** POST/GET /api/v1/portfolios */
export interface Portfolio {
  id: string;
  name: string;
  base_currency: string;
  cost_method: 'wac' | 'fifo';
  cash: number;
  market_value: number;
  total_value: number;
  cost_basis: number;
  unrealized_pnl: number;
  value_as_of: string | null;
  assets_count: number;
}

/** GET /api/v1/portfolios/{id}/assets */
export interface Holding {
  position_id: string;
  symbol: string;
  name: string | null;
  asset_type: string;
  quantity: number;
  entry_price: number;
  cost_basis: number;
  current_price: number;
  price_source: string;
  price_updated_at: string | null;
  price_stale: boolean;
  market_value: number;
  unrealized_pnl: number;
  unrealized_pnl_pct: number | null;
  realized_pnl: number;
  day_change: number;
  weight_pct: number;
  is_open: boolean;
}

/** GET /api/v1/portfolios/{id}/trades */
export interface Trade {
  id: string;
  trade_type: TradeType;
  asset_type: LedgerAssetType;
  symbol: string;
  quantity: number;
  price: number;
  fees: number;
  total_amount: number;
  trade_date: string;
  notes: string | null;
  source: string;
}

/** POST /api/v1/portfolios/{id}/trades body (decimal strings). */
export interface TradeInput {
  trade_type: TradeType;
  asset_type?: LedgerAssetType;
  symbol?: string;
  quantity: string;
  price?: string;
  fees?: string;
  trade_date: string;
  notes?: string | null;
}

/** POST /api/v1/portfolios/{id}/trades/import */
export interface ImportReport {
  dry_run: boolean;
  total_rows: number;
  accepted: number;
  rejected: { line: number; raw: string; reasons: string[] }[];
  warnings: string[];
  new_positions: string[];
  trade_ids: string[];
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

/** GET /api/v1/portfolios/{id}/performance */
export interface Performance {
  period: string;
  from: string | null;
  to: string | null;
  base_currency: string;
  summary: {
    start_value: number;
    end_value: number;
    net_flows: number;
    gain: number;
    time_weighted_return_pct: number | null;
    money_weighted_return_pct: number | null;
    volatility_annualized_pct: number | null;
    sharpe_ratio: number | null;
    max_drawdown: { pct: number | null; peak_date: string | null; trough_date: string | null };
  };
  points: {
    date: string;
    value: number;
    invested: number;
    net_flow: number;
    cumulative_return_pct: number;
  }[];
  methodology: Record<string, string | number | null>;
}

/** GET /api/v1/portfolios/{id}/realized-pnl */
export interface RealizedPnl {
  method: 'wac' | 'fifo';
  total_realized_pnl: number;
  total_proceeds: number;
  total_cost_basis: number;
  count: number;
  realizations: {
    trade_id: string;
    symbol: string;
    date: string;
    quantity: number;
    proceeds: number;
    cost_basis: number;
    realized_pnl: number;
    realized_pnl_percent: number | null;
  }[];
}

export type AlertType =
  | 'price_above'
  | 'price_below'
  | 'price_crosses'
  | 'percent_change'
  | 'rsi_above'
  | 'rsi_below'
  | 'macd_cross'
  | 'ma_cross';

/** /api/v1/alerts */
export interface Alert {
  id: string;
  symbol: string;
  alert_type: AlertType;
  params: Record<string, unknown>;
  threshold: number | null;
  description: string;
  name: string | null;
  is_active: boolean;
  repeat: boolean;
  current_price: number | null;
  is_triggered: boolean;
  trigger_count: number;
  last_triggered_at: string | null;
}

/** /api/v1/notifications */
export interface Notice {
  id: string;
  title: string;
  message: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  is_read: boolean;
  created_at: string;
}

/** /api/v1/sessions */
export interface SessionInfo {
  id: string;
  device: string | null;
  user_agent: string | null;
  ip_address: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  is_active: boolean;
  is_current: boolean;
}

/** /api/v1/api-keys */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** /api/v1/auth/2fa */
export interface TwoFactor {
  enabled: boolean;
  pending_enrolment: boolean;
}

/** GET /api/v1/admin/users */
export interface AdminUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
  status?: string;
  is_active: boolean;
  is_locked: boolean;
  mfa_enabled?: boolean;
  created_at: string;
}

/** GET /api/v1/jobs */
export interface Job {
  id: string;
  type: string;
  status: 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';
  progress: number;
  progress_message: string | null;
  attempts: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** POST /api/prices/batch: results keyed `AUTO:<symbol>`. */
export interface BatchQuote {
  price: number | null;
  date: string | null;
  change_percent_24h?: number | null;
  stale?: boolean;
  stale_reason?: string | null;
}
