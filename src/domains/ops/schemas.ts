import { z } from '@hono/zod-openapi';
import { DateOrDateTime, ordered } from '../../core/dates';
import { requireAdmin } from '../../middleware/auth';

/** What every ops route shares: admin only, bearer auth. */
export function opsRoute(tag: string) {
  return { tags: [tag], security: [{ bearerAuth: [] as string[] }], middleware: requireAdmin };
}

export const LOG_FILES = ['app', 'errors', 'audit'] as const;
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

export const LogFileQuery = z.enum(LOG_FILES).default('app').openapi({
  description:
    'Stream: `app` every request and application log line; `errors` ERROR and CRITICAL lines; `audit` the audit log of admin changes.',
});

/** A time range over telemetry (wall time, UTC), start on or before end. */
export const TimeRangeQuery = ordered(
  z.object({
    start_time: DateOrDateTime.optional().openapi({
      description: 'ISO 8601; default: 24 hours before end_time.',
    }),
    end_time: DateOrDateTime.optional().openapi({ description: 'ISO 8601; default: now.' }),
  }),
  'start_time',
  'end_time',
);

export const LogEntrySchema = z
  .object({
    timestamp: z.string(),
    level: z.string(),
    message: z.string(),
    user_id: z.string().nullable(),
    request_id: z.string().nullable(),
    trace_id: z.string().nullable(),
    module: z.string(),
    line: z.number().int().nullable(),
    route: z.string().optional(),
    status_code: z.number().int().optional(),
    duration_ms: z.number().optional(),
  })
  .openapi('LogEntry');

export const TimeRangeSchema = z.object({ start: z.string(), end: z.string() });

export const Percentile = z.number().nullable();

export const EndpointStatSchema = z
  .object({
    method: z.string(),
    path: z.string(),
    count: z.number().int(),
    errors: z.number().int(),
    client_errors: z.number().int(),
    error_rate: z.number(),
    avg_ms: z.number(),
    p50_ms: Percentile,
    p95_ms: Percentile,
    p99_ms: Percentile,
    max_ms: z.number(),
    db_statements: z.number().int(),
    avg_db_ms: z.number(),
  })
  .openapi('EndpointStatistics');

export const QueryStatSchema = z
  .object({
    query: z.string(),
    count: z.number().int(),
    total_ms: z.number(),
    avg_ms: z.number(),
    p50_ms: Percentile,
    p95_ms: Percentile,
    p99_ms: Percentile,
    max_ms: z.number(),
    rows_read: z.number().int(),
    rows_written: z.number().int(),
    avg_rows_read: z.number(),
    errors: z.number().int(),
    endpoints: z.array(z.string()),
    last_seen: z.string(),
  })
  .openapi('QueryStatistics');

export const MethodSchema = z.object({
  latency: z.string(),
  statement_duration: z.string(),
  clock: z.string(),
});

export const WindowMinutesQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60)
  .default(60)
  .openapi({ description: 'Minutes back from now (at most 7 days, the retention).' });

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SeverityQuery = z.object({ severity: z.enum(SEVERITIES).optional() });

export const OpsAlertSchema = z
  .object({
    id: z.string(),
    rule_name: z.string(),
    metric: z.string(),
    current_value: z.number(),
    peak_value: z.number(),
    threshold: z.number(),
    operator: z.string(),
    severity: z.enum(SEVERITIES),
    message: z.string(),
    timestamp: z.string(),
    last_seen: z.string(),
    occurrences: z.number().int(),
    acknowledged: z.boolean(),
    acknowledged_at: z.string().nullable(),
    acknowledged_by: z.string().nullable(),
    resolved: z.boolean(),
    resolved_at: z.string().nullable(),
    resolved_by: z.string().nullable(),
    incident_id: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('OpsAlert');

export const AlertRuleSchema = z
  .object({
    name: z.string(),
    metric: z.string(),
    threshold: z.number(),
    operator: z.string(),
    severity: z.enum(SEVERITIES),
    channels: z.array(z.string()),
    duration: z.number().int(),
    cooldown: z.number().int(),
    enabled: z.boolean(),
    builtin: z.boolean(),
    description: z.string().nullable(),
    last_triggered: z.string().nullable(),
    last_evaluated: z.string().nullable(),
    last_value: z.number().nullable(),
    trigger_count: z.number().int(),
    suppressed_count: z.number().int(),
  })
  .openapi('AlertRule');

export const IncidentSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    severity: z.enum(SEVERITIES),
    status: z.enum(['open', 'resolved']),
    created_at: z.string(),
    updated_at: z.string(),
    resolved_at: z.string().nullable(),
    assigned_to: z.string().nullable(),
    created_by: z.string(),
    related_alerts: z.array(z.string()),
    resolution: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('Incident');

export const SuccessMessageSchema = z.object({ success: z.boolean(), message: z.string() });

export const DaysQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .openapi({ description: 'Days back from today (UTC), at most 365.' }),
});

const Volume = z.object({ trades: z.number().int(), volume: z.number() });
export const VolumeMap = z.record(z.string(), Volume);

