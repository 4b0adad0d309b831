import { runBacktestJob } from '../../domains/backtests/job';
import { preloadCache } from './cache-preload';
import { refreshDataQuality } from './data-quality';
import { macroBackfill, macroSnapshot, sectorsRefresh } from './macro';
import { purgeFinishedJobs } from './maintenance';
import { archivePrices, backfillPrices, validateDataQuality } from './market-data';
import { trainModel } from './models';
import { broadcastNotification, pushNotification } from './notifications';
import { nightlyRiskBatch, renderRiskReport, riskBatchChunk } from './risk';
import type { JobHandler } from './types';
import { refreshWalletBalances, rewrapWalletDataKeys } from './wallets';

/** Every job type the consumer runs. Adding a job: one handler file, one line here. */
export const JOB_HANDLERS: Record<string, JobHandler> = {
  'maintenance.purge-finished-jobs': purgeFinishedJobs,
  'prices.backfill': backfillPrices,
  'prices.archive': archivePrices,
  'data-quality.validate': validateDataQuality,
  'data-quality.refresh': refreshDataQuality,
  'notifications.push': pushNotification,
  'notifications.broadcast': broadcastNotification,
  'backtests.run': runBacktestJob,
  'models.train': trainModel,
  'wallets.refresh-balances': refreshWalletBalances,
  'wallets.rewrap-keys': rewrapWalletDataKeys,
  'cache.preload': preloadCache,
  'macro.snapshot': macroSnapshot,
  'macro.backfill': macroBackfill,
  'sectors.refresh-analysis': sectorsRefresh,
  'risk.report': renderRiskReport,
  'risk.nightly-batch': nightlyRiskBatch,
  'risk.batch-chunk': riskBatchChunk,
};

export type JobType = keyof typeof JOB_HANDLERS;
