import { createRouter } from '../../core/openapi';
import { alertRoutes } from './routes/alerts';
import { limitRoutes } from './routes/limits';

export const riskLimitsDomain = createRouter().route('/', limitRoutes).route('/', alertRoutes);
