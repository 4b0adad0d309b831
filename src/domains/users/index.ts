import { createRouter } from '../../core/openapi';
import { activityRoute } from './routes/activity';
import { changePasswordRoute } from './routes/change-password';
import { preferencesRoutes } from './routes/preferences';
import { profileRoutes } from './routes/profile';
import { sessionRoutes } from './routes/sessions';

export const usersDomain = createRouter()
  .route('/', profileRoutes)
  .route('/', changePasswordRoute)
  .route('/', activityRoute)
  .route('/', preferencesRoutes)
  .route('/', sessionRoutes);
