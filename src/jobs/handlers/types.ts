import type { z } from 'zod';

export interface JobContext {
  env: Env;
  jobId: string;
  /** Records progress (0-100) and refreshes the heartbeat that keeps the reaper away. */
  progress(percent: number, message?: string): Promise<void>;
  /** Whether someone asked to cancel; long jobs check between steps and stop early. */
  cancelRequested(): Promise<boolean>;
}

/** One kind of background job: its payload schema and what running it does. */
export interface JobHandler<P extends z.ZodType = z.ZodType> {
  payload: P;
  /** Must be safe to run again after a crash: jobs are delivered at least once. */
  run(ctx: JobContext, payload: z.infer<P>): Promise<unknown>;
}

export function defineJob<P extends z.ZodType>(handler: JobHandler<P>): JobHandler<P> {
  return handler;
}
