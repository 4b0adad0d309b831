import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadMemo } from '../../src/core/read-memo';
import { forgetServedQuotes, servedQuotes } from '../../src/domains/prices/market-cap';
import { upsertQuotes } from '../../src/domains/prices/service';

// The suite runs with READ_MEMO_MS=0 (vitest.config.ts); this env turns the memo on.
const memoEnv = { ...env, READ_MEMO_MS: '2000' } as Env;
const ASSET = 'ast_readmemo_test';

async function writeQuoteRaw(price: number, asOf: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO quotes (asset_id, price, source, as_of) VALUES (?, ?, 'test', ?)
     ON CONFLICT (asset_id) DO UPDATE SET price = excluded.price, as_of = excluded.as_of`,
  )
    .bind(ASSET, price, asOf)
    .run();
}

afterEach(() => {
  vi.useRealTimers();
  forgetServedQuotes();
});

describe('ReadMemo', () => {
  it('serves a value until it expires, then forgets it', () => {
    const memo = new ReadMemo<number>();
    memo.set('a', 1, 1_000);
    expect(memo.get('a', 999)).toBe(1);
    expect(memo.get('a', 1_000)).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  it('keeps at most its bound of entries, dropping the oldest first', () => {
    const memo = new ReadMemo<number>(2);
    memo.set('a', 1, 10);
    memo.set('b', 2, 10);
    memo.set('c', 3, 10);
    expect([memo.get('a', 0), memo.get('b', 0), memo.get('c', 0)]).toEqual([undefined, 2, 3]);
  });
});

describe('served quotes through the isolate memo', () => {
  it('answers from the memo within READ_MEMO_MS and reads D1 again after it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2024, 0, 2));
    await writeQuoteRaw(100, Date.UTC(2024, 0, 1));
    expect((await servedQuotes(memoEnv, [ASSET])).get(ASSET)?.price).toBe(100);

    // A write this isolate did not make (another isolate's) is not seen within the window...
    await writeQuoteRaw(101, Date.UTC(2024, 0, 1, 0, 1));
    vi.setSystemTime(Date.UTC(2024, 0, 2) + 1_999);
    expect((await servedQuotes(memoEnv, [ASSET])).get(ASSET)?.price).toBe(100);
    // ...and is once it has passed.
    vi.setSystemTime(Date.UTC(2024, 0, 2) + 2_000);
    expect((await servedQuotes(memoEnv, [ASSET])).get(ASSET)?.price).toBe(101);
    // With the memo off, every read goes to D1.
    await writeQuoteRaw(102, Date.UTC(2024, 0, 1, 0, 2));
    expect((await servedQuotes(env, [ASSET])).get(ASSET)?.price).toBe(102);
  });

  it('sees quotes this isolate wrote at once', async () => {
    await writeQuoteRaw(200, Date.UTC(2024, 0, 1));
    expect((await servedQuotes(memoEnv, [ASSET])).get(ASSET)?.price).toBe(200);
    const asOf = Date.UTC(2024, 0, 1, 0, 5);
    await upsertQuotes(env, [
      {
        assetId: ASSET,
        source: 'test',
        quote: {
          providerSymbol: 'TEST',
          price: 201,
          open24h: null,
          high24h: null,
          low24h: null,
          change24h: null,
          changePct24h: null,
          volume24h: null,
          marketCap: null,
          asOf,
        },
      },
    ]);
    expect((await servedQuotes(memoEnv, [ASSET])).get(ASSET)?.price).toBe(201);
  });

  it('remembers that an asset has no quote, and forgets it when one is written here', async () => {
    const none = 'ast_readmemo_none';
    expect((await servedQuotes(memoEnv, [none])).has(none)).toBe(false);
    await env.DB.prepare(`INSERT INTO quotes (asset_id, price, source, as_of) VALUES (?, 5, 'test', 1)`)
      .bind(none)
      .run();
    expect((await servedQuotes(memoEnv, [none])).has(none)).toBe(false);
    forgetServedQuotes();
    expect((await servedQuotes(memoEnv, [none])).get(none)?.price).toBe(5);
  });
});
