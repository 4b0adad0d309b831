import { createRouter } from '../../core/openapi';
import { adminSecurityRoutes } from './routes/security';
import { adminUserRoutes } from './routes/users';
import { adminUsers003Routes } from './routes/users-003';

export const adminDomain = createRouter()
  .route('/', adminUserRoutes)
  .route('/', adminUsers003Routes)
  .route('/', adminSecurityRoutes);
