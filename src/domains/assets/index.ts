import { createRouter } from '../../core/openapi';
import { assetRoutes } from './routes/assets';
import { ownAssetRoutes } from './routes/own-assets';

export const assetsDomain = createRouter().route('/', assetRoutes).route('/', ownAssetRoutes);
