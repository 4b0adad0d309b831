import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { TELEMETRY_RETENTION_DAYS } from '../../../core/telemetry';
import { LogEntrySchema, LogFileQuery, opsRoute } from '../schemas';
import { searchLogs } from '../services/logs';

export const logsTailRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: logs'),
    method: 'get',
    path: '/api/logs/tail',
    summary: 'The last N lines of a log stream, oldest first like `tail -n` (002)',
    request: {
      query: z.object({
        log_file: LogFileQuery,
        lines: z.coerce
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(50)
          .openapi({ description: 'At most 1,000.' }),
      }),
    },
    responses: {
      200: {
        description: 'The lines, oldest first.',
        content: { 'application/json': { schema: plainOrV2Schema(z.array(LogEntrySchema)) } },
      },
    },
  }),
  async (c) => {
    const { log_file, lines } = c.req.valid('query');
    const now = Date.now();
    const { results } = await searchLogs(
      c.env,
      log_file,
      { start: now - TELEMETRY_RETENTION_DAYS * 86_400_000, end: now },
      {},
      { limit: lines, offset: 0 },
    );
    return c.json(plain(c, results.reverse()), 200);
  },
);
