import { beforeAll, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../../src/quant/learn';
import { callJson } from '../../helpers/api';
import { setMarketClock } from '../../helpers/market';
import { runQueuedJobs } from '../../helpers/models';
import { signUpAdmin, type TestUser } from '../../helpers/users';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// The leakage test end to end: a random walk imported as a private asset, a model
// trained on it through the API and the queue; its walk-forward accuracy must be
// indistinguishable from a coin flip (a leak — a feature or label seeing the future — would
// show up as accuracy well above 50% on a series with nothing to predict).

let admin: TestUser;

function randomWalkCsv(days: number, seed: number): string {
  const rand = mulberry32(seed);
  const start = Date.UTC(2023, 11, 31) - (days - 1) * 86_400_000;
  const lines = ['date,open,high,low,close,volume'];
  let c = 100;
  for (let i = 0; i < days; i++) {
    const z = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
    const o = c;
    c *= Math.exp(0.02 * z);
    const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(
      `${day},${o.toFixed(6)},${(Math.max(o, c) * 1.004).toFixed(6)},${(Math.min(o, c) * 0.996).toFixed(6)},${c.toFixed(6)},${(1000 + 500 * rand()).toFixed(2)}`,
    );
  }
  return lines.join('\n');
}

beforeAll(async () => {
  await setMarketClock('2024-01-01T06:00:00Z');
  admin = await signUpAdmin();
});

describe('leakage', () => {
  it('a model trained on a private random walk validates at ~50% accuracy and AUC ~0.5', async () => {
    const asset = await callJson<{ data: { id: string } }>('/api/v1/users/me/assets', {
      method: 'POST',
      as: admin.as,
      body: { symbol: 'RWALK', name: 'Random walk', asset_type: 'etf' },
    });
    expect(asset.res.status).toBe(201);
    const imported = await callJson<{ data: { written: number } }>(
      `/api/v1/users/me/assets/${asset.body.data.id}/import`,
      {
        method: 'POST',
        as: admin.as,
        body: randomWalkCsv(2500, 99),
        headers: { 'Content-Type': 'text/csv' },
      },
    );
    expect(imported.body.data.written).toBe(2500);
    for (const architecture of ['logistic_regression', 'gradient_boosted_trees']) {
      const created = await callJson<{ data: { id: string } }>('/api/v1/admin/ai/models', {
        method: 'POST',
        as: admin.as,
        body: {
          name: `leak ${architecture}`,
          architecture,
          asset_ids: [asset.body.data.id],
          horizon_days: 1,
          hyperparameters: { trees: 30, max_depth: 2 },
        },
      });
      expect(created.res.status).toBe(201);
      const train = await callJson(`/api/v1/ai/models/${created.body.data.id}/train`, {
        method: 'POST',
        as: admin.as,
        body: { seed: 3 },
      });
      expect(train.res.status).toBe(202);
      await runQueuedJobs('models.train');
      const model = await callJson<{
        data: {
          status: string;
          metrics: { out_of_sample: { n: number; accuracy: number; roc_auc: number } };
        };
      }>(`/api/v1/ai/models/${created.body.data.id}`);
      expect(model.body.data.status).toBe('active');
      const { n, accuracy, roc_auc } = model.body.data.metrics.out_of_sample;
      expect(n).toBeGreaterThan(1500);
      expect(Math.abs(accuracy - 0.5)).toBeLessThan(3 * Math.sqrt(0.25 / n));
      expect(Math.abs(roc_auc - 0.5)).toBeLessThan(0.06);
    }
  });
});
