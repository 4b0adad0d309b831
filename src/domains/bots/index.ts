import { createRouter } from '../../core/openapi';
import { botRoutes } from './routes/bots';
import { lifecycleRoutes } from './routes/lifecycle';

export const botsDomain = createRouter().route('/', botRoutes).route('/', lifecycleRoutes);
