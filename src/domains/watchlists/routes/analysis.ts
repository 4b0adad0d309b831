import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { watchlistAnalysis, watchlistSignals } from '../analysis';

const Id = z.object({ watchlist_id: z.string().min(1).max(64) });

export const watchlistAnalysisRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/watchlists/{watchlist_id}/signals',
      tags: ['Watchlists'],
      summary: 'Technical signals for each asset of a watchlist (000)',
      request: { params: Id },
      responses: {
        200: {
          description: 'One signal per asset with its reasons and indicator values.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  watchlist_id: z.string(),
                  method: z.string(),
                  signals: z.array(
                    z.object({
                      symbol: z.string(),
                      signal: z.enum(['bullish', 'bearish', 'neutral', 'insufficient_data']),
                      score: z.number().int(),
                      reasons: z.array(z.string()),
                      indicators: z.record(z.string(), z.number().nullable()).nullable(),
                      as_of: z.string().nullable(),
                    }),
                  ),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(c, await watchlistSignals(c.env, c.get('principal'), c.req.valid('param').watchlist_id)),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/watchlists/{watchlist_id}/ai-analysis',
      tags: ['Watchlists'],
      summary: "A watchlist's statistical analysis: correlation, volatility, diversification (000)",
      description:
        'Named by its model: descriptive statistics over 90 days of daily returns, no machine learning.',
      request: { params: Id },
      responses: {
        200: {
          description: 'The analysis.',
          content: { 'application/json': { schema: envelopeSchema(z.record(z.string(), z.unknown())) } },
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(c, await watchlistAnalysis(c.env, c.get('principal'), c.req.valid('param').watchlist_id)),
        200,
      ),
  );
