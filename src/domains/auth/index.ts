import { createRouter } from '../../core/openapi';
import { jwksRoute } from './routes/jwks';
import { loginRoutes } from './routes/login';
import { logoutRoutes } from './routes/logout';
import { meRoutes } from './routes/me';
import { refreshRoutes } from './routes/refresh';
import { registerRoutes } from './routes/register';
import { twoFactorRoutes } from './routes/two-factor';

export const auth = createRouter()
  .route('/', registerRoutes)
  .route('/', loginRoutes)
  .route('/', refreshRoutes)
  .route('/', logoutRoutes)
  .route('/', meRoutes)
  .route('/', jwksRoute)
  .route('/', twoFactorRoutes);
