import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { batchDataQuality } from '../services/batch-quality';

const num = z.number().nullable();

export const PortfolioQualitySchema = z.object({
  portfolio_id: z.string(),
  portfolio_name: z.string(),
  quality_score: z.number(),
  position_count: z.number().int(),
  data_completeness: z.object({
    price_coverage: z.number(),
    greeks_coverage: z.number(),
    factor_coverage: z.number(),
    historical_data_coverage: z.number(),
  }),
  data_freshness: z.object({
    last_price_update: z.string().nullable(),
    oldest_price_update: z.string().nullable(),
    hours_since_update: num,
    freshness_score: z.number(),
  }),
  issues: z.array(z.string()),
});

export const batchDataQualityRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: batch'),
    method: 'get',
    path: '/api/v1/admin/batch/data-quality',
    summary: 'Data quality status and metrics for portfolios (004)',
    description:
      'Every active portfolio (a page of `limit`, oldest first) or one: price coverage, freshness against the market clock, Greeks, factor and history coverage from the stored daily closes, issues; the providers and D1 as the ingestion sees them; the score history from the refresh job runs. `method` states how each figure is computed.',
    request: {
      query: z.object({
        portfolio_id: z.string().min(1).max(64).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    responses: {
      200: {
        description: 'Assessed now. A portfolio_id that does not exist answers 404.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                system_overview: z.object({
                  total_portfolios: z.number().int(),
                  active_portfolios: z.number().int(),
                  total_positions: z.number().int(),
                  portfolios_assessed: z.number().int(),
                  overall_data_quality_score: num,
                  last_assessment: z.string().nullable().openapi({
                    description: 'When the last refresh job finished (wall time); null before the first.',
                  }),
                  market_clock: z.string(),
                }),
                portfolio_quality: z.array(PortfolioQualitySchema),
                data_source_status: z.object({
                  market_data_mode: z.enum(['replay', 'live']),
                  market_data_providers: z.record(
                    z.string(),
                    z.object({
                      status: z.string(),
                      circuit_state: z.string(),
                      last_successful_call: z.string().nullable(),
                      daily_api_calls: z.number().int(),
                      daily_limit: z.number().int().nullable(),
                      error_rate_today: num,
                    }),
                  ),
                  database_health: z.object({
                    status: z.string(),
                    connection_pool_usage: z.number(),
                    avg_query_time_ms: num,
                    slow_queries_24h: z.number().int(),
                    slow_query_threshold_ms: z.number(),
                    d1_equivalent: z.string(),
                  }),
                }),
                quality_trends: z.object({
                  score_history_7d: z.array(z.object({ date: z.string(), score: z.number() })),
                  improvement_areas: z.array(z.string()),
                }),
                recommendations: z.array(z.string()),
                method: z.string(),
                last_updated: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await batchDataQuality(c.env, c.req.valid('query'))), 200),
);
