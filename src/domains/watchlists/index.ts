import { createRouter } from '../../core/openapi';
import { watchlistAnalysisRoutes } from './routes/analysis';
import { watchlistRoutes } from './routes/watchlists';

export const watchlistsDomain = createRouter()
  .route('/', watchlistRoutes)
  .route('/', watchlistAnalysisRoutes);
