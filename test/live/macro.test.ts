import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { macroSnapshot } from '../../src/jobs/handlers/macro';
import { seedMacroIntel, seedSectorCoins } from '../helpers/macro';
import { seedMarket } from '../helpers/market';
import { connect, ofType } from './client';

describe('/ws/macro and /ws/sectors', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
    await seedSectorCoins();
    await seedMacroIntel();
  }, 300_000);

  it('the snapshot job publishes the macro headline and the sector rotation', async () => {
    const macro = await connect('/ws/macro');
    const sectors = await connect('/ws/sectors');
    await macro.next(ofType('welcome'));
    await sectors.next(ofType('welcome'));
    const result = await macroSnapshot.run(
      { env, jobId: 'job_test', progress: async () => {}, cancelRequested: async () => false },
      { daily_days: 3 },
    );
    expect(result).toMatchObject({ daily: { days: 3 } });
    const m = await macro.next(ofType('macro_update'), 20_000);
    expect(m).toMatchObject({
      as_of: expect.any(String),
      headline: expect.objectContaining({ btc_price: 42265.1875 }),
    });
    expect((m.regime as { current_regime: string }).current_regime).toEqual(expect.any(String));
    const s = await sectors.next(ofType('sector_rotation'), 20_000);
    expect((s.sectors as unknown[]).length).toBe(11);
    macro.close();
    sectors.close();
  }, 300_000);
});
