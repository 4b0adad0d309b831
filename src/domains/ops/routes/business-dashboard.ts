import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import {
  AcquisitionSchema,
  BusinessSummarySchema,
  KpisSchema,
  opsRoute,
  RevenueSchema,
  TradingActivitySchema,
} from '../schemas';
import {
  businessSummary,
  kpis,
  revenueMetrics,
  tradingActivity,
  userAcquisition,
} from '../services/business';

export const businessDashboardRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/dashboard',
    summary: 'The business dashboard: summary, KPIs, acquisition, trading activity, revenue (002)',
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                summary: BusinessSummarySchema,
                kpis: KpisSchema,
                revenue: RevenueSchema,
                user_acquisition: AcquisitionSchema,
                trading_activity: TradingActivitySchema,
                generated_at: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const now = Date.now();
    const [summary, k, revenue, acquisition, activity] = await Promise.all([
      businessSummary(c.env, now),
      kpis(c.env, 30, now),
      revenueMetrics(c.env, now - 30 * 86_400_000, now),
      userAcquisition(c.env, 30, now),
      tradingActivity(c.env, 30, now),
    ]);
    return c.json(
      plain(c, {
        summary,
        kpis: k,
        revenue,
        user_acquisition: acquisition,
        trading_activity: activity,
        generated_at: new Date(now).toISOString(),
      }),
      200,
    );
  },
);
