import { describe, expect, it } from 'vitest';
import readme from '../../README.md?raw';
import {
  coverageMarkdown,
  readmeCoverage,
  seedEndpoints,
  servedEndpoints,
} from '../../scripts/lib/seed-coverage';
import { callJson } from '../helpers/api';

// The seed documents, read in place: `000_<hash>.txt` ... by seed number.
const seeds = Object.fromEntries(
  Object.entries(
    import.meta.glob('../../../shared/seeds/*.txt', { query: '?raw', import: 'default', eager: true }),
  ).map(([path, text]) => [path.split('/').pop()?.slice(0, 3) ?? '', text]),
);

describe('the README’s per-seed coverage table', () => {
  it('is what /openapi.json serves of the seeds’ endpoints (npm run docs:coverage regenerates it)', async () => {
    expect(Object.keys(seeds).sort()).toEqual(['000', '001', '002', '003', '004']);
    const { res, body } = await callJson<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    expect(res.status).toBe(200);
    const documented = seedEndpoints(seeds);
    const served = servedEndpoints(body);
    // The table counts real matches: login is documented by every seed and served.
    expect(documented.get('POST /api/v1/auth/login')?.size).toBeGreaterThan(0);
    expect(served.has('POST /api/v1/auth/login')).toBe(true);
    expect(readmeCoverage(readme), 'README.md is stale: run npm run docs:coverage').toBe(
      coverageMarkdown(documented, served),
    );
  });
});
