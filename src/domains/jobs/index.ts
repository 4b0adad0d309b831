import { createRouter } from '../../core/openapi';
import { jobRoutes } from './routes/jobs';

export const jobsDomain = createRouter().route('/', jobRoutes);
