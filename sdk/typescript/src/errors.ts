/** The API's error shape (every path answers errors in it). */
export interface ErrorBody {
  success?: false;
  error?: {
    code?: string;
    message?: string;
    status_code?: number;
    classification?: string;
    suggestion?: string;
    details?: unknown;
  };
  request_id?: string;
}

/**
 * An error answered by the API: HTTP status, the error `code` (`NOT_FOUND`,
 * `VALIDATION_ERROR`...), the request id to quote to support, and the API's suggestion.
 */
export class CryptoOrchestratorError extends Error {
  override readonly name: string = 'CryptoOrchestratorError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly suggestion: string | null;
  readonly details: unknown;
  readonly body: unknown;

  constructor(status: number, body: unknown, requestId: string | null) {
    const e = (body as ErrorBody | null)?.error;
    super(e?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = e?.code ?? `HTTP_${status}`;
    this.requestId = (body as ErrorBody | null)?.request_id ?? requestId;
    this.suggestion = e?.suggestion ?? null;
    this.details = e?.details ?? null;
    this.body = body;
  }
}

/** 400 and 422: the request was not valid; `details` names the field. */
export class ValidationError extends CryptoOrchestratorError {
  override readonly name = 'ValidationError';
}
/** 401: no credentials, or they expired and could not be refreshed. */
export class AuthenticationError extends CryptoOrchestratorError {
  override readonly name = 'AuthenticationError';
}
/** 403: signed in, but not allowed (another tier, not an admin). */
export class PermissionDeniedError extends CryptoOrchestratorError {
  override readonly name = 'PermissionDeniedError';
}
/** 404: no such object, or it belongs to someone else. */
export class NotFoundError extends CryptoOrchestratorError {
  override readonly name = 'NotFoundError';
}
/** 409: a conflict (a duplicate, an idempotency key reused with another body). */
export class ConflictError extends CryptoOrchestratorError {
  override readonly name = 'ConflictError';
}
/** 429 after the retries ran out; `retryAfter` in seconds when the API said. */
export class RateLimitError extends CryptoOrchestratorError {
  override readonly name = 'RateLimitError';
  retryAfter: number | null = null;
}
/** 5xx after the retries ran out. */
export class ServerError extends CryptoOrchestratorError {
  override readonly name = 'ServerError';
}

/** The request never got an answer (network failure, timeout). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/** The typed error for a status. */
export function errorFor(status: number, body: unknown, requestId: string | null): CryptoOrchestratorError {
  if (status === 400 || status === 422) return new ValidationError(status, body, requestId);
  if (status === 401) return new AuthenticationError(status, body, requestId);
  if (status === 403) return new PermissionDeniedError(status, body, requestId);
  if (status === 404) return new NotFoundError(status, body, requestId);
  if (status === 409) return new ConflictError(status, body, requestId);
  if (status === 429) return new RateLimitError(status, body, requestId);
  if (status >= 500) return new ServerError(status, body, requestId);
  return new CryptoOrchestratorError(status, body, requestId);
}
