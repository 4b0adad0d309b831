import { describe, expect, it } from 'vitest';
import { ALTERNATIVE_ME_URL, AlternativeMeClient } from '../../src/providers/alternative-me';
import { fakeFetch, fakeRuntime, memoryHealth, providerError } from './helpers';

// The real /fng/?limit=2 response from ../shared/data/README.md.
const FNG = {
  name: 'Fear and Greed Index',
  data: [
    {
      value: '25',
      value_classification: 'Extreme Fear',
      timestamp: '1662940800',
      time_until_update: '44102',
    },
    { value: '26', value_classification: 'Fear', timestamp: '1662854400' },
  ],
  metadata: { error: null },
};

function client(...responders: Parameters<typeof fakeFetch>) {
  const runtime = fakeRuntime();
  const health = memoryHealth(runtime);
  const { fetch, calls } = fakeFetch(...responders);
  const fng = new AlternativeMeClient({ ...runtime, fetch, health, options: { minIntervalMs: 0 } });
  return { fng, calls, health };
}

describe('alternative.me fear & greed', () => {
  it('maps the recorded response: string values to numbers, seconds to ms, oldest first', async () => {
    const { fng, calls } = client(FNG);
    expect(await fng.fearGreed(2)).toEqual([
      { value: 26, classification: 'Fear', time: Date.UTC(2022, 8, 11) },
      { value: 25, classification: 'Extreme Fear', time: Date.UTC(2022, 8, 12) },
    ]);
    expect(calls[0]?.url.toString()).toBe(`${ALTERNATIVE_ME_URL}/fng/?limit=2`);
  });

  it('answers nothing for an empty data list', async () => {
    expect(await client({ ...FNG, data: [] }).fng.fearGreed(0)).toEqual([]);
  });

  it('rejects values that are not index numbers', async () => {
    const [first] = FNG.data;
    const bad = { ...FNG, data: [{ ...first, value: 'greedy' }] };
    expect((await providerError(client(bad).fng.fearGreed())).kind).toBe('invalid_body');
    const outOfRange = { ...FNG, data: [{ ...first, value: '101' }] };
    expect((await providerError(client(outOfRange).fng.fearGreed())).kind).toBe('invalid_body');
  });

  it('turns metadata.error into an upstream error recorded against the source', async () => {
    const { fng, health } = client({
      name: 'Fear and Greed Index',
      data: [],
      metadata: { error: 'Limit exceeded' },
    });
    const error = await providerError(fng.fearGreed());
    expect(error).toMatchObject({ kind: 'upstream', sourceId: 'alternative-me' });
    expect(error.message).toContain('Limit exceeded');
    expect(health.snapshot('alternative-me').failures).toBe(1);
  });
});
