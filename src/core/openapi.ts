import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { Router } from 'hono/router';
import type { H, RouterRoute } from 'hono/types';
import type { ZodError } from 'zod';
import type { AppEnv } from '../env';
import { ApiError, type FieldIssue } from './errors';

/** DESIGN.md's error shape: 002's, which contains 001's, plus `detail` for 004's clients. */
export const ErrorSchema = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().openapi({ example: 'NOT_FOUND' }),
      message: z.string(),
      status_code: z.number().int(),
      classification: z.enum(['user_error', 'system_error', 'security_error']),
      suggestion: z.string().optional(),
      details: z.unknown().optional().openapi({
        description:
          'For validation failures the first failing field, `{field, message, type, issue}`, with `issues` listing every `{loc, msg, type}`; otherwise facts about the error.',
      }),
    }),
    status_code: z.number().int(),
    timestamp: z.string().openapi({ format: 'date-time' }),
    request_id: z.string(),
    detail: z
      .union([
        z.string(),
        z.array(
          z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() }),
        ),
      ])
      .openapi({
        description: "The message, or for validation failures the list of {loc, msg, type} (004's form).",
      }),
    meta: z
      .object({ timestamp: z.string(), request_id: z.string() })
      .openapi({ description: "001's error meta." }),
  })
  .openapi('Error');

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: ErrorSchema } } };
}

/** The error responses every route can give, attached to each route so the document shows them. */
export const errorResponses = {
  400: errorResponse('Invalid request (VALIDATION_ERROR), including malformed JSON'),
  401: errorResponse('Authentication required or failed'),
  403: errorResponse('Not allowed for this caller'),
  404: errorResponse('Not found, or not yours'),
  413: errorResponse('Request body too large (PAYLOAD_TOO_LARGE)'),
  422: errorResponse("Semantically invalid; 004's namespaces report validation failures here"),
  429: errorResponse('Rate limit exceeded; see Retry-After'),
  500: errorResponse('Unexpected server error'),
} as const;

/** Turns zod issues into `{loc, msg, type}` items, `loc` starting with where the value came from. */
export function fieldIssues(error: ZodError, target: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    loc: [
      target === 'json' ? 'body' : target,
      ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    ],
    msg: issue.message,
    type: issue.code,
  }));
}

/**
 * A router for one domain. Validation failures become our VALIDATION_ERROR listing every
 * issue; the error handler answers it 400, or 422 on 004's namespaces.
 */
export function createRouter(
  init: { getPath?: (request: Request) => string; router?: Router<[H, RouterRoute]> } = {},
) {
  return new OpenAPIHono<AppEnv>({
    ...(init.getPath ? { getPath: init.getPath } : {}),
    ...(init.router ? { router: init.router } : {}),
    defaultHook: (result) => {
      if (result.success) return;
      const issues = fieldIssues(result.error, result.target);
      const first = issues[0];
      const where = first ? ` (${first.loc.join('.')}: ${first.msg})` : '';
      throw new ApiError('VALIDATION_ERROR', `Request validation failed${where}`, {
        details: issues,
      });
    },
  });
}

/** Answered by any write: a conflict with stored state, or an Idempotency-Key still in use. */
export const conflictResponse = errorResponse(
  'Conflict: INTEGRITY_ERROR (already exists, or changed meanwhile), or IDEMPOTENCY_KEY_IN_USE for a retry while the first request with that Idempotency-Key still runs (see Retry-After)',
);

/** Answered by any operation that takes a body, when it is not JSON. */
export const unsupportedMediaResponse = errorResponse(
  'The body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
);

/**
 * The shared error responses one operation can give: every route's, plus 409 on writes
 * (conflicts and the Idempotency-Key's "still running") and 415 where there is a body.
 */
export function sharedErrorResponses(config: Pick<RouteConfig, 'method' | 'request'>) {
  return {
    ...errorResponses,
    ...(config.method === 'get' || config.method === 'head' || config.method === 'options'
      ? {}
      : { 409: conflictResponse }),
    ...(config.request?.body ? { 415: unsupportedMediaResponse } : {}),
  };
}

/**
 * `createRoute` with the shared error responses attached, so the document shows what every
 * route can answer besides its own successes.
 */
export function defineRoute<R extends RouteConfig>(config: R) {
  return createRoute({ ...config, responses: { ...sharedErrorResponses(config), ...config.responses } });
}