export const RevenueSchema = z
  .object({
    period: z.object({ start: z.string(), end: z.string(), days: z.number() }),
    subscription_revenue: z.number(),
    trading_fee_revenue: z.number(),
    total_revenue: z.number(),
    currency: z.string(),
    mrr: z.number(),
    arr: z.number(),
    mrr_at_start: z.number(),
    mrr_growth_rate: z.number().nullable(),
    paying_users: z.number().int(),
    arpu_monthly: z.number(),
    by_tier: z.record(z.string(), z.object({ users: z.number().int(), mrr: z.number() })),
    subscription_events: z.record(z.string(), z.number().int()),
    churned_users: z.number().int(),
    churn_rate: z.number(),
    method: z.string(),
  })
  .openapi('BusinessRevenue');

export const UserMetricsSchema = z
  .object({
    total_users: z.number().int(),
    active_users_24h: z.number().int(),
    active_users_7d: z.number().int(),
    active_users_30d: z.number().int(),
    new_users_24h: z.number().int(),
    new_users_7d: z.number().int(),
    new_users_30d: z.number().int(),
    verified_users: z.number().int(),
    accounts_in_good_standing: z.number().int(),
    by_tier: z.record(z.string(), z.number().int()),
    retention_cohorts: z.array(
      z.object({
        joined_at: z
          .string()
          .openapi({ description: 'The cohort: users who joined in the week starting this day.' }),
        users: z.number().int(),
        retention: z.record(z.string(), z.number().nullable()),
      }),
    ),
    method: z.string(),
  })
  .openapi('BusinessUsers');

export const TradePerDay = z.object({ date: z.string(), trade_count: z.number().int(), mode: z.string() });

export const TradeMetricsSchema = z
  .object({
    days: z.number().int(),
    total_trades: z.number().int(),
    trading_users: z.number().int(),
    avg_trades_per_day: z.number(),
    total_volume: z.number(),
    trades_per_day: z.array(TradePerDay),
    by_side: VolumeMap,
    note: z.string(),
  })
  .openapi('BusinessTrades');

export const TradingActivitySchema = z
  .object({
    days: z.number().int(),
    total_trades: z.number().int(),
    by_mode: VolumeMap,
    by_surface: VolumeMap,
    by_asset_type: VolumeMap,
    by_chain: z.null(),
    top_assets: z.array(Volume.extend({ symbol: z.string() })),
    top_bots: z.array(Volume.extend({ bot_id: z.string() })),
    note: z.string(),
  })
  .openapi('BusinessTradingActivity');

export const AcquisitionSchema = z
  .object({
    days: z.number().int(),
    total_registrations: z.number().int(),
    daily_registrations: z.array(z.object({ date: z.string(), registrations: z.number().int() })),
    by_client: z.record(z.string(), z.number().int()),
    by_source: z.null(),
    note: z.string(),
  })
  .openapi('BusinessAcquisition');

const Kpi = z.object({ value: z.number(), previous: z.number(), growth_rate: z.number().nullable() });
export const KpisSchema = z
  .object({
    period_days: z.number().int(),
    period: z.object({ start: z.string(), end: z.string() }),
    kpis: z.record(z.string(), Kpi),
    arr: z.number(),
    method: z.string(),
  })
  .openapi('BusinessKpis');

export const BusinessSummarySchema = z
  .object({
    users: z.object({ total_users: z.number().int(), active_users_24h: z.number().int() }),
    trades_per_day: z.array(TradePerDay),
    revenue: z.object({
      subscription_revenue: z.number(),
      trading_fee_revenue: z.number(),
      total_revenue: z.number(),
      mrr: z.number(),
      arr: z.number(),
      window_days: z.number().int(),
    }),
    timestamp: z.string(),
  })
  .openapi('BusinessSummary');

export const BatchJobSchema = z
  .object({
    id: z.string(),
    job_name: z.string(),
    status: z.string(),
    portfolio_id: z.string().nullable(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    processed_items: z.number().nullable(),
    successful_items: z.number().nullable(),
    failed_items: z.number().nullable(),
    error_message: z.string().nullable(),
    progress: z.number(),
    metadata: z.object({
      attempts: z.number().int(),
      created_at: z.string(),
      user_id: z.string().nullable(),
    }),
  })
  .openapi('BatchJob');

export const HealthSnapshotSchema = z
  .object({
    status: z.enum(['healthy', 'degraded', 'unhealthy']),
    services: z.array(
      z.object({
        service: z.string(),
        status: z.string(),
        response_time: z.number(),
        detail: z.string().optional(),
      }),
    ),
    providers: z.array(
      z.object({
        id: z.string(),
        circuit_state: z.string(),
        seconds_since_success: z.number().int().nullable(),
        errors_today: z.number().int(),
      }),
    ),
    jobs: z.object({ queued: z.number().int(), running: z.number().int(), failed_24h: z.number().int() }),
    traffic: z.object({
      window_minutes: z.number().int(),
      requests: z.number().int(),
      errors: z.number().int(),
      error_rate: z.number(),
      avg_ms: z.number(),
    }),
  })
  .openapi('HealthSnapshot');

export const SystemStatusSchema = HealthSnapshotSchema.extend({
  alerts: z.object({ firing: z.number().int(), open_incidents: z.number().int() }),
  generated_at: z.string(),
}).openapi('SystemStatus');
