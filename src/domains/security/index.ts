import { createRouter } from '../../core/openapi';
import { rateLimitRoutes } from './routes/rate-limits';

export const securityDomain = createRouter().route('/', rateLimitRoutes);
