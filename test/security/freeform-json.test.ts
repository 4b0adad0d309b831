import { beforeAll, describe, expect, it } from 'vitest';
import { JSON_MAX_BYTES, JSON_MAX_DEPTH, jsonProblem } from '../../src/core/json';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { signUp } from '../helpers/users';

beforeAll(async () => {
  await seedMarket(['BTC']);
});

/** `{"a":{"a":...{"a":1}}}` with `levels` objects, as JSON text (built without recursion). */
const nestedText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const nested = (levels: number) => JSON.parse(nestedText(levels)) as Record<string, unknown>;
const sized = (bytes: number) => ({ blob: 'x'.repeat(bytes) });

describe('jsonProblem', () => {
  it('measures depth from the value (level 1) and size in UTF-8 bytes', () => {
    expect(jsonProblem(nested(JSON_MAX_DEPTH))).toBeNull();
    expect(jsonProblem(nested(JSON_MAX_DEPTH + 1))).toMatch(/deeper than 8 levels/);
    expect(jsonProblem({ list: [[[[[[[1]]]]]]] })).toBeNull();
    expect(jsonProblem({ list: [[[[[[[[1]]]]]]]] })).toMatch(/deeper/);
    expect(jsonProblem(sized(JSON_MAX_BYTES - 20))).toBeNull();
    // 'é' is two bytes: the bound is bytes, not characters.
    expect(jsonProblem({ s: 'é'.repeat(JSON_MAX_BYTES / 2) })).toMatch(/more than 16384/);
  });

  it('answers for 100,000 levels without recursion', () => {
    expect(jsonProblem(nested(100_000))).toMatch(/deeper/);
  });
});

describe('free-form JSON bodies are bounded everywhere they are stored', () => {
  it('PUT /api/preferences: too deep, too large, and 100,000 levels answer 400 and store nothing', async () => {
    const user = await signUp();
    const before = await (await call('/api/preferences', { as: user.as })).text();
    for (const body of [
      JSON.stringify({ layout: nested(JSON_MAX_DEPTH) }),
      JSON.stringify(sized(JSON_MAX_BYTES)),
      nestedText(100_000),
    ]) {
      const { res, body: err } = await callJson('/api/preferences', { method: 'PUT', as: user.as, body });
      expectError(res, err, 400, 'VALIDATION_ERROR');
    }
    expect(await (await call('/api/preferences', { as: user.as })).text()).toBe(before);
    const ok = await call('/api/preferences', {
      method: 'PUT',
      as: user.as,
      body: { layout: nested(JSON_MAX_DEPTH - 1) },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses a patch whose merge with the stored preferences would outgrow the bound', async () => {
    const user = await signUp();
    const half = 'x'.repeat(JSON_MAX_BYTES / 2);
    const first = await call('/api/preferences', { method: 'PUT', as: user.as, body: { a: half } });
    expect(first.status).toBe(200);
    const { res, body } = await callJson<{ error: { message: string } }>('/api/preferences', {
      method: 'PUT',
      as: user.as,
      body: { b: half },
    });
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect(body.error.message).toMatch(/^preferences is \d+ bytes of JSON, more than 16384/);
    const stored = await callJson<Record<string, unknown>>('/api/preferences', { as: user.as });
    expect(stored.body.a).toBe(half);
    expect(stored.body.b).toBeUndefined();
  });

  it('profile preferences (000/001) and alert params are bounded the same way', async () => {
    const user = await signUp();
    for (const path of ['/api/v1/users/me', '/api/v1/users/profile']) {
      const { res, body } = await callJson(path, {
        method: 'PUT',
        as: user.as,
        body: { preferences: nested(JSON_MAX_DEPTH + 1) },
      });
      expectError(res, body, 400, 'VALIDATION_ERROR');
    }
    for (const params of [
      { threshold: 1, extra: nested(JSON_MAX_DEPTH) },
      { threshold: 1, ...sized(JSON_MAX_BYTES) },
    ]) {
      const { res, body } = await callJson('/api/v1/alerts', {
        method: 'POST',
        as: user.as,
        body: { asset_id: 'BTC', alert_type: 'price_above', params },
      });
      expectError(res, body, 400, 'VALIDATION_ERROR');
    }
    const alerts = await callJson<{ data: { alerts: unknown[] } }>('/api/v1/alerts', { as: user.as });
    expect(alerts.body.data.alerts).toEqual([]);
  });
});
