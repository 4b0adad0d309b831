import { expect } from 'vitest';
import { z } from 'zod';
import { type CallOptions, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';

// Shared pieces of the per-seed contract suites (test/contract/<seed>.test.ts): which
// endpoints a seed documents, which of them /openapi.json serves, a client that records
// what a suite exercised, and zod schemas for the shapes the seeds show.

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `METHOD /path/{}/...`: path parameters unnamed, no trailing slash, so seeds and the document compare. */
export function operationKey(method: string, path: string): string {
  const p = path.replace(/\{[^}]+\}/g, '{}').replace(/\/+$/, '') || '/';
  return `${method.toUpperCase()} ${p}`;
}

const ENDPOINT = /(?:^|[\s`#[])(GET|POST|PUT|PATCH|DELETE)`?\s+(?:\|\s+)?`?(\/[A-Za-z0-9_\-/{}[\].]*)/g;

/**
 * The endpoints a seed document lists, read from its text the way
 * `../shared/tools/seed_endpoints.py` reads it; `base` prefixes paths the seed writes
 * relative to its API root (`/api/v1` for 000, 001 and 004, `/api` for 002 and 003).
 */
export function seedOperations(text: string, base: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(ENDPOINT)) {
    const [, method = '', raw = ''] = m;
    let path = raw.replace(/[.`]+$/, '');
    while (path.endsWith(']') && path.split(']').length > path.split('[').length) path = path.slice(0, -1);
    path = path.replace(/\[(\w+)\]/g, '{$1}');
    if (path.length < 2 || /\/[a-z]+_[0-9]+/.test(path)) continue;
    const full = path === '/health' || path.startsWith('/api/') ? path : `${base}${path}`;
    out.add(operationKey(method, full));
  }
  return out;
}

/** Every operation `/openapi.json` documents, as `operationKey`s. */
export async function servedOperations(): Promise<Set<string>> {
  const { res, body } = await callJson<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
  expect(res.status).toBe(200);
  const out = new Set<string>();
  for (const [path, ops] of Object.entries(body.paths)) {
    for (const method of Object.keys(ops)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) out.add(operationKey(method, path));
    }
  }
  return out;
}

export interface ContractCall extends Omit<CallOptions, 'method'> {
  /** Values for the template's `{name}` segments. */
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
}

/**
 * A client for one seed's suite: calls a path template the way the seed writes it and records
 * the operation, so the suite can assert it exercised every documented endpoint we serve.
 */
export function contractClient() {
  const exercised = new Set<string>();
  async function call<T = Record<string, unknown>>(
    method: Method,
    template: string,
    options: ContractCall = {},
  ) {
    const { params = {}, query, ...rest } = options;
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
      return encodeURIComponent(value);
    });
    const qs = query ? `?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}` : '';
    exercised.add(operationKey(method, template));
    return callJson<T>(`${path}${qs}`, { ...rest, method });
  }
  return {
    call,
    exercised,
    /** Asserts every operation both documented by the seed and served was called by the suite. */
    async expectCovers(documented: Set<string>) {
      const served = await servedOperations();
      const due = [...documented].filter((op) => served.has(op)).sort();
      expect(due.length).toBeGreaterThan(0);
      expect(
        due.filter((op) => !exercised.has(op)),
        'documented and served, never called',
      ).toEqual([]);
      return due;
    },
  };
}

/** Throws with the failing paths unless `value` has the documented shape; returns it parsed. */
export function expectShape<S extends z.ZodType>(schema: S, value: unknown, label = 'response'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    expect.fail(
      `${label} does not have the documented shape:\n  ${issues.join('\n  ')}\n${JSON.stringify(value)}`,
    );
  }
  return result.data;
}

/** An ISO 8601 UTC timestamp, as DESIGN.md serializes every time. */
export const IsoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'ISO 8601 UTC time');
/** An ISO date or date-time. */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'ISO 8601 date');

/** 001's pagination block (`page, limit, total, has_next`), other keys allowed. */
export const Pagination001 = z.looseObject({
  page: z.number().int().min(1),
  limit: z.number().int().min(1),
  total: z.number().int().min(0),
  has_next: z.boolean(),
});

/** 001's success envelope `{success, data, meta:{timestamp, request_id, user_context, rate_limit?, pagination?}}`. */
export function envelope001<S extends z.ZodType>(data: S, options: { paginated?: boolean } = {}) {
  return z.object({
    success: z.literal(true),
    data,
    meta: z.looseObject({
      timestamp: IsoTime,
      request_id: z.string().min(1),
      user_context: z.enum(['guest', 'logged', 'admin']),
      rate_limit: z.looseObject({ remaining: z.number(), reset_at: IsoTime }).optional(),
      pagination: options.paginated ? Pagination001 : Pagination001.optional(),
    }),
  });
}

/** Asserts a 2xx-or-given status and 001's envelope around `data`; returns the parsed data. */
export function expectEnvelope<S extends z.ZodType>(
  r: { res: Response; body: unknown },
  status: number,
  data: S,
  options: { paginated?: boolean; userContext?: 'guest' | 'logged' | 'admin' } = {},
): z.infer<S> {
  expect(r.res.status, JSON.stringify(r.body)).toBe(status);
  expect(r.res.headers.get('X-Request-Id')).toBeTruthy();
  const parsed = expectShape(envelope001(z.unknown(), options), r.body);
  expect(parsed.meta.request_id).toBe(r.res.headers.get('X-Request-Id'));
  if (options.userContext) expect(parsed.meta.user_context).toBe(options.userContext);
  return expectShape(data, parsed.data, 'data');
}

/** DESIGN.md's error shape (002's, holding 001's `{success:false, error:{code, message, details?}, meta}`). */
export function expectDocumentedError(
  r: { res: Response; body: unknown },
  status: number,
  code: string,
): void {
  expectError(r.res, r.body, status, code);
}

/** The validation-error object 001 and 002 show, with every issue listed beside it (DESIGN.md). */
export const ValidationDetails = z.object({
  field: z.string().min(1),
  message: z.string().min(1),
  type: z.string().min(1),
  issue: z.string().min(1),
  issues: z
    .array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() }))
    .min(1),
});

/**
 * Asserts a validation error: the status the path's surface uses (400, or 422 on 004's
 * paths), `error.details` naming `field` first, and `detail` listing the same issues.
 */
export function expectValidationError(
  r: { res: Response; body: unknown },
  expected: { status: 400 | 422; field: string },
) {
  expectDocumentedError(r, expected.status, 'VALIDATION_ERROR');
  const body = r.body as { error: { details: unknown }; detail: unknown };
  const details = expectShape(ValidationDetails, body.error.details, 'error.details');
  expect(details.field).toBe(expected.field);
  expect(details.issues[0]).toMatchObject({ msg: details.message, type: details.type });
  expect(body.detail).toEqual(details.issues);
  return details;
}
