import { createRouter } from '../../core/openapi';
import { analyticsRoutes } from './routes/analytics';
import { botRoutes } from './routes/bots';
import { integrationRoutes } from './routes/integrations';
import { lifecycleRoutes } from './routes/lifecycle';

export const botsDomain = createRouter()
  .route('/', botRoutes)
  .route('/', lifecycleRoutes)
  .route('/', analyticsRoutes)
  .route('/', integrationRoutes);
