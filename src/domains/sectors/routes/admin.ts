import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { enqueueJob } from '../../../jobs/service';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { JobSchema } from '../../jobs/schemas';
import { getOwnedJob, jobView } from '../../jobs/service';
import { AbsentSchema } from '../schemas';
import { getSectorRow, type SectorRow, updateSector } from '../service';
import { joined, ok, sectorData } from './read';

const admin = { security: [{ bearerAuth: [] }], middleware: requireAdmin, tags: ['Admin: sectors'] };
const params = z.object({
  sector_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'sector_id', in: 'path' }, example: 'defi' }),
});

const SectorRecord = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    is_active: z.boolean(),
    updated_at: z.string(),
    updated_by: z.string().nullable(),
  })
  .openapi('Sector');

const view = (r: SectorRow) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  category: r.category,
  is_active: r.isActive,
  updated_at: new Date(r.updatedAt).toISOString(),
  updated_by: r.updatedBy,
});

export const sectorAdminRoutes = createRouter()
  .openapi(
    defineRoute({
      ...admin,
      method: 'get',
      path: '/api/v1/admin/sectors/analytics',
      summary:
        'Sector health scores and data coverage; prediction accuracy absent (no sector predictions are made) (000)',
      responses: ok(
        z
          .object({
            sectors: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                is_active: z.boolean(),
                health_score: z.number().nullable(),
                tracked_assets: z.number().int(),
                history_days: z.number().int(),
                members_priced: z.number().int(),
                absent_reason: z.string().nullable(),
              }),
            ),
            prediction_accuracy: AbsentSchema,
            snapshot_time: z.string(),
            method: z.string(),
          })
          .openapi('SectorAnalyticsResponse'),
        'Analytics.',
      ),
    }),
    async (c) => {
      const d = await sectorData(c);
      if (d.notModified) return c.body(null, 304);
      const pct = (v: number | null) => (v == null ? null : Math.max(0, Math.min(100, 50 + v)));
      return c.json(
        envelope(c, {
          sectors: joined(d.data, true).map(({ a, row }) => {
            const parts = [
              pct(a.relative_strength_30d),
              pct(a.performance['7d']),
              a.flow === 'inflow' ? 75 : a.flow === 'outflow' ? 25 : a.flow ? 50 : null,
            ].filter((v): v is number => v != null);
            return {
              id: a.id,
              name: row.name,
              is_active: row.isActive,
              health_score: parts.length
                ? Number((parts.reduce((x, y) => x + y, 0) / parts.length).toFixed(4))
                : null,
              tracked_assets: a.tracked_assets,
              history_days: a.history.length,
              members_priced: a.members.filter((m) => m.price != null).length,
              absent_reason: a.absent_reason,
            };
          }),
          prediction_accuracy: {
            available: false as const,
            reason: 'The sector layer makes no predictions, so there is no accuracy to score.',
            configure: 'Score model predictions in the models domain once sector models exist.',
          },
          snapshot_time: d.data.snapshot_time,
          method:
            'health score = mean of (50 + 30-day relative strength), (50 + 7-day return), each clamped to 0..100, and flow (inflow 75, neutral 50, outflow 25)',
        }),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'post',
      path: '/api/v1/admin/sectors/{sector_id}/refresh-analysis',
      summary: 'Recompute the sector analysis, as a background job (000)',
      description:
        'Queues sectors.refresh-analysis: recomputes the sector snapshot of the current market hour (idempotent upsert). Follow it at /api/v1/jobs/{job_id}.',
      request: { params },
      responses: {
        202: {
          description: 'Queued.',
          content: { 'application/json': { schema: envelopeSchema(JobSchema) } },
        },
      },
    }),
    async (c) => {
      const { sector_id } = c.req.valid('param');
      await getSectorRow(c.env, sector_id, true);
      const principal = principalOf(c);
      const id = await enqueueJob(c.env, {
        type: 'sectors.refresh-analysis',
        payload: { sector_id },
        userId: principal.userId,
      });
      return c.json(envelope(c, jobView(await getOwnedJob(c.env, principal, id))), 202);
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'put',
      path: '/api/v1/admin/sectors/{sector_id}',
      summary: 'Edit a sector’s name, description or is_active; audited (000)',
      request: {
        params,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  name: z.string().trim().min(1).max(100).optional(),
                  description: z.string().max(1000).optional(),
                  is_active: z.boolean().optional(),
                })
                .strict()
                .refine(
                  (b) => Object.keys(b).length > 0,
                  'give at least one of name, description, is_active',
                ),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'The updated sector.',
          content: { 'application/json': { schema: envelopeSchema(SectorRecord) } },
        },
      },
    }),
    async (c) => {
      const { sector_id } = c.req.valid('param');
      const body = c.req.valid('json');
      const row = await updateSector(
        c.env,
        principalOf(c),
        sector_id,
        body,
        requestFacts(c),
        c.get('requestId'),
      );
      return c.json(envelope(c, view(row)), 200);
    },
  );
