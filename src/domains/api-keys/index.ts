import { createRouter } from '../../core/openapi';
import { apiKeyRoutes } from './routes/api-keys';

export const apiKeysDomain = createRouter().route('/', apiKeyRoutes);
