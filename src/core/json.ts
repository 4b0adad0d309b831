import { z } from '@hono/zod-openapi';
import { ApiError } from './errors';

// Free-form JSON a client may store (preferences, alert params...): bounded in size and
// depth everywhere it is accepted, so no one stores 600 KB or 100,000 levels that every
// later read, merge and admin list then has to carry.

/** Largest free-form JSON value, in UTF-8 bytes of its JSON text. */
export const JSON_MAX_BYTES = 16_384;
/** Deepest nesting of objects and arrays; the value itself is level 1. */
export const JSON_MAX_DEPTH = 8;

/**
 * Why `value` is out of bounds, or null when it is within them. The depth is measured
 * without recursion and stops at the first level too deep, so a hostile value costs no
 * stack and little time; only a value of acceptable depth is serialized to be measured.
 */
export function jsonProblem(
  value: unknown,
  maxBytes: number = JSON_MAX_BYTES,
  maxDepth: number = JSON_MAX_DEPTH,
): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) return `nests deeper than ${maxDepth} levels`;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value) ?? '').byteLength;
  return bytes > maxBytes ? `is ${bytes} bytes of JSON, more than ${maxBytes}` : null;
}

/** A free-form JSON object (string keys, any JSON values) within the bounds above. */
export function freeformObject(description?: string) {
  return z
    .record(z.string().max(100), z.unknown())
    .superRefine((value, ctx) => {
      const problem = jsonProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `Free-form JSON ${problem}` });
    })
    .openapi({
      description: `${description ? `${description} ` : ''}Free-form JSON: at most ${JSON_MAX_BYTES} bytes and ${JSON_MAX_DEPTH} levels deep.`,
    });
}

/**
 * For values built from several requests (a deep merge of stored preferences and a
 * patch): throws 400 VALIDATION_ERROR naming `field` when the result is out of bounds.
 */
export function assertBoundedJson(value: unknown, field: string): void {
  const problem = jsonProblem(value);
  if (problem) {
    const msg = `${field} ${problem}`;
    throw new ApiError('VALIDATION_ERROR', msg, {
      details: [{ loc: ['body', field], msg, type: 'value_error' }],
    });
  }
}
