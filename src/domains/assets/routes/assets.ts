import { z } from '@hono/zod-openapi';
import { cachedText, notModifiedResponse, sendCached } from '../../../core/cache';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { ASSET_TYPES } from '../../../db/schema/market';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { AssetDetailSchema, AssetIdParam, AssetInputSchema, AssetSchema } from '../schemas';
import { assetDetail, createAsset, listAssets, searchAssets, updateAsset } from '../service';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: envelopeSchema(schema) } },
});

export const assetRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/assets',
      tags: ['Assets'],
      summary: 'Active, supported assets with current price, market cap and 24h change (000)',
      request: {
        query: PaginationQuery.extend({
          asset_type: z.enum(ASSET_TYPES).optional(),
          search: z.string().max(100).optional(),
        }),
      },
      responses: {
        200: json(z.object({ assets: z.array(AssetSchema) }), 'A page of assets.'),
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, ...filters } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      // Stored as "<total> <the data's JSON>": a hit sends the stored JSON as it is (sendCached),
      // with the page's total for the envelope, instead of parsing and serialising it again.
      const cached = await cachedText(c, 30, async () => {
        const { total, assets } = await listAssets(c.env, filters, page);
        return `${total} ${JSON.stringify({ assets })}`;
      });
      if (cached.notModified) return c.body(null, 304);
      const space = cached.text.indexOf(' ');
      const total = Number(cached.text.slice(0, space));
      return sendCached(
        c,
        (data) => envelope(c, data, { pagination: paginationMeta(page, total) }),
        cached.text.slice(space + 1),
      );
    },
  )
  // Before /assets/{asset_id}, which would otherwise match "search".
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/assets/search',
      tags: ['Assets'],
      summary: 'Search assets by symbol and name, best matches first (000/001)',
      request: {
        query: z.object({
          q: z.string().trim().min(1).max(100).openapi({ example: 'bit' }),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          asset_type: z.enum(ASSET_TYPES).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({
            query: z.string(),
            results: z.array(AssetSchema.extend({ match_rank: z.number().int() })),
          }),
          'Matches.',
        ),
      },
    }),
    async (c) => {
      const { q, limit, asset_type } = c.req.valid('query');
      return c.json(envelope(c, { query: q, results: await searchAssets(c.env, q, limit, asset_type) }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/assets/{asset_id}',
      tags: ['Assets'],
      summary: 'One asset: details, external ids, links, quote and history coverage (000)',
      request: { params: AssetIdParam },
      responses: { 200: json(AssetDetailSchema, 'The asset.') },
    }),
    async (c) => c.json(envelope(c, await assetDetail(c.env, c.req.valid('param').asset_id)), 200),
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/assets',
      tags: ['Admin: market data'],
      summary: 'Add an asset (000); audited',
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      request: { body: { content: { 'application/json': { schema: AssetInputSchema } }, required: true } },
      responses: { 201: json(AssetDetailSchema, 'Created.') },
    }),
    async (c) => {
      const created = await createAsset(c.env, principalOf(c), c.req.valid('json'), {
        ...requestFacts(c),
        requestId: c.get('requestId'),
      });
      return c.json(envelope(c, created), 201);
    },
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/admin/assets/{asset_id}',
      tags: ['Admin: market data'],
      summary: 'Update an asset (000); audited',
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      request: {
        params: AssetIdParam,
        body: { content: { 'application/json': { schema: AssetInputSchema.partial() } }, required: true },
      },
      responses: { 200: json(AssetDetailSchema, 'Updated.') },
    }),
    async (c) => {
      const updated = await updateAsset(
        c.env,
        principalOf(c),
        c.req.valid('param').asset_id,
        c.req.valid('json'),
        {
          ...requestFacts(c),
          requestId: c.get('requestId'),
        },
      );
      return c.json(envelope(c, updated), 200);
    },
  );
