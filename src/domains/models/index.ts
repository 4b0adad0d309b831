import { createRouter } from '../../core/openapi';
import { modelRoutes } from './routes/models';
import { performanceRoutes } from './routes/performance';

export const modelsDomain = createRouter().route('/', modelRoutes).route('/', performanceRoutes);
