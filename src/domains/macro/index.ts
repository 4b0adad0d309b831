import { createRouter } from '../../core/openapi';
import { macroAdminRoutes } from './routes/admin';
import { dashboardRoutes } from './routes/dashboard';
import { macroHistoryRoutes } from './routes/history';
import { macroReadRoutes } from './routes/read';
import { tracker003Routes } from './routes/tracker-003';

/** Layer 1 (macro) of 000/001, its admin operations, and 003's risk, cycle, screener and flow paths. */
export const macroDomain = createRouter()
  .route('/', macroReadRoutes)
  .route('/', macroHistoryRoutes)
  .route('/', macroAdminRoutes)
  .route('/', tracker003Routes)
  .route('/', dashboardRoutes);
