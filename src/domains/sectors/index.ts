import { createRouter } from '../../core/openapi';
import { sectorAdminRoutes } from './routes/admin';
import { sectorReadRoutes } from './routes/read';
import { sectorRoutes } from './routes/sector';

/** Layer 2 (sectors) of 000/001 and its admin operations. */
export const sectorsDomain = createRouter()
  .route('/', sectorReadRoutes)
  .route('/', sectorRoutes)
  .route('/', sectorAdminRoutes);
