import type { MiddlewareHandler } from 'hono';
import { BOOKMARK_HEADER, isBookmark, RequestSession, sessionStart, withD1Session } from '../core/d1-session';
import { ApiError } from '../core/errors';
import { requestEnv } from '../core/request-d1';
import type { AppEnv } from '../env';

/**
 * Serves the request's D1 statements from one session (read replication, `core/d1-session.ts`):
 * started at the client's `x-d1-bookmark` when it sends one, else by who is asking and how,
 * and answered with the bookmark the session ended at, for the client's next request. Runs
 * after `authenticate`, whose own reads (API keys) stay on the primary.
 */
export const d1Session: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header(BOOKMARK_HEADER)?.trim() || undefined;
  if (sent !== undefined && !isBookmark(sent)) {
    throw new ApiError('VALIDATION_ERROR', `${BOOKMARK_HEADER} must be a bookmark this API returned`, {
      details: [{ loc: ['header', BOOKMARK_HEADER], msg: 'not a D1 bookmark', type: 'value_error' }],
    });
  }
  const session = new RequestSession(sessionStart(c.req.method, c.get('principal') !== undefined, sent));
  c.env = requestEnv(c.env);
  try {
    await withD1Session(session, () => next());
  } finally {
    const bookmark = session.bookmark();
    if (bookmark) c.res.headers.set(BOOKMARK_HEADER, bookmark);
  }
};
