import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp } from '../../helpers/users';

type Envelope<T> = { data: T };

const csv = [
  'date,open,high,low,close,volume',
  '2024-01-02,10,11,9,10.5,100',
  '2024-01-03,10.5,12,10,11.5,120',
  '2024-01-04,1,0,1,1,1',
].join('\n');

describe("users' own data", () => {
  it('creates a private asset, imports candles into it, and reads them back', async () => {
    const user = await signUp();
    const created = await callJson<Envelope<{ id: string; symbol: string }>>('/api/v1/users/me/assets', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'MYFUND', name: 'My private fund', asset_type: 'etf' },
    });
    expect(created.res.status).toBe(201);
    const id = created.body.data.id;
    const report = await callJson<
      Envelope<{ accepted: number; written: number; rejected: { row: number }[] }>
    >(`/api/v1/users/me/assets/${id}/import`, {
      method: 'POST',
      as: user.as,
      body: csv,
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(report.body.data).toMatchObject({ accepted: 2, written: 2, rejected: [{ row: 3 }] });
    const history = await callJson<Envelope<{ candles: { close: number }[] }>>(
      `/api/v1/users/me/assets/${id}/price-history`,
      {
        as: user.as,
      },
    );
    expect(history.body.data.candles.map((c) => c.close)).toEqual([10.5, 11.5]);
    const mine = await callJson<Envelope<{ assets: { symbol: string }[] }>>('/api/v1/users/me/assets', {
      as: user.as,
    });
    expect(mine.body.data.assets.map((a) => a.symbol)).toEqual(['MYFUND']);
  });

  it('is invisible to everyone else: other users get 404, shared routes never list it', async () => {
    const owner = await signUp();
    const other = await signUp();
    const created = await callJson<Envelope<{ id: string }>>('/api/v1/users/me/assets', {
      method: 'POST',
      as: owner.as,
      body: { symbol: 'SECRET', name: 'Secret series', asset_type: 'crypto' },
    });
    const id = created.body.data.id;
    for (const [method, path] of [
      ['GET', `/api/v1/users/me/assets/${id}/price-history`],
      ['POST', `/api/v1/users/me/assets/${id}/import`],
      ['DELETE', `/api/v1/users/me/assets/${id}`],
    ] as const) {
      const { res, body } = await callJson(path, {
        method,
        as: other.as,
        ...(method === 'POST' ? { body: { candles: [] } } : {}),
      });
      expectError(res, body, 404, 'NOT_FOUND');
    }
    const shared = await callJson(`/api/v1/assets/${id}`);
    expectError(shared.res, shared.body, 404, 'NOT_FOUND');
    const search = await callJson<Envelope<{ results: unknown[] }>>('/api/v1/assets/search?q=secret');
    expect(search.body.data.results).toEqual([]);
    const deleted = await callJson(`/api/v1/users/me/assets/${id}`, { method: 'DELETE', as: owner.as });
    expect(deleted.res.status).toBe(200);
  });

  it('refuses a second asset with the same symbol for one user', async () => {
    const user = await signUp();
    const body = { symbol: 'DUP', name: 'Dup', asset_type: 'etf' };
    await callJson('/api/v1/users/me/assets', { method: 'POST', as: user.as, body });
    const again = await callJson('/api/v1/users/me/assets', { method: 'POST', as: user.as, body });
    expectError(again.res, again.body, 409, 'INTEGRITY_ERROR');
    // Another user may use the same symbol for their own.
    const other = await signUp();
    expect(
      (await callJson('/api/v1/users/me/assets', { method: 'POST', as: other.as, body })).res.status,
    ).toBe(201);
  });
});
