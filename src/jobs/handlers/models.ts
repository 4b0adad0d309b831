import { z } from 'zod';
import { runTraining } from '../../domains/models/training';
import { defineJob } from './types';

/** Trains a registered model on the data the market clock had reached when it was requested. */
export const trainModel = defineJob({
  payload: z.object({
    model_id: z.string().startsWith('mdl_'),
    as_of: z.number().int(),
    seed: z.number().int().min(0),
  }),
  run: (ctx, payload) => runTraining(ctx.env, ctx.jobId, payload, (p, m) => ctx.progress(p, m)),
});
