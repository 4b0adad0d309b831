import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { inBackground, settleBackground } from '../../src/core/background';
import { forgetIsolateMemos } from '../../src/core/isolate-memos';
import { marketNow } from '../../src/core/market-clock';
import { setState } from '../../src/ingestion/state';
import { REPLAY_START } from '../helpers/market';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('background work (what test/setup/reset-storage.ts waits for between files)', () => {
  it('settles once the tracked work is done, including work it started meanwhile', async () => {
    const finished: string[] = [];
    inBackground(
      sleep(20).then(() => {
        finished.push('first');
        inBackground(sleep(30).then(() => finished.push('started by the first')));
      }),
    );
    await settleBackground();
    expect(finished).toEqual(['first', 'started by the first']);
  });

  it('gives up with an error after its timeout, naming what still runs', async () => {
    inBackground(sleep(200));
    await expect(settleBackground(20)).rejects.toThrow(/still running after 20 ms: 1/);
    await settleBackground();
  });
});

describe('forgetting the isolate’s memos of storage', () => {
  it('the replay clock is read again from D1 after forgetIsolateMemos', async () => {
    const write = (anchor: number, end: number) =>
      Promise.all([
        setState(env, 'replay.anchor_real', String(anchor)),
        setState(env, 'replay.history_end', String(end)),
      ]);
    const realNow = Date.now();
    const end = REPLAY_START + 400 * 86_400_000;
    await write(realNow, end);
    forgetIsolateMemos();
    expect(await marketNow(env, realNow)).toBe(REPLAY_START);
    // Anchored an hour earlier: the replay has moved 60 market hours (REPLAY_SPEED 60).
    await write(realNow - 3_600_000, end);
    expect(await marketNow(env, realNow)).toBe(REPLAY_START); // still the memo
    forgetIsolateMemos();
    expect(await marketNow(env, realNow)).toBe(REPLAY_START + 60 * 3_600_000);
  });
});
