import { createRouter } from '../../core/openapi';
import { dexRoutes } from './routes';

export const dexDomain = createRouter().route('/', dexRoutes);
