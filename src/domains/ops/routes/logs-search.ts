import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { LOG_LEVELS, LogEntrySchema, LogFileQuery, opsRoute, TimeRangeQuery } from '../schemas';
import { searchLogs } from '../services/logs';
import { resolveRange } from '../services/sink';

export const logsSearchRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: logs'),
    method: 'get',
    path: '/api/logs/search',
    summary: 'Search the logs: full text (FTS5), level, user, request, trace, time range (002)',
    description:
      'Newest first. `app` holds one line per request (method, path, status, duration) and every application log line emitted while serving it; text search matches whole words of the message and route.',
    request: {
      query: TimeRangeQuery.extend({
        query: z.string().max(200).optional().openapi({ description: 'Words that must all appear.' }),
        level: z.enum(LOG_LEVELS).optional(),
        user_id: z.string().max(64).optional(),
        request_id: z.string().max(128).optional(),
        trace_id: z.string().max(128).optional(),
        log_file: LogFileQuery,
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).max(100_000).default(0),
      }),
    },
    responses: {
      200: {
        description: 'Matching lines and the total.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                results: z.array(LogEntrySchema),
                total: z.number().int(),
                limit: z.number().int(),
                offset: z.number().int(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const range = resolveRange({ start: q.start_time, end: q.end_time });
    const { total, results } = await searchLogs(
      c.env,
      q.log_file,
      range,
      { query: q.query, level: q.level, user_id: q.user_id, request_id: q.request_id, trace_id: q.trace_id },
      { limit: q.limit, offset: q.offset },
    );
    return c.json(plain(c, { results, total, limit: q.limit, offset: q.offset }), 200);
  },
);
