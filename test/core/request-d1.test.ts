import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetMarketClock, marketNow } from '../../src/core/market-clock';
import { requestD1, sharedRequestD1 } from '../../src/core/request-d1';
import { type Trace, withTrace } from '../../src/core/telemetry';
import { seedMarket } from '../helpers/market';

const newTrace = (): Trace => ({ statements: [], cache: [], logs: [] });
const clockReads = (t: Trace) => t.statements.filter((s) => s.shape.includes('market_state')).length;

describe('the request D1 binding', () => {
  beforeAll(async () => {
    await seedMarket(['BTC']);
  });

  it('is one object per binding, recording on the trace of the request that runs each statement', async () => {
    const traced = sharedRequestD1(env.DB);
    expect(sharedRequestD1(env.DB)).toBe(traced);
    const [a, b] = [newTrace(), newTrace()];
    await withTrace(a, () => traced.prepare('SELECT 1 AS one').all());
    await withTrace(b, async () => {
      await traced.batch([traced.prepare('SELECT 2 AS two'), traced.prepare('SELECT 3 AS three')]);
    });
    expect(a.statements).toHaveLength(1);
    expect(b.statements).toHaveLength(2);
    // Outside any request's trace it is plain D1.
    expect(await traced.prepare('SELECT 4 AS four').first()).toEqual({ four: 4 });
    expect(a.statements).toHaveLength(1);
  });

  it('records a statement prepared once (drizzle .prepare()) on each request that runs it', async () => {
    const traced = sharedRequestD1(env.DB);
    const kept = traced.prepare('SELECT ?1 AS n');
    const [a, b] = [newTrace(), newTrace()];
    await withTrace(a, () => kept.bind(1).raw());
    await withTrace(b, async () => {
      await kept.bind(2).all();
      await kept.bind(3).first();
    });
    expect([a.statements.length, b.statements.length]).toEqual([1, 2]);
    expect(b.statements.map((s) => s.source)).toEqual(['meta', 'meta']);
    // Run outside a request, it records nowhere.
    expect(await kept.bind(4).first()).toEqual({ n: 4 });
    expect([a.statements.length, b.statements.length]).toEqual([1, 2]);
  });

  it('lets the market clock reuse its replay state across requests (one read, not one per request)', async () => {
    await marketNow(env); // the replay's anchor is set on the clock's first reading
    forgetMarketClock();
    const [first, second] = [newTrace(), newTrace()];
    await withTrace(first, () => marketNow({ ...env, DB: sharedRequestD1(env.DB) }));
    await withTrace(second, () => marketNow({ ...env, DB: sharedRequestD1(env.DB) }));
    expect(clockReads(first)).toBe(1);
    expect(clockReads(second)).toBe(0);
    // A wrapper made per request (as before) misses that cache every time.
    forgetMarketClock();
    const [third, fourth] = [newTrace(), newTrace()];
    await marketNow({ ...env, DB: requestD1(env.DB, third) });
    await marketNow({ ...env, DB: requestD1(env.DB, fourth) });
    expect([clockReads(third), clockReads(fourth)]).toEqual([1, 1]);
  });
});
