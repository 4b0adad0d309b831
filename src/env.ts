import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { CardReply } from '../durable/user';
import type { RateLimitMeta } from './core/responses';

/** Who is calling. Filled by the auth middleware; absent for guests. */
export interface Principal {
  userId: string;
  email: string;
  role: 'user' | 'admin';
  tier: string;
  /** The session of a signed-in user; absent for API keys. */
  sessionId?: string;
  /** The API key used, if any, and the scopes it grants. */
  apiKeyId?: string;
  scopes: string[];
}

export type AppVariables = RequestIdVariables &
  TimingVariables & {
    principal?: Principal;
    /** 2 when the client asked for 002's v2 envelope (`/api/v2/...` or `X-API-Version: 2.0`). */
    apiVersion: 1 | 2;
    /** The caller's rate-limit state once the limiter has decided, echoed in 001's meta. */
    rateLimit?: RateLimitMeta;
    /** `/auth/me`'s card as the user object answered it with the request's `authorize`. */
    userCard?: CardReply;
    /** The user's portfolios' token as the user object handed it over (the portfolio list). */
    portfoliosToken?: string;
  };

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

export { type Config, config } from './core/config';
