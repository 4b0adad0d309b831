import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorClassification = 'user_error' | 'system_error' | 'security_error';

interface CodeSpec {
  status: ContentfulStatusCode;
  classification: ErrorClassification;
  suggestion?: string;
}

/**
 * The closed list of error codes: seed 002's table, plus the few HTTP conditions that table
 * has no code for (405, 413, 415 and the Idempotency-Key conflicts), named the same way.
 */
export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, classification: 'user_error', suggestion: 'Check the request fields.' },
  INSUFFICIENT_BALANCE: { status: 400, classification: 'user_error' },
  INVALID_SYMBOL: { status: 400, classification: 'user_error' },
  BOT_ALREADY_ACTIVE: { status: 400, classification: 'user_error' },
  BOT_NOT_ACTIVE: { status: 400, classification: 'user_error' },
  MFA_NOT_ENABLED: { status: 400, classification: 'user_error' },
  INVALID_MFA_TOKEN: { status: 400, classification: 'user_error' },
  WITHDRAWAL_LIMIT_EXCEEDED: { status: 400, classification: 'user_error' },
  ADDRESS_NOT_WHITELISTED: { status: 400, classification: 'user_error' },
  PRICE_IMPACT_TOO_HIGH: { status: 400, classification: 'user_error' },
  AUTHENTICATION_ERROR: {
    status: 401,
    classification: 'security_error',
    suggestion: 'Sign in and send the access token as "Authorization: Bearer <token>".',
  },
  INVALID_CREDENTIALS: { status: 401, classification: 'security_error' },
  TOKEN_EXPIRED: {
    status: 401,
    classification: 'security_error',
    suggestion: 'Refresh the access token and retry.',
  },
  INVALID_TOKEN: { status: 401, classification: 'security_error' },
  INVALID_REFRESH_TOKEN: { status: 401, classification: 'security_error' },
  AUTHORIZATION_ERROR: { status: 403, classification: 'security_error' },
  ADMIN_ACCESS_REQUIRED: { status: 403, classification: 'security_error' },
  ACCOUNT_LOCKED: {
    status: 403,
    classification: 'security_error',
    suggestion: 'Too many failed sign-ins. Wait until the time in Retry-After, then try again.',
  },
  NOT_FOUND: { status: 404, classification: 'user_error', suggestion: 'Check the path and the id.' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    classification: 'user_error',
    suggestion: 'Use one of the methods in the Allow header.',
  },
  INTEGRITY_ERROR: { status: 409, classification: 'user_error' },
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    classification: 'user_error',
    suggestion: 'The first request with this Idempotency-Key is still running; retry shortly.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, classification: 'user_error', suggestion: 'Send a smaller body.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    classification: 'user_error',
    suggestion: 'Send the body as application/json.',
  },
  UPGRADE_REQUIRED: {
    status: 426,
    classification: 'user_error',
    suggestion: 'Open this path as a WebSocket (GET with "Upgrade: websocket").',
  },
  UNPROCESSABLE_ENTITY: { status: 422, classification: 'user_error' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    classification: 'user_error',
    suggestion: 'Use a new Idempotency-Key for a different request.',
  },
  RATE_LIMIT_EXCEEDED: {
    status: 429,
    classification: 'security_error',
    suggestion: 'Too many requests. Please wait a moment and try again.',
  },
  INTERNAL_ERROR: { status: 500, classification: 'system_error' },
  DATABASE_ERROR: { status: 500, classification: 'system_error' },
  TRADING_ERROR: { status: 500, classification: 'system_error' },
  ORDER_EXECUTION_FAILED: { status: 502, classification: 'system_error' },
  SERVICE_UNAVAILABLE: { status: 503, classification: 'system_error' },
  BLOCKCHAIN_RPC_ERROR: { status: 503, classification: 'system_error' },
  DEX_AGGREGATOR_UNAVAILABLE: { status: 503, classification: 'system_error' },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One item of a validation failure, in the `{loc, msg, type}` form 004's clients read. */
export interface FieldIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export interface ApiErrorOptions {
  details?: unknown;
  suggestion?: string;
  /** Overrides the code's usual status, for the few codes two seeds answer differently. */
  status?: ContentfulStatusCode;
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The one error type the API throws; the error handler renders it in DESIGN.md's shape. */
export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly suggestion: string | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    const spec: CodeSpec = ERROR_CODES[code];
    super(options.status ?? spec.status, { message, cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.details = options.details;
    this.suggestion = options.suggestion ?? spec.suggestion;
    this.headers = options.headers ?? {};
  }

  get classification(): ErrorClassification {
    return ERROR_CODES[this.code].classification;
  }
}

/** Throws an ApiError unless `condition` holds; narrows `condition` for the code after it. */
export function assert(
  condition: unknown,
  code: ErrorCode,
  message: string,
  options?: ApiErrorOptions,
): asserts condition {
  if (!condition) throw new ApiError(code, message, options);
}

/** The code a bare HTTP status maps to, for errors raised by Hono or the runtime. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'VALIDATION_ERROR';
    case 401:
      return 'AUTHENTICATION_ERROR';
    case 403:
      return 'AUTHORIZATION_ERROR';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 409:
      return 'INTEGRITY_ERROR';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 422:
      return 'UNPROCESSABLE_ENTITY';
    case 429:
      return 'RATE_LIMIT_EXCEEDED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR';
  }
}
