import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../src/app';

/**
 * A fetcher that runs the app with some vars changed (a tiny shard capacity, a low message
 * budget...), the way a deployment with other [vars] would: the Worker reads the limits
 * and hands them to the objects, so the objects follow too.
 */
export function withVars(vars: Partial<Record<keyof Env, string>>): (req: Request) => Promise<Response> {
  const app = createApp();
  const overridden = { ...env, ...vars } as Env;
  return async (req) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(req, overridden, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** The same env with some vars changed, for calling the publisher directly. */
export function envWith(vars: Partial<Record<keyof Env, string>>): Env {
  return { ...env, ...vars } as Env;
}
