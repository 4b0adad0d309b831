import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { type AssetRow, resolveAssets } from '../../assets/service';
import { defaultUniverse } from '../../models/predictions';
import { marketContext } from '../context';
import { sectorAnalysis } from '../sectors';
import { assetTiming, timingFor, watchlistAssetsWithViews } from '../timing';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const Loose = z.record(z.string(), z.unknown());

/** Static paths that other domains' `{id}` routes would otherwise catch: mounted before them. */
export const earlyAnalysisRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/assets/analysis',
      tags: ['Signals'],
      summary: 'Analysis of several assets (001 architecture): the default watchlist, or `asset_ids`',
      request: {
        query: z.object({
          asset_ids: z
            .string()
            .max(700)
            .optional()
            .openapi({ description: 'Comma-separated ids or symbols, at most 15.' }),
        }),
      },
      responses: {
        200: {
          description: 'One analysis per asset.',
          ...json(envelopeSchema(z.object({ assets: z.array(Loose), as_of: z.string() }))),
        },
      },
    }),
    async (c) => {
      const now = await marketNow(c.env);
      const keys = c.req
        .valid('query')
        .asset_ids?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (keys && keys.length > 15)
        throw new ApiError('VALIDATION_ERROR', 'at most 15 asset_ids', { details: { field: 'asset_ids' } });
      let list: AssetRow[];
      if (keys?.length) {
        const found = await resolveAssets(c.env, keys);
        const missing = keys.filter((k) => !found.has(k.toUpperCase()));
        if (missing.length) throw new ApiError('NOT_FOUND', `Unknown asset(s): ${missing.join(', ')}`);
        list = [
          ...new Map(keys.map((k) => [found.get(k.toUpperCase())?.id, found.get(k.toUpperCase())])).values(),
        ].filter((a) => a !== undefined);
      } else list = await defaultUniverse(c.env);
      const out = [];
      for (const a of list) out.push(await timingFor(c.env, a, now, c.get('principal')));
      return c.json(envelope(c, { assets: out, as_of: new Date(now).toISOString() }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/watchlists/assets',
      tags: ['Signals'],
      summary:
        'The assets of your watchlists (or the default watchlist) with their model view (001 architecture)',
      request: {},
      responses: {
        200: {
          description: 'Assets.',
          ...json(
            envelopeSchema(
              z.object({
                source: z.enum(['your_watchlists', 'default_watchlist']),
                assets: z.array(Loose),
                as_of: z.string(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => c.json(envelope(c, await watchlistAssetsWithViews(c.env, c.get('principal'))), 200),
  );

export const analysisRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/assets/{asset_id}/analysis',
      tags: ['Signals'],
      summary:
        'The complete analysis of one asset (001, public): price, indicators, signals, suggestion, regime context, each with its record',
      request: { params: z.object({ asset_id: z.string().min(1).max(64) }) },
      responses: { 200: { description: 'The analysis.', ...json(envelopeSchema(Loose)) } },
    }),
    async (c) =>
      c.json(envelope(c, await assetTiming(c.env, c.req.valid('param').asset_id, c.get('principal'))), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/market-regime',
      tags: ['AI models'],
      summary:
        'Market regime (000): the Markov-switching model of BTC from the stored macro snapshot (filtered probabilities; absent with its reason before the first snapshot) and a labelled trend/volatility rule',
      request: {},
      responses: {
        200: {
          description: 'Regime context.',
          ...json(envelopeSchema(z.object({ regime: Loose, sentiment: Loose, as_of: z.string() }))),
        },
      },
    }),
    async (c) => c.json(envelope(c, await marketContext(c.env, await marketNow(c.env))), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/sector-analysis',
      tags: ['AI models'],
      summary: 'Sectors by momentum and model readings of their assets (000)',
      request: {},
      responses: {
        200: {
          description: 'Sector analysis.',
          ...json(
            envelopeSchema(z.object({ sectors: z.array(Loose), method: z.string(), as_of: z.string() })),
          ),
        },
      },
    }),
    async (c) => c.json(envelope(c, await sectorAnalysis(c.env)), 200),
  );
