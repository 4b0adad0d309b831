// One typed client for every operation the web app calls (paths and shapes: /openapi.json).
// Pages import `api` and never build URLs themselves, so a renamed path changes one line.
import { type CallOptions, call, callText } from './client';
import type {
  AdminUser,
  Alert,
  AlertType,
  ApiKey,
  Asset,
  AssetAnalysis,
  AssetQuality,
  Backtest,
  BacktestInput,
  BatchQuote,
  Bot,
  BotAction,
  BotInput,
  BotStatus,
  Envelope,
  FactorExposures,
  Holding,
  ImportReport,
  Incident,
  Indicators,
  Job,
  LogLine,
  MacroDominance,
  MacroRegime,
  MacroSentiment,
  Notice,
  OpsAlert,
  Performance,
  Portfolio,
  PriceHistory,
  RealizedPnl,
  RiskMetrics,
  RiskScenarios,
  RiskSummary,
  SectorPerformance,
  SectorRotation,
  SessionInfo,
  SignalAnalytics,
  Statistics,
  Suggestion,
  SystemHealth,
  Trade,
  TradeInput,
  TwoFactor,
  Watchlist,
} from './types';

export * from './client';
export type * from './types';

const enc = encodeURIComponent;
const data = async <T>(path: string, options?: CallOptions) => (await call<Envelope<T>>(path, options)).data;
const qs = (params: Record<string, string | number | boolean | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const api = {
  market: {
    defaultWatchlist: () => data<Watchlist & { assets: Asset[] }>('/api/v1/watchlists/default'),
    watchlists: () => data<{ watchlists: Watchlist[] }>('/api/v1/watchlists'),
    watchlist: (id: string) => data<Watchlist & { assets: Asset[] }>(`/api/v1/watchlists/${enc(id)}`),
    assets: (params: { limit?: number; asset_type?: string; search?: string } = {}) =>
      data<{ assets: Asset[] }>(`/api/v1/assets${qs(params)}`),
    asset: (id: string) => data<Asset>(`/api/v1/assets/${enc(id)}`),
    history: (id: string, params: { timeframe: string; limit?: number; end_date?: string }) =>
      data<PriceHistory>(`/api/v1/assets/${enc(id)}/price-history${qs(params)}`),
    statistics: (id: string, days?: number) =>
      data<Statistics>(`/api/v1/assets/${enc(id)}/statistics${qs({ days })}`),
    indicators: (id: string, params: { timeframe: string; indicators: string; points: number }) =>
      data<Indicators>(`/api/v1/price-data/${enc(id)}/technical-indicators${qs(params)}`),
    quotes: async (symbols: string[]) =>
      (
        await call<{ results: Record<string, BatchQuote> }>('/api/prices/batch', {
          method: 'POST',
          body: { tokens: symbols.map((symbol) => ({ symbol })) },
        })
      ).results,
  },
  macro: {
    regime: () => data<MacroRegime>('/api/v1/macro/regime'),
    sentiment: () => data<MacroSentiment>('/api/v1/macro/sentiment'),
    dominance: () => data<MacroDominance>('/api/v1/macro/dominance'),
  },
  sectors: {
    performance: (timeframe: string) =>
      data<SectorPerformance>(`/api/v1/sectors/performance${qs({ timeframe })}`),
    rotation: () => data<SectorRotation>('/api/v1/sectors/rotation'),
  },
  signals: {
    analysis: (assetId: string) => data<AssetAnalysis>(`/api/v1/assets/${enc(assetId)}/analysis`),
    suggestion: (assetId: string) => data<Suggestion>(`/api/v1/suggestions/${enc(assetId)}`),
    analytics: (assetId: string, days = 365) =>
      data<SignalAnalytics>(`/api/v1/signals/analytics${qs({ asset_id: assetId, days })}`),
  },
  bots: {
    list: () => call<Bot[]>('/api/bots'),
    create: (body: BotInput) => call<Bot>('/api/bots', { method: 'POST', body }),
    remove: (id: string) => call<unknown>(`/api/bots/${enc(id)}`, { method: 'DELETE' }),
    start: (id: string) => call<BotAction>(`/api/bots/${enc(id)}/start`, { method: 'POST' }),
    stop: (id: string) => call<BotAction>(`/api/bots/${enc(id)}/stop`, { method: 'POST' }),
    status: (id: string) => call<BotStatus>(`/api/bots/${enc(id)}/status`),
  },
  backtests: {
    run: (body: BacktestInput) => call<Backtest>('/api/backtesting/run', { method: 'POST', body }),
    get: (id: string) => call<Backtest>(`/api/backtesting/results/${enc(id)}`),
    list: () => call<Omit<Backtest, 'trades' | 'performance'>[]>('/api/backtesting/results?limit=20'),
  },
  portfolios: {
    list: () => data<{ portfolios: Portfolio[] }>('/api/v1/portfolios'),
    create: (name: string) => data<Portfolio>('/api/v1/portfolios', { method: 'POST', body: { name } }),
    get: (id: string) => data<Portfolio>(`/api/v1/portfolios/${enc(id)}`),
    holdings: (id: string) =>
      data<{ assets: Holding[]; as_of: string }>(`/api/v1/portfolios/${enc(id)}/assets`),
    performance: (id: string, params: { period?: string; from?: string; to?: string; benchmark?: string }) =>
      data<Performance>(`/api/v1/portfolios/${enc(id)}/performance${qs(params)}`),
    realized: (id: string) => data<RealizedPnl>(`/api/v1/portfolios/${enc(id)}/realized-pnl?limit=100`),
    trades: (id: string) => data<{ trades: Trade[] }>(`/api/v1/portfolios/${enc(id)}/trades?limit=100`),
    addTrade: (id: string, body: TradeInput) =>
      data<{ trade: Trade }>(`/api/v1/portfolios/${enc(id)}/trades`, { method: 'POST', body }),
    editTrade: (id: string, tradeId: string, body: Partial<TradeInput>) =>
      data<{ trade: Trade }>(`/api/v1/portfolios/${enc(id)}/trades/${enc(tradeId)}`, { method: 'PUT', body }),
    deleteTrade: (id: string, tradeId: string) =>
      call<unknown>(`/api/v1/portfolios/${enc(id)}/trades/${enc(tradeId)}`, { method: 'DELETE' }),
    importCsv: (id: string, csv: string, dryRun: boolean) =>
      data<ImportReport>(`/api/v1/portfolios/${enc(id)}/trades/import?dry_run=${dryRun}`, {
        method: 'POST',
        raw: { text: csv, type: 'text/csv' },
      }),
    exportCsv: (id: string) => callText(`/api/v1/portfolios/${enc(id)}/trades/export`),
  },
  risk: {
    summary: (id: string) => call<RiskSummary>(`/api/v1/data/portfolios/${enc(id)}/risk-summary`),
    metrics: (id: string) => call<RiskMetrics>(`/api/v1/analytics/risk/${enc(id)}/metrics`),
    scenarios: (id: string) => call<RiskScenarios>(`/api/v1/analytics/risk/${enc(id)}/scenarios`),
    exposures: (id: string) => call<FactorExposures>(`/api/v1/analytics/factor/${enc(id)}/exposures`),
  },
  alerts: {
    list: () => data<{ alerts: Alert[] }>('/api/v1/alerts?limit=100'),
    create: (body: {
      asset_id: string;
      alert_type: AlertType;
      params: Record<string, number>;
      name?: string;
    }) => data<Alert>('/api/v1/alerts', { method: 'POST', body }),
    update: (
      id: string,
      body: { is_active?: boolean; name?: string | null; params?: Record<string, number> },
    ) => data<Alert>(`/api/v1/alerts/${enc(id)}`, { method: 'PUT', body }),
    remove: (id: string) => call<unknown>(`/api/v1/alerts/${enc(id)}`, { method: 'DELETE' }),
  },
  notifications: {
    list: (unreadOnly: boolean, limit: number) =>
      data<{ notifications: Notice[]; unread_count: number }>(
        `/api/v1/notifications${qs({ unread_only: unreadOnly || undefined, limit })}`,
      ),
    markAllRead: () => call<unknown>('/api/v1/notifications/mark-all-read', { method: 'POST' }),
    vapidKey: () => call<{ public_key: string }>('/api/notifications/vapid-public-key'),
    subscribe: (sub: PushSubscriptionJSON) =>
      call<unknown>('/api/notifications/subscribe', { method: 'POST', body: sub }),
  },
  account: {
    sessions: () => data<{ sessions: SessionInfo[] }>('/api/v1/sessions'),
    revokeSession: (id: string) => call<unknown>(`/api/v1/sessions/${enc(id)}`, { method: 'DELETE' }),
    apiKeys: () => data<{ api_keys: ApiKey[] }>('/api/v1/api-keys'),
    createApiKey: (name: string, scopes: string[]) =>
      data<ApiKey & { key: string }>('/api/v1/api-keys', { method: 'POST', body: { name, scopes } }),
    revokeApiKey: (id: string) => call<unknown>(`/api/v1/api-keys/${enc(id)}`, { method: 'DELETE' }),
    preferences: () => call<Record<string, unknown>>('/api/preferences'),
    savePreferences: (body: Record<string, unknown>) =>
      call<Record<string, unknown>>('/api/preferences', { method: 'PUT', body }),
    twoFactor: () => data<TwoFactor>('/api/v1/auth/2fa'),
    enroll2fa: () =>
      data<{ secret: string; otpauth_uri: string }>('/api/v1/auth/2fa/enroll', { method: 'POST' }),
    verify2fa: (code: string) =>
      data<TwoFactor>('/api/v1/auth/2fa/verify', { method: 'POST', body: { code } }),
    disable2fa: (code: string) =>
      data<TwoFactor>('/api/v1/auth/2fa/disable', { method: 'POST', body: { code } }),
  },
  admin: {
    users: () =>
      data<{ users: AdminUser[]; statistics: Record<string, number> }>('/api/v1/admin/users?limit=100'),
    jobs: () => data<{ jobs: Job[] }>('/api/v1/jobs?all=true&limit=100'),
    system: () => data<SystemHealth>('/api/v1/admin/system'),
    opsAlerts: () => call<OpsAlert[]>('/api/alerting/alerts'),
    acknowledge: (id: string) =>
      call<unknown>(`/api/alerting/alerts/${enc(id)}/acknowledge`, { method: 'POST' }),
    incidents: () => call<Incident[]>('/api/alerting/incidents'),
    resolveIncident: (id: string, resolution: string) =>
      call<unknown>(`/api/alerting/incidents/${enc(id)}/resolve${qs({ resolution })}`, { method: 'POST' }),
    logs: (params: { query?: string; level?: string; limit?: number }) =>
      call<{ results: LogLine[]; total: number }>(`/api/logs/search${qs(params)}`),
    dataQuality: () => data<{ assets: AssetQuality[] }>('/api/v1/admin/data-quality/assets'),
  },
};
