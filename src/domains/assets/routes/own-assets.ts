import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { TIMEFRAMES } from '../../../db/schema/market';
import { principalOf, requireUser } from '../../../middleware/auth';
import { importCandles, readImportBody } from '../../prices/import';
import { CandleSchema, parseTime, UnadjustedHistoryQuery } from '../../prices/schemas';
import { candles } from '../../prices/service';
import { AssetIdParam, AssetInputSchema, AssetSchema } from '../schemas';
import { createOwnAsset, deleteOwnAsset, listOwnAssets, resolveAsset } from '../service';

const common = { tags: ['Your own data'], security: [{ bearerAuth: [] }], middleware: requireUser };

const ImportReportSchema = z.object({
  received: z.number().int(),
  accepted: z.number().int(),
  rejected: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  written: z.number().int(),
  dry_run: z.boolean(),
});

/**
 * A user's own price series: private assets they create and fill by importing CSV or JSON,
 * through the same validated import admins use. Another user's asset id answers 404, and
 * none of it ever appears on the shared market-data routes.
 */
export const ownAssetRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/users/me/assets',
      summary: 'Create your own private asset, to import your data into',
      request: {
        body: {
          content: {
            'application/json': {
              schema: AssetInputSchema.pick({
                symbol: true,
                name: true,
                asset_type: true,
                quote_currency: true,
                description: true,
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        201: {
          description: 'Created.',
          content: { 'application/json': { schema: envelopeSchema(AssetSchema) } },
        },
      },
    }),
    async (c) => c.json(envelope(c, await createOwnAsset(c.env, principalOf(c), c.req.valid('json'))), 201),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/users/me/assets',
      summary: 'Your own assets',
      responses: {
        200: {
          description: 'Yours.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ assets: z.array(AssetSchema) })) },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, { assets: await listOwnAssets(c.env, principalOf(c)) }), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/v1/users/me/assets/{asset_id}',
      summary: 'Delete one of your assets and its candles',
      request: { params: AssetIdParam },
      responses: {
        200: {
          description: 'Deleted.',
          content: {
            'application/json': {
              schema: envelopeSchema(z.object({ id: z.string(), deleted: z.boolean() })),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json(envelope(c, await deleteOwnAsset(c.env, principalOf(c), c.req.valid('param').asset_id)), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/users/me/assets/{asset_id}/import',
      summary: 'Import candles into your asset (CSV or JSON; validated; rows accepted and rejected reported)',
      request: {
        params: AssetIdParam,
        query: z.object({
          timeframe: z.enum(TIMEFRAMES).default('1d'),
          dry_run: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
      },
      responses: {
        200: {
          description: 'The import report.',
          content: { 'application/json': { schema: envelopeSchema(ImportReportSchema) } },
        },
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const asset = await resolveAsset(c.env, c.req.valid('param').asset_id, principal.userId);
      const q = c.req.valid('query');
      const body = await readImportBody(c);
      const report = await importCandles(c.env, {
        assetId: asset.id,
        timeframe: q.timeframe,
        body,
        dryRun: q.dry_run,
        source: 'user-import',
      });
      return c.json(envelope(c, report), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/users/me/assets/{asset_id}/price-history',
      summary: 'Candles of your own asset',
      request: { params: AssetIdParam, query: UnadjustedHistoryQuery },
      responses: {
        200: {
          description: 'Candles, oldest first.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({ asset_id: z.string(), symbol: z.string(), candles: z.array(CandleSchema) }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const asset = await resolveAsset(c.env, c.req.valid('param').asset_id, principal.userId);
      const q = c.req.valid('query');
      const rows = (
        await candles(c.env, asset, {
          timeframe: q.timeframe,
          start: parseTime(q.start_date),
          end: parseTime(q.end_date, true),
          limit: q.limit,
          newestFirst: true,
        })
      ).reverse();
      c.header('Cache-Control', 'private, no-store');
      return c.json(
        envelope(c, {
          asset_id: asset.id,
          symbol: asset.symbol,
          candles: rows.map((r) => ({
            timestamp: new Date(r.openTime).toISOString(),
            open: r.open,
            high: r.high,
            low: r.low,
            close: r.close,
            volume: r.volume,
          })),
        }),
        200,
      );
    },
  );
