import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../core/client';
import { createRouter, defineRoute, ErrorSchema } from '../../core/openapi';
import { plain } from '../../core/responses';
import { config } from '../../env';
import { principalOf } from '../../middleware/auth';
import { AGGREGATORS, aggregatorHealth } from '../../providers/dex/aggregators';
import { json, walletCommon } from '../wallets/routes/common';
import { D1AggregatorHealth } from './health';
import {
  HealthSchema,
  QuoteBody,
  QuoteSchema,
  SubmitSwapBody,
  SwapBody,
  SwapSchema,
  TradeStatusSchema,
} from './schemas';
import { IMPACT_MODEL, priceQuote, quoteView, submitSignedSwap, swap, tradeStatus } from './service';

const common = { ...walletCommon, tags: ['DEX (002)'] };
const unavailable = {
  503: {
    description: 'DEX_AGGREGATOR_UNAVAILABLE (no aggregator answered) or BLOCKCHAIN_RPC_ERROR',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

export const dexRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/dex/quote',
      summary: 'Quote a swap: best price across 0x, OKX and Rubic',
      description: [
        "Live mode: every configured aggregator is asked at once (2.5 s timeout each, circuit breaker per aggregator); the largest buy_amount wins, ties going to the fallback order 0x, OKX, Rubic. `aggregators` lists each one's outcome and `selection_reason` says why the winner won.",
        `Paper/replay mode (the default): ${IMPACT_MODEL}. Such quotes say \`simulated: true\`.`,
        'price_impact is a fraction: above 0.01 the quote carries a warning, above 0.05 it is refused (400 PRICE_IMPACT_TOO_HIGH). Rate limit: 60 a minute.',
      ].join('\n\n'),
      request: { body: { content: { 'application/json': { schema: QuoteBody } }, required: true } },
      responses: { 200: json(QuoteSchema, 'The best quote.'), ...unavailable },
    }),
    async (c) => {
      const input = c.req.valid('json');
      return c.json(plain(c, quoteView(input, await priceQuote(c.env, input))), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/dex/swap',
      summary: 'Execute a swap (custodial) or prepare it for your wallet (non-custodial)',
      description: [
        'Paper/replay mode: the simulated quote settles into your paper portfolio ledger (a sell and a buy trade) and the trade is confirmed at once.',
        "Live, custodial: the best aggregator's transaction is signed by your custodial wallet on the chain and submitted (an ERC-20 sell is preceded by an exact-amount approval). Live, non-custodial: `user_wallet_address` must be one of your registered external wallets; the answer carries the transaction for it to sign.",
        'Over $100 a two-factor code is required (`two_factor_token`). Impact over 5% is refused; min_buy_amount enforces slippage_percentage. Poll GET /api/dex/trades/{trade_id}/status. Rate limit: 20 an hour.',
      ].join('\n\n'),
      request: { body: { content: { 'application/json': { schema: SwapBody } }, required: true } },
      responses: { 200: json(SwapSchema, 'The trade.'), ...unavailable },
    }),
    async (c) =>
      c.json(plain(c, await swap(c.env, principalOf(c), c.req.valid('json'), requestFacts(c))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/dex/trades/{trade_id}/status',
      summary: "A DEX trade's status, read from the chain",
      request: { params: z.object({ trade_id: z.string().min(1).max(64) }) },
      responses: {
        200: json(TradeStatusSchema, 'The status; pending until the receipt is mined.'),
        ...unavailable,
      },
    }),
    async (c) =>
      c.json(plain(c, await tradeStatus(c.env, principalOf(c).userId, c.req.valid('param').trade_id)), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/dex/trades/{trade_id}/submit',
      summary: "Report a non-custodial swap's signed transaction",
      description: [
        "After signing and broadcasting the `transaction` a non-custodial swap returned (`status: awaiting_signature`), send its hash here. It is read from the chain and accepted only if it was sent by the trade's wallet, to the quoted router, with the quoted calldata and value; the trade then turns `pending` and GET .../status tracks it to confirmed, reverted or failed (dropped or replaced).",
        'Reporting the same hash again answers the current status; a hash already used by another trade is 409.',
      ].join('\n\n'),
      request: {
        params: z.object({ trade_id: z.string().min(1).max(64) }),
        body: { content: { 'application/json': { schema: SubmitSwapBody } }, required: true },
      },
      responses: {
        200: json(TradeStatusSchema, 'The trade, now tracked on the chain.'),
        ...unavailable,
      },
    }),
    async (c) =>
      c.json(
        plain(
          c,
          await submitSignedSwap(
            c.env,
            principalOf(c),
            c.req.valid('param').trade_id,
            c.req.valid('json'),
            requestFacts(c),
          ),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/dex/aggregators/health',
      summary: "Each aggregator's circuit, last latency and last error",
      description:
        'From every quote any Worker isolate has made (circuits and counts are shared D1 rows): healthy, degraded (recent failures, a half-open circuit or over 1 s), down (circuit open: 3 consecutive failures, 30 s), unknown (not called yet) or not_configured (no API key).',
      responses: { 200: json(HealthSchema, 'Aggregator health.') },
    }),
    async (c) => {
      const ids = AGGREGATORS.map((a) => a.id);
      const snapshots = await new D1AggregatorHealth(c.env).snapshots(ids);
      return c.json(
        plain(c, {
          ...aggregatorHealth(c.env, snapshots),
          fallback_order: ids,
          mode: config(c.env).MARKET_DATA_MODE === 'live' ? ('live' as const) : ('paper' as const),
          scope: 'all isolates (shared D1 rows)',
        }),
        200,
      );
    },
  );
