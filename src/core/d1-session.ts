import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * D1 read replication through the Sessions API, one session per request. A session starts at
 * a client's bookmark (its reads see at least what that bookmark saw, the client's own writes
 * included), or by one of D1's two constraints: `first-unconstrained` lets its first read go
 * to the nearest replica, `first-primary` sends it to the primary. Every later statement of
 * the session reads a copy at least as new as the one before, and writes always go to the
 * primary. The bookmark the session ends at goes back to the client in `x-d1-bookmark`.
 */
export const BOOKMARK_HEADER = 'x-d1-bookmark';

/**
 * D1's bookmark: four dash-separated hex fields (`00000000-00000018-00000000-0000…`, 8, 8, 8
 * and 32 digits today). Checked for that shape, not those widths, so a bookmark D1 makes
 * wider one day still passes; a constraint's name (`first-primary`) never does.
 */
const BOOKMARK = /^[0-9a-f]{1,64}(?:-[0-9a-f]{1,64}){3}$/i;

export function isBookmark(value: string): boolean {
  return BOOKMARK.test(value);
}

/**
 * Where a request's session starts. A bookmark the client sent wins. Otherwise a guest's read
 * (market data, which only ingestion writes) may start on any replica; a signed-in caller's
 * request, or any write, starts on the primary, so a caller who sends no bookmark still reads
 * its own earlier writes.
 */
export function sessionStart(
  method: string,
  signedIn: boolean,
  bookmark: string | undefined,
): D1SessionBookmark | D1SessionConstraint {
  if (bookmark) return bookmark;
  const read = method === 'GET' || method === 'HEAD';
  return read && !signedIn ? 'first-unconstrained' : 'first-primary';
}

/**
 * A request's session, opened on its first statement (a request that reads nothing opens
 * none). The Worker has one D1 binding (`DB`), so a request has one session.
 */
export class RequestSession {
  private session: D1DatabaseSession | undefined;

  constructor(readonly start: D1SessionBookmark | D1SessionConstraint) {}

  /** The session the request's statements run on. */
  on(binding: D1Database): D1DatabaseSession {
    this.session ??= binding.withSession(this.start);
    return this.session;
  }

  /** The newest bookmark the session saw; null when the request ran no statement. */
  bookmark(): string | null {
    return this.session?.getBookmark() ?? null;
  }
}

const current = new AsyncLocalStorage<RequestSession>();

/** Runs `fn` with `session` as the current request's D1 session. */
export function withD1Session<T>(session: RequestSession, fn: () => Promise<T>): Promise<T> {
  return current.run(session, fn);
}

/** The D1 (or its session) a statement of `binding` runs on now: the request's session, if any. */
export function d1For(binding: D1Database): D1Database | D1DatabaseSession {
  return current.getStore()?.on(binding) ?? binding;
}
