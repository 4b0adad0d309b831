import { Secret, TOTP } from 'otpauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoOrchestratorClient } from '../src';

// Seed 002's "JavaScript/TypeScript SDK Example", run as written against the real API. What
// the example leaves to the reader is set up first: an account with an API key, two-factor
// authentication on (swaps over $100 need a code; the client is given an authenticator, as a
// user's app would be) and the 1,000 USDC its swap sells, bought into the paper account.

const ORIGIN = process.env.SDK_ORIGIN ?? '';
const PASSWORD = 'sdk-example-password-1';

/**
 * An authenticator: a fresh code each time, never a time step already used (the API refuses
 * reuse). The API takes the previous, current or next 30-s step, so three codes need no wait;
 * a code is never made in the last 2 s of a step, so it is still valid when it arrives.
 */
function authenticator(secret: string): () => Promise<string> {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  let last = 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return async () => {
    for (;;) {
      if (Date.now() % 30_000 > 28_000) await sleep(30_000 - (Date.now() % 30_000) + 50);
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(now - 1, last + 1);
      if (step <= now + 1) {
        last = step;
        return totp.generate({ timestamp: step * 30_000 });
      }
      await sleep(500);
    }
  };
}

let email: string;
let apiKey: string;
let twoFactor: () => Promise<string>;

beforeAll(async () => {
  expect(ORIGIN, 'run through `npm run test:sdk`, which starts the server').not.toBe('');
  email = `sdk-example-${Date.now()}@example.com`;
  const setup = new CryptoOrchestratorClient({ baseUrl: ORIGIN });
  await setup.auth.register({ email, password: PASSWORD });
  await setup.authenticate(email, PASSWORD);
  apiKey = (await setup.apiKeys.create({ name: 'seed example', scopes: ['read', 'write'] })).key;
  const enrolment = await setup.auth.enroll2fa();
  twoFactor = authenticator(enrolment.secret);
  await setup.auth.verify2fa({ code: await twoFactor() });
  // The USDC the example sells, bought into the paper account at the market's price.
  await setup.trades.create({ symbol: 'USDC/USD', side: 'buy', amount: '1000', price: '1', mode: 'paper' });
}, 120_000);

describe("seed 002's TypeScript SDK example", () => {
  it('lists, creates and starts a bot, gets a DEX quote, swaps and polls the swap to its end', async () => {
    // --- the seed's example, as written (its base URL, key and credentials are this test's) ---
    // Initialize client
    const client = new CryptoOrchestratorClient({
      baseUrl: `${ORIGIN}/api`,
      apiKey: apiKey,
      twoFactor,
    });

    // Or use token authentication
    await client.authenticate(email, PASSWORD);

    // Get all bots
    const bots = await client.bots.list();
    bots.forEach((bot) => {
      console.log(`Bot: ${bot.name} - Status: ${bot.status}`);
    });

    // Create a bot
    const newBot = await client.bots.create({
      name: 'My Trading Bot',
      symbol: 'BTC/USD',
      strategy: 'momentum',
      mode: 'paper',
    });

    // Start bot
    await client.bots.start(newBot.id);

    // Get DEX quote
    const quote = await client.dex.getQuote({
      sellToken: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      buyToken: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
      sellAmount: '1000000000',
      chainId: 1,
    });

    // Execute swap
    const swap = await client.dex.swap({
      sellToken: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      buyToken: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
      sellAmount: '1000000000',
      chainId: 1,
      custodial: true,
    });

    // Poll for swap status
    let status = await client.dex.getSwapStatus(swap.tradeId);
    while (status.status === 'pending') {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      status = await client.dex.getSwapStatus(swap.tradeId);
    }
    // --- end of the example ---

    expect(bots).toEqual([]); // a new account has no bots yet
    expect(newBot).toMatchObject({
      name: 'My Trading Bot',
      tradingPair: 'BTC/USD',
      strategy: 'momentum',
      status: 'stopped',
    });
    expect((await client.bots.get(newBot.id)).status).toBe('running');
    expect(quote).toMatchObject({ sellAmount: '1000000000', chainId: 1, simulated: true });
    expect(BigInt(quote.buyAmount)).toBeGreaterThan(0n);
    expect(swap.tradeId).toMatch(/^trade_/);
    expect(status).toMatchObject({ tradeId: swap.tradeId, status: 'confirmed' });
    const bots2 = await client.bots.list();
    expect(bots2.map((b) => b.name)).toEqual(['My Trading Bot']);
  });
});
