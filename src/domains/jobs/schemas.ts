import { z } from '@hono/zod-openapi';
import { JOB_STATUSES } from '../../db/schema/platform';

export const JobSchema = z
  .object({
    id: z.string(),
    job_id: z.string(),
    type: z.string(),
    status: z.enum(JOB_STATUSES),
    progress: z.number(),
    progress_message: z.string().nullable(),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    cancel_requested: z.boolean(),
    payload: z.unknown(),
    result: z.unknown(),
    error: z.string().nullable(),
    user_id: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    updated_at: z.string(),
  })
  .openapi('Job');
