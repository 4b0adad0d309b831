import { createRouter } from '../../core/openapi';
import { notificationAdminRoutes } from './routes/admin';
import { notificationRoutes } from './routes/notifications';

export const notificationsDomain = createRouter()
  .route('/', notificationRoutes)
  .route('/', notificationAdminRoutes);
