import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { TIERS } from '../../../core/tiers';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { listPlans, setPlanPrices } from '../services/billing';

const PlanSchema = z
  .object({
    tier: z.string(),
    name: z.string(),
    monthly_price: z.number(),
    annual_price: z.number(),
    currency: z.string(),
    configured: z.boolean(),
    updated_at: z.string().nullable(),
  })
  .openapi('PlanPrice');

const TIER_CODES = TIERS.map((t) => t.code) as [string, ...string[]];

export const billingPlansRoute = createRouter()
  .openapi(
    defineRoute({
      ...opsRoute('Ops: business metrics'),
      method: 'get',
      path: '/api/v1/admin/billing/plans',
      summary: 'What each subscription tier costs (revenue metrics price tier changes with it)',
      responses: {
        200: {
          description: 'Every tier; one never configured is free.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ plans: z.array(PlanSchema) })) },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, { plans: await listPlans(c.env) }), 200),
  )
  .openapi(
    defineRoute({
      ...opsRoute('Ops: business metrics'),
      method: 'put',
      path: '/api/v1/admin/billing/plans',
      summary: 'Set tier prices (applies to tier changes from now on; audited)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  plans: z
                    .array(
                      z
                        .object({
                          tier: z.enum(TIER_CODES),
                          monthly_price: z.number().min(0).max(1_000_000),
                          currency: z
                            .string()
                            .regex(/^[A-Z]{3}$/)
                            .default('USD'),
                        })
                        .strict(),
                    )
                    .min(1)
                    .max(TIER_CODES.length),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'The plans now.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ plans: z.array(PlanSchema) })) },
          },
        },
      },
    }),
    async (c) => {
      const { plans } = c.req.valid('json');
      const updated = await setPlanPrices(c.env, plans, {
        userId: principalOf(c).userId,
        requestId: c.get('requestId'),
      });
      return c.json(envelope(c, { plans: updated }), 200);
    },
  );
