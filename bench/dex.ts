import { MemorySourceHealth } from '../src/providers/circuit';
import { bestQuote, DEX_CIRCUIT_POLICY, QUOTE_TIMEOUT_MS } from '../src/providers/dex/aggregators';
import { okxBodyFor, rubicBodyFor, zeroExBodyFor } from './lib/dex-bodies';

// `npm run bench -- --suite dex`: latency of one best-price quote across 0x, OKX and Rubic
// when one aggregator stops answering. Upstreams are local stubs with fixed latencies (OKX
// 120 ms, Rubic 180 ms, 0x 90 ms or never); what is measured is our fan-out, timeout and
// circuit breaker, not the network. The Worker keeps circuits in D1 (shared by isolates); here the
// same breaker policy runs in memory, so the figures are the fan-out's alone.

const dexHealth = new MemorySourceHealth({ policy: DEX_CIRCUIT_POLICY });

const keys = { ZEROX_API_KEY: 'k', OKX_API_KEY: 'k', OKX_SECRET_KEY: 's', OKX_PASSPHRASE: 'p' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stubFetch(zeroExHangs: boolean) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    if (url.includes('0x.org')) {
      if (zeroExHangs)
        return new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        );
      await sleep(90);
      return Response.json(zeroExBodyFor(50_000n));
    }
    if (url.includes('okx.com')) {
      await sleep(120);
      return Response.json(okxBodyFor(51_000n));
    }
    await sleep(180);
    return Response.json(rubicBodyFor(49_000n));
  };
}

const request = {
  chainId: 1,
  sellToken: '0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE',
  buyToken: '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599',
  sellAmount: 10n ** 16n,
  sellDecimals: 18,
  buyDecimals: 8,
  slippage: 0.005,
};

async function timed(n: number, fetch: ReturnType<typeof stubFetch>) {
  const ms: number[] = [];
  let winner = '';
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const q = await bestQuote(keys, request, { fetch, health: dexHealth });
    ms.push(performance.now() - t);
    winner = q.best?.aggregator ?? 'none';
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)] ?? 0, max: ms.at(-1) ?? 0, winner };
}

export async function runDexBench() {
  // Node unrefs AbortSignal.timeout's timer; keep the loop alive while a stub hangs.
  const keepAlive = setInterval(() => undefined, 1_000);
  try {
    return await run();
  } finally {
    clearInterval(keepAlive);
  }
}

async function run() {
  for (const id of ['0x', 'okx', 'rubic']) await dexHealth.recordSuccess(id, 0);
  const healthy = await timed(5, stubFetch(false));
  // 0x stops answering: the first three quotes wait for its timeout, then its circuit opens.
  const hanging = stubFetch(true);
  const beforeOpen = await timed(3, hanging);
  const afterOpen = await timed(5, hanging);
  const row = (name: string, r: { median: number; max: number; winner: string }) => ({
    case: name,
    'median ms': r.median.toFixed(0),
    'max ms': r.max.toFixed(0),
    winner: r.winner,
  });
  return [
    row('all three answer', healthy),
    row(`0x hangs, circuit closed (timeout ${QUOTE_TIMEOUT_MS} ms)`, beforeOpen),
    row('0x hangs, circuit open (skipped)', afterOpen),
  ];
}
