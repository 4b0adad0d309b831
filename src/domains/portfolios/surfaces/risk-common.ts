import type { z } from '@hono/zod-openapi';
import { plainOrV2Schema } from '../../../core/responses';
import { requireUser } from '../../../middleware/auth';
import { getReadablePortfolio, type Reader } from '../services/portfolios';

/** What every 004 risk route shares: bearer auth, its tag, a plain-or-v2 200 body. */
export const common = { security: [{ bearerAuth: [] }], middleware: requireUser, tags: ['Data (004)'] };
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema: plainOrV2Schema(schema) } } },
});

/** The caller's portfolio (or one shared with them); 404 for anyone else's. */
export async function readable(c: { env: Env; get: (k: 'principal') => Reader }, id: string) {
  return getReadablePortfolio(c.env, c.get('principal'), id);
}
