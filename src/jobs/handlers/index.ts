import { purgeFinishedJobs } from './maintenance';
import { archivePrices, backfillPrices, validateDataQuality } from './market-data';
import { broadcastNotification, pushNotification } from './notifications';
import { nightlyRiskBatch, renderRiskReport } from './risk';
import type { JobHandler } from './types';

/** Every job type the consumer runs. Adding a job: one handler file, one line here. */
export const JOB_HANDLERS: Record<string, JobHandler> = {
  'maintenance.purge-finished-jobs': purgeFinishedJobs,
  'prices.backfill': backfillPrices,
  'prices.archive': archivePrices,
  'data-quality.validate': validateDataQuality,
  'notifications.push': pushNotification,
  'notifications.broadcast': broadcastNotification,
  'risk.report': renderRiskReport,
  'risk.nightly-batch': nightlyRiskBatch,
};

export type JobType = keyof typeof JOB_HANDLERS;
