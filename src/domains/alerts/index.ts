import { createRouter } from '../../core/openapi';
import { alertRoutes } from './routes/alerts';
import { changeAlertRoutes } from './routes/change-alert';
import { signalAlertRoutes } from './routes/signal-alerts';

export const alertsDomain = createRouter()
  .route('/', alertRoutes)
  .route('/', signalAlertRoutes)
  .route('/', changeAlertRoutes);
