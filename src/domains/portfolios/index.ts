import { createRouter } from '../../core/openapi';
import { dataRoutes } from './surfaces/data';
import { gainsRoutes } from './surfaces/gains';
import { managementRoutes } from './surfaces/management';
import { riskSurfaceRoutes } from './surfaces/risk';
import { riskExportRoutes } from './surfaces/risk-export';
import { trackerRoutes } from './surfaces/tracker';
import { tradingRoutes } from './surfaces/trading';
import { transferRoutes } from './surfaces/transfer';
import { v1Routes } from './surfaces/v1';

/** One portfolio model, served at every seed's paths: 000 (v1), 002 (trading), 003 (tracker), 004 (data, management). */
export const portfoliosDomain = createRouter()
  // Before v1: its /trades/{trade_id} would otherwise match /trades/export.
  .route('/', transferRoutes)
  .route('/', v1Routes)
  .route('/', dataRoutes)
  .route('/', managementRoutes)
  .route('/', trackerRoutes)
  .route('/', tradingRoutes)
  .route('/', gainsRoutes)
  .route('/', riskSurfaceRoutes)
  .route('/', riskExportRoutes);
