import { createRouter } from '../../core/openapi';
import { assetRoutes } from './routes/assets';

export const assetsDomain = createRouter().route('/', assetRoutes);
