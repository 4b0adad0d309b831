import { expect } from 'vitest';
import { type CallOptions, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';

// biome-ignore lint/suspicious/noExplicitAny: contract tests read response bodies field by field
export type Json = Record<string, any>;

/** Calls and parses JSON, failing with the body when the status is not the expected one. */
export async function expectStatus(path: string, status: number, options: CallOptions = {}): Promise<Json> {
  const { res, body } = await callJson<Json>(path, options);
  expect(res.status, `${options.method ?? 'GET'} ${path}: ${JSON.stringify(body).slice(0, 400)}`).toBe(
    status,
  );
  return body;
}

/** A plain 002/003/004 body: the seed's fields, none of 001's envelope around them. */
export function expectPlain(body: Json): void {
  expect(body).not.toHaveProperty('meta');
  expect(body).not.toHaveProperty('data.meta');
}

/** 002's v2 envelope around `data` (seed 002, "v2 Response Format"). */
export function expectV2(body: Json, requestId: string | null): void {
  expect(body).toMatchObject({
    success: true,
    data: expect.anything(),
    meta: { timestamp: expect.any(String), version: '2.0', request_id: requestId },
  });
  expect(Number.isNaN(Date.parse(body.meta.timestamp))).toBe(false);
}

/** An ISO 8601 UTC time. */
export const isoTime = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
/** A calendar day, YYYY-MM-DD. */
export const isoDay = expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/);

/**
 * Seed 004's validation error: 422 with `detail` the list of `{loc, msg, type}` (the rest of
 * the shape is the shared error shape, asserted by `expectError`).
 */
export async function expect422(path: string, options: CallOptions = {}): Promise<Json> {
  const { res, body } = await callJson<Json>(path, options);
  expectError(res, body, 422, 'VALIDATION_ERROR');
  expect(Array.isArray(body.detail)).toBe(true);
  expect(body.detail.length).toBeGreaterThan(0);
  for (const item of body.detail) {
    expect(item).toMatchObject({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
  }
  return body;
}

/** The `name=value` pair and attributes of one Set-Cookie header of `res`, by cookie name. */
export function cookieOf(res: Response, name: string): { value: string; attributes: string[] } | null {
  for (const header of res.headers.getSetCookie()) {
    const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq) === name) return { value: pair.slice(eq + 1), attributes };
  }
  return null;
}
