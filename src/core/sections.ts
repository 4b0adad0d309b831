import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { cachedText } from './cache';
import { envelope, plain } from './responses';

export interface SectionOptions<S> {
  /** Edge-cache TTL in seconds. */
  ttl: number;
  /** Reads the stored snapshot (only on a cache miss). */
  load: (c: Context<AppEnv>) => Promise<S>;
  /**
   * Names the caller classes that see different data at the same URL (e.g. guests and
   * signed-in users), so each gets its own cache entry.
   */
  variant?: (c: Context<AppEnv>) => string | undefined;
  /** `envelope` (v1, the default) or `plain` (002/003 bodies; v2 envelope when asked). */
  shape?: 'envelope' | 'plain';
}

/**
 * Serving a section of a stored snapshot: the projection of the snapshot that the route serves
 * is computed once per URL, data version and caller class, stored in the edge cache as JSON
 * text, and spliced into the envelope as those bytes on every hit (no parse, no re-serialise).
 * An If-None-Match with the current ETag gets 304. `schema` types the projection against the
 * route's documented response. `serve(c, schema, project)` answers one request (a handler that
 * reads its validated query first); `section(schema, project)` is the whole handler.
 */
export function sectionHandlers<S>(options: SectionOptions<S>) {
  const serve = async <T extends z.ZodType>(
    c: Context<AppEnv>,
    _schema: T,
    project: (snapshot: S, c: Context<AppEnv>) => z.input<T>,
  ): Promise<Response> => {
    const cached = await cachedText(
      c,
      options.ttl,
      async () => JSON.stringify(project(await options.load(c), c)),
      { variant: options.variant?.(c) },
    );
    if (cached.notModified) return c.body(null, 304);
    c.header('Content-Type', 'application/json');
    if (options.shape === 'plain') {
      if (c.get('apiVersion') !== 2) return c.body(cached.text, 200);
      const { meta } = plain(c, null) as { meta: unknown };
      return c.body(`{"success":true,"data":${cached.text},"meta":${JSON.stringify(meta)}}`, 200);
    }
    const { meta } = envelope(c, null);
    return c.body(`{"success":true,"data":${cached.text},"meta":${JSON.stringify(meta)}}`, 200);
  };
  const section =
    <T extends z.ZodType>(schema: T, project: (snapshot: S, c: Context<AppEnv>) => z.input<T>) =>
    (c: Context<AppEnv>) =>
      serve(c, schema, project);
  return { serve, section };
}
