import { createRouter } from '../../core/openapi';
import { priceAdminRoutes } from './routes/admin';
import { analyticsRoutes } from './routes/analytics';
import { data004Routes } from './routes/data-004';
import { historyRoutes } from './routes/history';
import { marketRoutes } from './routes/markets';
import { trackerRoutes } from './routes/tracker';

export const pricesDomain = createRouter()
  // The quality report's fixed path comes before /price-data/{asset_id}.
  .route('/', priceAdminRoutes)
  .route('/', analyticsRoutes)
  .route('/', historyRoutes)
  .route('/', marketRoutes)
  .route('/', trackerRoutes)
  .route('/', data004Routes);
