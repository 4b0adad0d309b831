import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import type { AppEnv } from '../../../env';
import { principalOf, requireAdmin, requireUser } from '../../../middleware/auth';
import { AssetSchema } from '../../assets/schemas';
import {
  addAsset,
  adminDefaultWatchlist,
  createWatchlist,
  DEFAULT_WATCHLIST_SIZE,
  defaultWatchlist,
  deleteWatchlist,
  getWatchlist,
  listWatchlists,
  removeAsset,
  setDefaultWatchlist,
  updateAsset,
  updateWatchlist,
  watchlistAnalytics,
} from '../service';

const common = { tags: ['Watchlists'], security: [{ bearerAuth: [] }], middleware: requireUser };
const Id = z.object({ watchlist_id: z.string().min(1).max(64) });
const IdAsset = Id.extend({
  asset_id: z.string().min(1).max(64).openapi({ description: 'Asset id or symbol' }),
});

const WatchlistSchema = z
  .object({
    id: z.string(),
    watchlist_id: z.string(),
    user_id: z.string().nullable(),
    name: z.string(),
    description: z.string().nullable(),
    is_public: z.boolean(),
    is_default: z.boolean(),
    sort_order: z.number().int(),
    asset_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Watchlist');
const ItemSchema = AssetSchema.extend({
  notes: z.string().nullable(),
  position_type: z.enum(['watch', 'long', 'short']),
  target_price: z.number().nullable(),
  distance_to_target_pct: z.number().nullable(),
  sort_order: z.number().int(),
  added_at: z.string(),
}).openapi('WatchlistAsset');
const DetailSchema = WatchlistSchema.extend({ assets: z.array(ItemSchema) }).openapi('WatchlistDetail');
const detail = {
  200: {
    description: 'The watchlist with its assets and prices.',
    content: { 'application/json': { schema: envelopeSchema(DetailSchema) } },
  },
};

const Input = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).nullable().optional(),
    is_public: z.boolean().optional(),
    sort_order: z.number().int().min(0).max(10_000).optional(),
    assets: z.array(z.string().min(1).max(64)).max(200).optional().openapi({
      description:
        'Symbols or ids: the starting list on create; on update (001) the whole list, in order (assets kept keep their notes)',
    }),
  })
  .strict();
const Item = z
  .object({
    notes: z.string().max(1000).nullable().optional(),
    position_type: z.enum(['watch', 'long', 'short']).optional(),
    sort_order: z.number().int().min(0).max(10_000).optional(),
    target_price: z.number().positive().max(1e15).nullable().optional(),
  })
  .strict();
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});
const facts = (c: Context<AppEnv>) => ({ ...requestFacts(c), requestId: c.get('requestId') });

