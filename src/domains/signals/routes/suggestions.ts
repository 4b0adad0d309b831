import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema, plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { RecommendationSchema, SuggestionSchema } from '../schemas';
import {
  currentSuggestions,
  getRecommendation,
  implementRecommendation,
  listRecommendations,
  personalizedSuggestions,
  recommendations002,
  recordFeedback,
  suggestionsForAsset,
} from '../suggestions';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const user = { security: [{ bearerAuth: [] }], middleware: requireUser };
const Current = z.object({
  watchlist_id: z.string(),
  suggestions: z.array(SuggestionSchema),
  as_of: z.string(),
});
const Personalized = z.object({
  personalized: z.boolean(),
  risk_tolerance: z.enum(['low', 'medium', 'high']).nullable(),
  suggestions: z.array(SuggestionSchema),
  portfolio: z
    .object({
      holdings: z.number().int(),
      value: z.number(),
      concentration_limit: z.number(),
      valued_at: z.string(),
    })
    .nullable(),
  as_of: z.string(),
});
const RecId = z.object({ recommendation_id: z.string().min(1).max(64) });

export const suggestionRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/suggestions/current',
      tags: ['Suggestions'],
      summary: 'Suggestions for the default watchlist, each with its models’ record (001, public)',
      request: {},
      responses: { 200: { description: 'Suggestions.', ...json(envelopeSchema(Current)) } },
    }),
    async (c) => c.json(envelope(c, await currentSuggestions(c.env)), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/suggestions/personalized',
      tags: ['Suggestions'],
      summary: 'From your holdings, watchlists and risk tolerance; the default watchlist for guests (001)',
      request: {},
      responses: { 200: { description: 'Suggestions.', ...json(envelopeSchema(Personalized)) } },
    }),
    async (c) => c.json(envelope(c, await personalizedSuggestions(c.env, c.get('principal'))), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/suggestions',
      tags: ['Suggestions'],
      summary: 'Suggestions (001 architecture): personalized when signed in, the default watchlist otherwise',
      request: {},
      responses: { 200: { description: 'Suggestions.', ...json(envelopeSchema(Personalized)) } },
    }),
    async (c) => c.json(envelope(c, await personalizedSuggestions(c.env, c.get('principal'))), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/suggestions/{asset_id}',
      tags: ['Suggestions'],
      summary: 'The suggestion for one asset, by id or symbol (001, public)',
      request: { params: z.object({ asset_id: z.string().min(1).max(64) }) },
      responses: { 200: { description: 'The suggestion.', ...json(envelopeSchema(SuggestionSchema)) } },
    }),
    async (c) => c.json(envelope(c, await suggestionsForAsset(c.env, c.req.valid('param').asset_id)), 200),
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/suggestions/{suggestion_id}/feedback',
      tags: ['Suggestions'],
      summary: 'Rate a suggestion and say what you did (001); shown in model analytics',
      ...user,
      request: {
        params: z.object({ suggestion_id: z.string().min(1).max(64) }),
        body: {
          required: true,
          ...json(
            z
              .object({
                rating: z.number().int().min(1).max(5),
                feedback_text: z.string().max(2000).optional(),
                action_taken: z.enum(['bought', 'sold', 'held', 'ignored', 'other']).optional(),
              })
              .strict(),
          ),
        },
      },
      responses: {
        201: {
          description: 'Feedback recorded.',
          ...json(
            envelopeSchema(
              z.object({
                feedback_id: z.string(),
                suggestion_id: z.string(),
                rating: z.number().int(),
                feedback_text: z.string().nullable(),
                action_taken: z.string().nullable(),
                message: z.string(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await recordFeedback(
            c.env,
            principalOf(c),
            c.req.valid('param').suggestion_id,
            c.req.valid('json'),
            requestFacts(c),
          ),
        ),
        201,
      ),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/suggestions/{user_id}',
      tags: ['AI models'],
      summary: "A user's personalized suggestions (000): your own, or any user's for admins",
      ...user,
      request: { params: z.object({ user_id: z.string().min(1).max(64) }) },
      responses: { 200: { description: 'Suggestions.', ...json(envelopeSchema(Personalized)) } },
    }),
    async (c) => {
      const p = principalOf(c);
      const id = c.req.valid('param').user_id;
      if (id !== p.userId && p.role !== 'admin') throw new ApiError('NOT_FOUND', `User ${id} not found`);
      const target = id === p.userId ? p : { ...p, userId: id, sessionId: undefined };
      return c.json(envelope(c, await personalizedSuggestions(c.env, target as typeof p)), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/recommendations',
      tags: ['Suggestions'],
      summary: 'Your recommendations: entries, exits and rebalancing, with rationale and records (000)',
      ...user,
      request: {},
      responses: {
        200: {
          description: 'Recommendations.',
          ...json(
            envelopeSchema(
              z.object({
                recommendations: z.array(RecommendationSchema),
                risk_tolerance: z.enum(['low', 'medium', 'high']).nullable(),
                as_of: z.string(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => c.json(envelope(c, await listRecommendations(c.env, principalOf(c))), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/recommendations/{recommendation_id}',
      tags: ['Suggestions'],
      summary: 'One of your recommendations (000)',
      ...user,
      request: { params: RecId },
      responses: {
        200: { description: 'The recommendation.', ...json(envelopeSchema(RecommendationSchema)) },
      },
    }),
    async (c) =>
      c.json(
        envelope(c, await getRecommendation(c.env, principalOf(c), c.req.valid('param').recommendation_id)),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/recommendations/{recommendation_id}/implement',
      tags: ['Suggestions'],
      summary: 'Mark your recommendation implemented (000)',
      ...user,
      request: {
        params: RecId,
        body: { required: false, ...json(z.object({ notes: z.string().max(1000).optional() }).strict()) },
      },
      responses: {
        200: {
          description: 'The recommendation, implemented.',
          ...json(envelopeSchema(RecommendationSchema)),
        },
      },
    }),
    async (c) => {
      const body = (c.req.header('content-type') ? c.req.valid('json') : undefined) ?? {};
      return c.json(
        envelope(
          c,
          await implementRecommendation(
            c.env,
            principalOf(c),
            c.req.valid('param').recommendation_id,
            body,
            requestFacts(c),
          ),
        ),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/recommendations',
      tags: ['Suggestions'],
      summary: "Trading recommendations in 002's shape: pair analysis and risk settings",
      request: {},
      responses: {
        200: {
          description: 'Recommendations.',
          ...json(
            plainOrV2Schema(
              z.object({
                pairAnalysis: z.array(
                  z.object({
                    symbol: z.string(),
                    confidence: z.number(),
                    signal: z.enum(['BUY', 'SELL', 'HOLD']),
                    reasoning: z.string(),
                  }),
                ),
                optimalRiskSettings: z.object({
                  positionSize: z.number(),
                  stopLoss: z.number(),
                  takeProfit: z.number(),
                }),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => c.json(plain(c, await recommendations002(c.env)), 200),
  );
