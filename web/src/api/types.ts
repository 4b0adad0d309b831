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
  /** The user's default portfolio (a bot's paper account never is). */
  is_default: boolean;
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
  /** With `benchmark=`: the comparison, its series rebased to 100 at the window's start. */
  benchmark?: {
    benchmark: string;
    data_points: number;
    series: { date: string; portfolio: number; benchmark: number }[];
    benchmark_return: number | null;
    excess_return: number | null;
    beta: number | null;
    alpha_annualized: number | null;
    tracking_error: number | null;
    information_ratio: number | null;
  } | null;
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

/** The `meta` block every computed figure carries: method, window, data points, as-of. */
export interface Method {
  method: string;
  window?: string;
  data_points?: number;
  as_of: string | null;
  source?: string;
}

/** GET /api/v1/macro/regime */
export interface MacroRegime {
  as_of: string;
  regime: {
    current_regime: string;
    confidence: number;
    probabilities: Record<string, number>;
    transition_probability: number;
    regime_duration_days: number;
    regime_started: string | null;
    expected_durations_days: Record<string, number>;
    regimes: { name: string; daily_mean_pct: number; annualized_volatility_pct: number }[];
    history: { date: string; regime: string; probability: number }[];
    meta: Method;
  };
}

/** GET /api/v1/macro/sentiment */
export interface MacroSentiment {
  as_of: string;
  sentiment: {
    fear_greed: {
      value: number;
      classification: string | null;
      average_7d: number | null;
      average_30d: number | null;
      change_7d: number | null;
      stale: boolean;
      history: { date: string; value: number; classification: string | null }[];
      meta: Method;
    } | null;
  };
}

/** GET /api/v1/macro/dominance */
export interface MacroDominance {
  as_of: string;
  dominance: {
    current: Record<'btc' | 'eth' | 'usdt' | 'usdc' | 'altcoin', number | null> & {
      total_market_cap: number | null;
    };
    trend: Record<string, { change_7d_pp: number | null; change_30d_pp: number | null; direction: string }>;
    history: {
      date: string;
      btc: number | null;
      eth: number | null;
      usdt: number | null;
      altcoin: number | null;
    }[];
    meta: Method;
  };
}

/** GET /api/v1/sectors/performance */
export interface SectorPerformance {
  timeframe: string;
  market_return_30d_pct: number | null;
  as_of: string;
  sectors: {
    rank: number;
    id: string;
    name: string;
    performance_pct: number | null;
    market_cap: number | null;
    share_of_total_pct: number | null;
    relative_strength_30d: number | null;
  }[];
  meta: Method;
}

/** GET /api/v1/sectors/rotation */
export interface SectorRotation {
  market_return_30d_pct: number | null;
  as_of: string;
  inflows: string[];
  outflows: string[];
  sectors: {
    id: string;
    name: string;
    relative_strength_30d: number | null;
    share_change_30d_pp: number | null;
    rotation_score: number | null;
    flow: 'inflow' | 'outflow' | 'neutral' | null;
  }[];
  meta: Method;
}

export type Strategy = 'momentum' | 'mean_reversion' | 'sma_crossover' | 'grid' | 'dca' | 'ml_adaptive';

/** /api/bots (seed 002's plain shape) */
export interface Bot {
  id: string;
  name: string;
  tradingPair: string;
  strategy: string;
  mode: 'paper' | 'live';
  status: 'stopped' | 'running';
  createdAt: string;
  timeframe: '1h' | '4h' | '1d';
  initialBalance: number;
  portfolioId: string;
  startedAt: string | null;
  stoppedAt: string | null;
  stopReason: string | null;
  lastTickAt: string | null;
}

export interface BotInput {
  name: string;
  tradingPair: string;
  strategy: Strategy;
  timeframe: '1h' | '4h' | '1d';
  initialBalance?: number;
  riskPerTrade?: number;
  stopLoss?: number;
  takeProfit?: number;
}

/** GET /api/bots/{id}/status */
export interface BotStatus {
  botId: string;
  status: 'stopped' | 'running';
  nextAlarm: string | null;
  equity: number;
  cash: number;
  positionAmount: number;
  price: number | null;
  pnl: number;
  pnlPercent: number;
  peakEquity: number | null;
  decisions: { bar: string; action: string; reason: string; orderId: string | null; decidedAt: string }[];
  asOf: string;
}

export interface BotAction {
  success: true;
  message: string;
  botId: string;
  status: 'stopped' | 'running';
  changed: boolean;
}

