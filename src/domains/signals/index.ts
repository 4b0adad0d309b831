import { createRouter } from '../../core/openapi';
import { analysisRoutes, earlyAnalysisRoutes } from './routes/analysis';
import { insightRoutes } from './routes/insights';
import { signalRoutes } from './routes/signals';
import { suggestionRoutes } from './routes/suggestions';

/** Static paths under /assets and /watchlists that those domains' `{id}` routes would catch: mount first. */
export const signalsEarlyDomain = createRouter().route('/', earlyAnalysisRoutes);

// insightRoutes holds static /signals/... paths; it goes before signalRoutes' /signals/{signal_id}.
export const signalsDomain = createRouter()
  .route('/', insightRoutes)
  .route('/', signalRoutes)
  .route('/', suggestionRoutes)
  .route('/', analysisRoutes);
