import { createRouter } from '../../core/openapi';
import { databaseIndexesMissingRoute } from './routes/database-indexes-missing';
import { databaseIndexesUnusedRoute } from './routes/database-indexes-unused';
import { databaseIndexesUsageRoute } from './routes/database-indexes-usage';
import { databasePoolHealthRoute } from './routes/database-pool-health';
import { databasePoolHistoryRoute } from './routes/database-pool-history';
import { databasePoolMetricsRoute } from './routes/database-pool-metrics';
import { databaseReadReplicasHealthRoute } from './routes/database-read-replicas-health';
import { logsSearchRoute } from './routes/logs-search';
import { logsStatisticsRoute } from './routes/logs-statistics';
import { logsTailRoute } from './routes/logs-tail';
import { profilingClearOldEntriesRoute } from './routes/profiling-clear-old-entries';
import { profilingEndpointStatisticsRoute } from './routes/profiling-endpoint-statistics';
import { profilingQueryStatisticsRoute } from './routes/profiling-query-statistics';
import { profilingSlowEndpointsRoute } from './routes/profiling-slow-endpoints';
import { profilingSlowQueriesRoute } from './routes/profiling-slow-queries';
import { profilingSummaryRoute } from './routes/profiling-summary';

/** The operations plane: logs, profiling, database, over the telemetry sink (admin only). */
export const opsDomain = createRouter()
  .route('/', logsSearchRoute)
  .route('/', logsStatisticsRoute)
  .route('/', logsTailRoute)
  .route('/', profilingSlowQueriesRoute)
  .route('/', profilingSlowEndpointsRoute)
  .route('/', profilingQueryStatisticsRoute)
  .route('/', profilingEndpointStatisticsRoute)
  .route('/', profilingSummaryRoute)
  .route('/', profilingClearOldEntriesRoute)
  .route('/', databasePoolMetricsRoute)
  .route('/', databasePoolHealthRoute)
  .route('/', databasePoolHistoryRoute)
  .route('/', databaseReadReplicasHealthRoute)
  .route('/', databaseIndexesUsageRoute)
  .route('/', databaseIndexesUnusedRoute)
  .route('/', databaseIndexesMissingRoute);