export const watchlistRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/watchlists',
      summary: 'Your watchlists (000/001)',
      responses: {
        200: {
          description: 'Yours.',
          content: {
            'application/json': {
              schema: envelopeSchema(z.object({ watchlists: z.array(WatchlistSchema) })),
            },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, { watchlists: await listWatchlists(c.env, principalOf(c)) }), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/watchlists',
      summary: 'Create a watchlist (000/001)',
      request: body(Input),
      responses: { 201: detail[200] },
    }),
    async (c) => c.json(envelope(c, await createWatchlist(c.env, principalOf(c), c.req.valid('json'))), 201),
  )
  // Before /watchlists/{watchlist_id}.
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/watchlists/default',
      tags: ['Watchlists'],
      summary: 'The default watchlist guests see, with prices (001)',
      responses: detail,
    }),
    async (c) => c.json(envelope(c, await defaultWatchlist(c.env)), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/watchlists/{watchlist_id}',
      tags: ['Watchlists'],
      summary: 'A watchlist: yours, a public one, or the default (000)',
      request: { params: Id },
      responses: detail,
    }),
    async (c) =>
      c.json(
        envelope(c, await getWatchlist(c.env, c.get('principal'), c.req.valid('param').watchlist_id)),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      path: '/api/v1/watchlists/{watchlist_id}',
      summary: 'Rename, describe, publish, reorder, or (001) replace the assets of a watchlist (000/001)',
      request: { params: Id, ...body(Input.partial()) },
      responses: detail,
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await updateWatchlist(
            c.env,
            principalOf(c),
            c.req.valid('param').watchlist_id,
            c.req.valid('json'),
          ),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/v1/watchlists/{watchlist_id}',
      summary: 'Delete a watchlist (000/001)',
      request: { params: Id },
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
      c.json(
        envelope(c, await deleteWatchlist(c.env, principalOf(c), c.req.valid('param').watchlist_id)),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/watchlists/{watchlist_id}/assets',
      tags: ['Watchlists'],
      summary: 'A watchlist’s assets with current prices and 24h changes (000)',
      request: { params: Id },
      responses: {
        200: {
          description: 'Assets.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ assets: z.array(ItemSchema) })) },
          },
        },
      },
    }),
    async (c) => {
      const w = await getWatchlist(c.env, c.get('principal'), c.req.valid('param').watchlist_id);
      return c.json(envelope(c, { assets: w.assets }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/watchlists/{watchlist_id}/assets',
      summary: 'Add an asset with notes, position type, order and target (000/001)',
      request: {
        params: Id,
        ...body(
          Item.extend({
            asset_id: z.string().min(1).max(64).optional(),
            symbol: z.string().min(1).max(20).optional(),
          }).refine((b) => b.asset_id || b.symbol, 'Send asset_id or symbol'),
        ),
      },
      responses: { 201: detail[200] },
    }),
    async (c) => {
      const { asset_id, symbol, ...item } = c.req.valid('json');
      return c.json(
        envelope(
          c,
          await addAsset(
            c.env,
            principalOf(c),
            c.req.valid('param').watchlist_id,
            asset_id ?? symbol ?? '',
            item,
          ),
        ),
        201,
      );
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      path: '/api/v1/watchlists/{watchlist_id}/assets/{asset_id}',
      summary: 'Change an asset’s notes, position type, order or target (000)',
      request: {
        params: IdAsset,
        ...body(
          Item.refine((v) => Object.keys(v).length > 0, {
            message: 'Send at least one of notes, position_type, sort_order, target_price',
          }),
        ),
      },
      responses: detail,
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(
        envelope(
          c,
          await updateAsset(c.env, principalOf(c), p.watchlist_id, p.asset_id, c.req.valid('json')),
        ),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/v1/watchlists/{watchlist_id}/assets/{asset_id}',
      summary: 'Remove an asset (000/001)',
      request: { params: IdAsset },
      responses: detail,
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(envelope(c, await removeAsset(c.env, principalOf(c), p.watchlist_id, p.asset_id)), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/watchlists/default',
      tags: ['Admin: watchlists'],
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      summary: 'The default watchlist with its change history (001)',
      responses: {
        200: {
          description: 'With history.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                DetailSchema.extend({ history: z.array(z.record(z.string(), z.unknown())) }),
              ),
            },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, await adminDefaultWatchlist(c.env)), 200),
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/admin/watchlists/default',
      tags: ['Admin: watchlists'],
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      summary: `Replace the default watchlist's ${DEFAULT_WATCHLIST_SIZE} assets, with a reason (001); audited`,
      request: body(
        z
          .object({
            assets: z.array(z.string().min(1).max(64)).length(DEFAULT_WATCHLIST_SIZE),
            update_reason: z.string().trim().min(3).max(500),
            name: z.string().trim().min(1).max(100).optional(),
          })
          .strict(),
      ),
      responses: {
        200: {
          description: 'The new default.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                DetailSchema.extend({ history: z.array(z.record(z.string(), z.unknown())) }),
              ),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(c, await setDefaultWatchlist(c.env, principalOf(c), c.req.valid('json'), facts(c))),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/watchlists/analytics',
      tags: ['Admin: watchlists'],
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      summary: 'Watchlist usage: totals, users, sizes, most watched assets (001)',
      responses: {
        200: {
          description: 'Analytics.',
          content: { 'application/json': { schema: envelopeSchema(z.record(z.string(), z.unknown())) } },
        },
      },
    }),
    async (c) => c.json(envelope(c, await watchlistAnalytics(c.env)), 200),
  );
