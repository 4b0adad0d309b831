import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import {
  TransactionListSchema,
  TransactionsQuery,
  WalletIdParam,
  WithdrawalSchema,
  WithdrawBody,
} from '../schemas';
import { listTransactions } from '../service';
import { withdraw } from '../withdrawals';
import { json, rpcUnavailable, walletCommon } from './common';

export const transactionRoutes = createRouter()
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'get',
      path: '/api/wallets/{wallet_id}/transactions',
      summary: "A wallet's transactions, newest first",
      description:
        'Withdrawals and swaps made through us, with their on-chain status (pending ones are checked against their receipts first).',
      request: { params: WalletIdParam, query: TransactionsQuery },
      responses: { 200: json(TransactionListSchema, 'A page of transactions.') },
    }),
    async (c) =>
      c.json(
        plain(
          c,
          await listTransactions(
            c.env,
            principalOf(c).userId,
            c.req.valid('param').wallet_id,
            c.req.valid('query'),
          ),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'post',
      path: '/api/wallets/{wallet_id}/withdraw',
      summary: 'Withdraw from a custodial wallet',
      description: [
        'Requires two-factor authentication (`two_factor_token`, one code per withdrawal).',
        'A destination address not seen before waits a cooling-off period (WITHDRAWAL_COOLING_OFF_SECONDS, default 24 h) before it can receive: the first request registers it and is refused with ADDRESS_NOT_WHITELISTED and its `active_at`. Your own wallets are exempt.',
        'Limits per user in USD at market prices: WITHDRAWAL_MAX_USD per withdrawal and WITHDRAWAL_DAILY_LIMIT_USD per rolling 24 h (WITHDRAWAL_LIMIT_EXCEEDED).',
        "Validated: EIP-55 checksum, the chain's supported tokens, no more decimals than the token has, balance covering the amount plus the maximum network fee and anything still pending.",
        'Spends from one wallet are serialized (a concurrent one answers 409). Send an `Idempotency-Key` to make retries safe. Rate limit: 10 an hour.',
      ].join('\n\n'),
      request: {
        params: WalletIdParam,
        body: { content: { 'application/json': { schema: WithdrawBody } }, required: true },
      },
      responses: {
        200: json(WithdrawalSchema, 'Signed and submitted; poll the transactions for its status.'),
        ...rpcUnavailable,
      },
    }),
    async (c) =>
      c.json(
        plain(
          c,
          await withdraw(
            c.env,
            principalOf(c),
            c.req.valid('param').wallet_id,
            c.req.valid('json'),
            requestFacts(c),
          ),
        ),
        200,
      ),
  );
