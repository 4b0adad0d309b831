import { createRouter } from '../../core/openapi';
import { feedbackRoutes } from './routes/feedback';

export const feedbackDomain = createRouter().route('/', feedbackRoutes);