/** /api/backtesting/results/{id} */
export interface Backtest {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  name: string;
  strategy: string;
  tradingPair: string;
  summary: {
    initialBalance: number;
    finalEquity: number;
    totalReturn: number;
    sharpeRatio: number | null;
    sortinoRatio: number | null;
    maxDrawdown: number;
    winRate: number | null;
    profitFactor: number | null;
    exposure: number;
    totalTrades: number;
    closedTrades: number;
    feesPaid: number;
    bars: number;
  } | null;
  trades: {
    timestamp: string;
    side: 'buy' | 'sell';
    price: number;
    amount: number;
    fee: number;
    pnl: number;
    reason: string;
    note: string;
  }[];
  performance: { finalEquity: number; equityCurve: { timestamp: string; equity: number }[] } | null;
  meta: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface BacktestInput {
  botConfig: { name?: string; tradingPair: string; strategy: Strategy; timeframe: '1h' | '4h' | '1d' };
  startDate: string;
  endDate: string;
  initialBalance?: number;
}

/** The track record every model reading and signal carries (ModelTrackRecord). */
export interface TrackRecord {
  model_id: string;
  model_name: string;
  architecture: string;
  model_version: number;
  horizon_days: number;
  walk_forward: {
    method: string;
    predictions: number;
    validated_from: string | null;
    validated_to: string | null;
    accuracy: number | null;
    roc_auc: number | null;
    brier: number | null;
    base_rate: number | null;
    always_long_accuracy: number | null;
    strategy_return_net: number | null;
    always_long_return: number | null;
  } | null;
  live: {
    method: string;
    predictions_made: number;
    predictions_scored: number;
    accuracy: number | null;
    brier: number | null;
  };
  as_of: string;
}

/** A trading signal (TradingSignal). */
export interface Signal {
  signal_id: string;
  symbol: string | null;
  direction: 'long' | 'short';
  timeframe: string;
  quality: string;
  confidence: number;
  entry_price: number;
  stop_loss: number;
  take_profit_1: number;
  generated_at: string;
  expires_at: string;
  status: string;
  method: string;
  track_record: TrackRecord | null;
}

/** GET /api/v1/assets/{id}/analysis */
export interface AssetAnalysis {
  symbol: string;
  as_of: string;
  model_view: {
    action: string;
    probability_up: number | null;
    confidence: number | null;
    models: {
      model_id: string;
      probability_up: number;
      horizon_days: number;
      prediction_date: string;
      track_record: TrackRecord;
    }[];
  };
  signals: Signal[];
}

/** GET /api/v1/suggestions/{asset_id} */
export interface Suggestion {
  action: string;
  confidence: number | null;
  probability_up: number | null;
  rationale: string[];
  trend: { method: string; trend: string; volatility: string } | null;
  as_of: string;
  method: string;
  disclaimer: string;
}

/** GET /api/v1/signals/analytics */
export interface SignalAnalytics {
  as_of: string;
  window_days: number;
  method: string;
  signals: number;
  open: number;
  overall: {
    trades: number;
    wins: number;
    win_rate: number | null;
    average_return: number | null;
    profit_factor: number | null;
    total_return: number;
    max_drawdown: number;
  };
}

type Horizon = '1_day' | '5_day' | '10_day';

/** GET /api/v1/data/portfolios/{id}/risk-summary (seed 004's plain shape) */
export interface RiskSummary {
  risk_summary: {
    portfolio_value: number;
    confidence_level: number;
    lookback_period: number;
    observations: number;
    window_start: string;
    window_end: string;
    method: string;
    as_of: string;
  };
  value_at_risk: Record<Horizon, { absolute: number; percentage: number }>;
  expected_shortfall: Record<Horizon, { absolute: number; percentage: number }>;
}

/** GET /api/v1/analytics/risk/{id}/metrics */
export interface RiskMetrics {
  risk_metrics: {
    value_at_risk: Record<Horizon, { confidence_95: number; confidence_99: number }>;
    portfolio_beta: number | null;
    sharpe_ratio: number | null;
    sortino_ratio: number | null;
    max_drawdown: number | null;
    correlation_with_spy: number | null;
    volatility_30d: number | null;
    volatility_90d: number | null;
  };
  calculation_metadata: {
    as_of: string;
    observations: number;
    window_start: string;
    window_end: string;
    method: string;
  };
}

/** GET /api/v1/analytics/risk/{id}/scenarios */
export interface RiskScenarios {
  portfolio_value: number;
  worst_scenario: string | null;
  methodology: string;
  as_of: string;
  scenarios: {
    id: string;
    name: string;
    kind: string;
    description: string;
    window?: { start: string; end: string };
    scenario_return: number;
    portfolio_impact: number;
    coverage: { positions: number; replayed: number; proxied: number; excluded: number };
  }[];
}

/** GET /api/v1/analytics/factor/{id}/exposures */
export interface FactorExposures {
  factor_set: string;
  portfolio_exposures: Record<string, number>;
  risk_attribution: { systematic_risk: number; idiosyncratic_risk: number; method: string } | null;
  summary: {
    total_positions: number;
    positions_with_exposures: number;
    coverage_percentage: number;
    r_squared: number | null;
    lookback: number;
    window_end: string;
    as_of: string;
  };
}

/** GET /api/v1/admin/system */
export interface SystemHealth {
  status: string;
  services: { service: string; status: string; response_time: number; detail?: string }[];
  providers: {
    id: string;
    circuit_state: string;
    seconds_since_success: number | null;
    errors_today: number;
  }[];
  alerts: { firing: number; open_incidents: number };
  jobs: Record<string, number>;
  traffic_24h: Record<string, number | null>;
  generated_at: string;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** GET /api/alerting/alerts */
export interface OpsAlert {
  id: string;
  rule_name: string;
  metric: string;
  current_value: number;
  threshold: number;
  operator: string;
  severity: Severity;
  message: string;
  timestamp: string;
  occurrences: number;
  acknowledged: boolean;
  resolved: boolean;
}

/** GET /api/alerting/incidents */
export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  status: 'open' | 'resolved';
  created_at: string;
  related_alerts: string[];
  resolution: string | null;
}

/** GET /api/logs/search */
export interface LogLine {
  timestamp: string;
  level: string;
  message: string;
  user_id: string | null;
  request_id: string | null;
  route: string | null;
  status_code: number | null;
  duration_ms: number | null;
}

/** GET /api/v1/admin/data-quality/assets */
export interface AssetQuality {
  asset_id: string;
  symbol: string;
  asset_type: string;
  score: number;
  issues: string[];
}
