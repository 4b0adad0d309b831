import { z } from 'zod';
import { defineJob } from './types';

/**
 * The cache preloader: requests each frequent public key (a path and query that went through
 * the edge cache) through the app as a guest, so the entry for the current data version is
 * there before clients ask. Stops at its next key when cancelled; rerunning only re-warms.
 */
export const preloadCache = defineJob({
  payload: z.object({
    keys: z.array(z.string().startsWith('/api/').max(2000)).max(50),
  }),
  async run(ctx, payload) {
    // Loaded lazily: the app imports the job service, which imports these handlers.
    const { createApp } = await import('../../app');
    const app = createApp();
    let warmed = 0;
    let attempted = 0;
    const failures: { key: string; status: number }[] = [];
    for (const [i, key] of payload.keys.entries()) {
      if (await ctx.cancelRequested()) break;
      attempted++;
      const pending: Promise<unknown>[] = [];
      const exec = {
        waitUntil: (p: Promise<unknown>) => {
          pending.push(p);
        },
        passThroughOnException: () => {},
        props: {},
      } as unknown as ExecutionContext;
      const res = await app.fetch(
        new Request(`https://preload.meridian.internal${key}`, {
          headers: { 'CF-Connecting-IP': '127.0.0.1' },
        }),
        ctx.env,
        exec,
      );
      await res.arrayBuffer();
      await Promise.allSettled(pending);
      if (res.ok) warmed++;
      else failures.push({ key, status: res.status });
      await ctx.progress(((i + 1) / payload.keys.length) * 100, `${warmed} of ${attempted} warmed`);
    }
    return { warmed, attempted, failures };
  },
});
