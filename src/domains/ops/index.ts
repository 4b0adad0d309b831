import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRouter } from '../../core/openapi';
import type { AppEnv } from '../../env';
import { adminAnalyticsRoute } from './routes/admin-analytics';
import { adminAnalyticsApiUsageRoute } from './routes/admin-analytics-api-usage';
import { adminAnalyticsAssetsRoute } from './routes/admin-analytics-assets';
import { adminAnalyticsMlPerformanceRoute } from './routes/admin-analytics-ml-performance';
import { adminAnalyticsPerformanceRoute } from './routes/admin-analytics-performance';
import { adminAnalyticsUsageRoute } from './routes/admin-analytics-usage';
import { adminAnalyticsUsersRoute } from './routes/admin-analytics-users';
import { adminSystemRoute } from './routes/admin-system';
import { adminSystemHealthRoute } from './routes/admin-system-health';
import { adminSystemHealthHistoryRoute } from './routes/admin-system-health-history';
import { adminSystemMetricsRoute } from './routes/admin-system-metrics';
import { alertingAlertsRoute } from './routes/alerting-alerts';
import { alertingAlertsAcknowledgeRoute } from './routes/alerting-alerts-acknowledge';
import { alertingAlertsHistoryRoute } from './routes/alerting-alerts-history';
import { alertingAlertsResolveRoute } from './routes/alerting-alerts-resolve';
import { alertingFatigueStatsRoute } from './routes/alerting-fatigue-stats';
import { alertingIncidentRoute } from './routes/alerting-incident';
import { alertingIncidentsRoute } from './routes/alerting-incidents';
import { alertingIncidentsCreateRoute } from './routes/alerting-incidents-create';
import { alertingIncidentsResolveRoute } from './routes/alerting-incidents-resolve';
import { alertingRulesRoute } from './routes/alerting-rules';
import { alertingRulesCreateRoute } from './routes/alerting-rules-create';
import { batchDataQualityRoute } from './routes/batch-data-quality';
import { batchDataQualityRefreshRoute } from './routes/batch-data-quality-refresh';
import { batchJobsCancelRoute } from './routes/batch-jobs-cancel';
import { batchJobsStatusRoute } from './routes/batch-jobs-status';
import { batchJobsSummaryRoute } from './routes/batch-jobs-summary';
import { billingPlansRoute } from './routes/billing-plans';
import { businessDashboardRoute } from './routes/business-dashboard';
import { businessKpisRoute } from './routes/business-kpis';
import { businessRevenueRoute } from './routes/business-revenue';
import { businessRevenueDailyRoute } from './routes/business-revenue-daily';
import { businessSummaryRoute } from './routes/business-summary';
import { businessTradesRoute } from './routes/business-trades';
import { businessTradingActivityRoute } from './routes/business-trading-activity';
import { businessUserAcquisitionRoute } from './routes/business-user-acquisition';
import { businessUsersRoute } from './routes/business-users';
import { cacheAnalyticsRoute } from './routes/cache-analytics';
import { cacheAnalyticsPatternRoute } from './routes/cache-analytics-pattern';
import { cacheAnalyticsResetRoute } from './routes/cache-analytics-reset';
import { cacheMetricsRoute } from './routes/cache-metrics';
import { cachePreloadFrequentRoute } from './routes/cache-preloader-preload-frequent';
import { cachePreloaderStatsRoute } from './routes/cache-preloader-stats';
import { cacheVersionsRoute } from './routes/cache-versions';
import { cacheVersionsIncrementRoute } from './routes/cache-versions-increment';
import { cacheVersionsInvalidateAllRoute } from './routes/cache-versions-invalidate-all';
import { databaseIndexesMissingRoute } from './routes/database-indexes-missing';
import { databaseIndexesUnusedRoute } from './routes/database-indexes-unused';
import { databaseIndexesUsageRoute } from './routes/database-indexes-usage';
import { databasePoolHealthRoute } from './routes/database-pool-health';
import { databasePoolHistoryRoute } from './routes/database-pool-history';
import { databasePoolMetricsRoute } from './routes/database-pool-metrics';
import { databaseReadReplicasHealthRoute } from './routes/database-read-replicas-health';
import { jobsBatchingFlushRoute } from './routes/jobs-batching-flush';
import { jobsBatchingStatsRoute } from './routes/jobs-batching-stats';
import { jobsQueueDepthRoute } from './routes/jobs-queue-depth';
import { jobsStatsRoute } from './routes/jobs-stats';
import { jobsStatusRoute } from './routes/jobs-status';
import { jobsTasksRoute } from './routes/jobs-tasks';
import { logsSearchRoute } from './routes/logs-search';
import { logsStatisticsRoute } from './routes/logs-statistics';
import { logsTailRoute } from './routes/logs-tail';
import { profilingClearOldEntriesRoute } from './routes/profiling-clear-old-entries';
import { profilingEndpointStatisticsRoute } from './routes/profiling-endpoint-statistics';
import { profilingQueryStatisticsRoute } from './routes/profiling-query-statistics';
import { profilingSlowEndpointsRoute } from './routes/profiling-slow-endpoints';
import { profilingSlowQueriesRoute } from './routes/profiling-slow-queries';
import { profilingSummaryRoute } from './routes/profiling-summary';
import { systemJobsRoute } from './routes/system-jobs';
import { systemStatusRoute } from './routes/system-status';

