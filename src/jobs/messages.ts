import { z } from 'zod';

/** What a Queue message carries: only the job's id and type. The `jobs` row holds the rest. */
export const JobMessage = z.object({
  job_id: z.string().startsWith('job_'),
  type: z.string().min(1),
});

export type JobMessage = z.infer<typeof JobMessage>;
