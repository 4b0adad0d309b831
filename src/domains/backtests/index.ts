import { createRouter } from '../../core/openapi';
import { resultRoutes } from './routes/results';
import { runRoutes } from './routes/run';

export const backtestsDomain = createRouter().route('/', runRoutes).route('/', resultRoutes);