/**
 * The operations plane over the telemetry sink (admin only): logs, profiling, database, cache,
 * jobs, alerting and incidents, business metrics, system health. Typed as a plain router:
 * chaining this many routes makes a schema type too large for the app's own chain.
 */
export const opsDomain: OpenAPIHono<AppEnv> = createRouter();
for (const routes of [
  logsSearchRoute,
  logsStatisticsRoute,
  logsTailRoute,
  profilingSlowQueriesRoute,
  profilingSlowEndpointsRoute,
  profilingQueryStatisticsRoute,
  profilingEndpointStatisticsRoute,
  profilingSummaryRoute,
  profilingClearOldEntriesRoute,
  databasePoolMetricsRoute,
  databasePoolHealthRoute,
  databasePoolHistoryRoute,
  databaseReadReplicasHealthRoute,
  databaseIndexesUsageRoute,
  databaseIndexesUnusedRoute,
  databaseIndexesMissingRoute,
  cacheAnalyticsRoute,
  cacheAnalyticsPatternRoute,
  cacheVersionsRoute,
  cacheVersionsIncrementRoute,
  cacheVersionsInvalidateAllRoute,
  cachePreloaderStatsRoute,
  cachePreloadFrequentRoute,
  cacheMetricsRoute,
  cacheAnalyticsResetRoute,
  alertingAlertsRoute,
  alertingAlertsHistoryRoute,
  alertingAlertsAcknowledgeRoute,
  alertingAlertsResolveRoute,
  alertingRulesRoute,
  alertingRulesCreateRoute,
  alertingFatigueStatsRoute,
  alertingIncidentsRoute,
  alertingIncidentRoute,
  alertingIncidentsCreateRoute,
  alertingIncidentsResolveRoute,
  jobsStatusRoute,
  jobsTasksRoute,
  jobsStatsRoute,
  jobsQueueDepthRoute,
  jobsBatchingStatsRoute,
  jobsBatchingFlushRoute,
  businessSummaryRoute,
  businessRevenueRoute,
  businessRevenueDailyRoute,
  businessUsersRoute,
  businessTradesRoute,
  businessKpisRoute,
  businessUserAcquisitionRoute,
  businessTradingActivityRoute,
  businessDashboardRoute,
  billingPlansRoute,
  batchJobsStatusRoute,
  batchJobsSummaryRoute,
  batchJobsCancelRoute,
  batchDataQualityRoute,
  batchDataQualityRefreshRoute,
  systemJobsRoute,
  systemStatusRoute,
  adminSystemRoute,
  adminSystemHealthRoute,
  adminSystemMetricsRoute,
  adminAnalyticsRoute,
  adminAnalyticsUsageRoute,
  adminAnalyticsPerformanceRoute,
  adminAnalyticsUsersRoute,
  adminAnalyticsApiUsageRoute,
  adminAnalyticsAssetsRoute,
  adminAnalyticsMlPerformanceRoute,
  adminSystemHealthHistoryRoute,
] as OpenAPIHono<AppEnv>[]) {
  opsDomain.route('/', routes);
}
