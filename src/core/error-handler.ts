import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import type { AppEnv } from '../env';
import { ApiError, codeForStatus, type FieldIssue } from './errors';
import { describeError, log } from './logger';
import { surfaceOf } from './surfaces';

const MALFORMED_JSON = 'Malformed JSON in request body';

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    // Hono's own validators throw 400 with this message for an unparseable JSON body.
    const malformed = err.status === 400 && /json/i.test(err.message);
    const message = malformed ? MALFORMED_JSON : err.message || `HTTP ${err.status}`;
    return new ApiError(codeForStatus(err.status), message, { cause: err });
  }
  if (err instanceof SyntaxError) {
    return new ApiError('VALIDATION_ERROR', MALFORMED_JSON, { cause: err });
  }
  if (err instanceof ZodError) {
    // Request input is validated by the router's hook, so a ZodError here is our own data
    // failing its schema: a server fault, not the client's.
    return new ApiError('INTERNAL_ERROR', 'Internal server error', { cause: err });
  }
  return new ApiError('INTERNAL_ERROR', 'Internal server error', { cause: err });
}

type Issues = [FieldIssue, ...FieldIssue[]];

function isIssueList(details: unknown): details is Issues {
  return (
    Array.isArray(details) &&
    details.length > 0 &&
    details.every((d) => d !== null && typeof d === 'object' && 'loc' in d)
  );
}

/**
 * A validation failure's `error.details` (DESIGN.md): the first failing field in the object
 * 001 and 002 show (`field`, `message`, `type`, and 001's `issue`), with every issue beside it.
 * `field` is the dotted path inside the body, query or path (the source alone when the whole
 * value failed).
 */
export function validationDetails(issues: Issues) {
  const [first] = issues;
  const inside = first.loc.slice(1);
  return {
    field: (inside.length ? inside : first.loc).join('.'),
    message: first.msg,
    type: first.type,
    issue: first.msg,
    issues,
  };
}

/** The body of every error response (DESIGN.md); never carries a stack or an internal message. */
export function errorBody(err: ApiError, requestId: string, path = '') {
  const issues = isIssueList(err.details) ? err.details : null;
  // One rule for every validation failure, from the router's hook or a service: 004's
  // FastAPI clients expect 422, every other surface 400.
  const status: ContentfulStatusCode =
    issues && err.code === 'VALIDATION_ERROR' && surfaceOf(path) === 'fastapi' ? 422 : err.status;
  const timestamp = new Date().toISOString();
  const details = issues ? validationDetails(issues) : err.details;
  return {
    success: false as const,
    error: {
      code: err.code,
      message: err.message,
      status_code: status,
      classification: err.classification,
      ...(err.suggestion ? { suggestion: err.suggestion } : {}),
      ...(details !== undefined ? { details } : {}),
    },
    status_code: status,
    timestamp,
    request_id: requestId,
    detail: issues ?? err.message,
    meta: { timestamp, request_id: requestId },
  };
}

/**
 * 004's FastAPI clients read every validation failure as 422, including the ones a service
 * finds (an unsupported currency) after the request schema passed.
 */
function forSurface(err: ApiError, path: string): ApiError {
  // A body that is not JSON at all stays 400 on every surface (README, API conventions).
  if (err.code !== 'VALIDATION_ERROR' || err.status !== 400 || err.message === MALFORMED_JSON) return err;
  if (surfaceOf(path) !== 'fastapi') return err;
  return new ApiError(err.code, err.message, {
    status: 422,
    details: err.details,
    ...(err.suggestion ? { suggestion: err.suggestion } : {}),
    headers: err.headers,
    cause: err.cause,
  });
}

/** The app's one error handler: everything thrown ends here and leaves in our shape. */
export function handleError(err: unknown, c: Context<AppEnv>): Response {
  const apiError = forSurface(toApiError(err), c.req.path);
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  if (apiError.status >= 500) {
    log('error', 'request.failed', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      code: apiError.code,
      ...describeError(apiError.cause ?? err),
    });
  }
  for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
  c.header('X-Request-Id', requestId);
  const body = errorBody(apiError, requestId, c.req.path);
  return c.json(body, body.status_code);
}
