import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { BalanceSchema, RefreshAllSchema, RefreshedBalanceSchema, WalletIdParam } from '../schemas';
import { balanceView, getOwnedWallet, refreshAllBalances, refreshWalletBalance } from '../service';
import { json, rpcUnavailable, walletCommon } from './common';

export const balanceRoutes = createRouter()
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'get',
      path: '/api/wallets/{wallet_id}/balance',
      summary: "A wallet's native balance at its last refresh",
      request: { params: WalletIdParam },
      responses: {
        200: json(BalanceSchema, 'The stored balance; refresh it with POST .../refresh-balance.'),
      },
    }),
    async (c) =>
      c.json(
        plain(
          c,
          balanceView(await getOwnedWallet(c.env, principalOf(c).userId, c.req.valid('param').wallet_id)),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'post',
      path: '/api/wallets/refresh-balances',
      summary: 'Refresh the balances of all your wallets',
      description:
        "Reads every wallet over its chain's JSON-RPC (the same work the `wallets.refresh-balances` job does). A chain that cannot be reached is reported per wallet. Rate limit: 20 an hour.",
      responses: { 200: json(RefreshAllSchema.omit({ job_id: true }), 'What was refreshed.') },
    }),
    async (c) => c.json(plain(c, await refreshAllBalances(c.env, principalOf(c).userId)), 200),
  )
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'post',
      path: '/api/wallets/{wallet_id}/refresh-balance',
      summary: "Refresh one wallet's native and token balances from the chain",
      request: { params: WalletIdParam },
      responses: {
        200: json(RefreshedBalanceSchema, 'Balances read at one block and priced in USD.'),
        ...rpcUnavailable,
      },
    }),
    async (c) => {
      const w = await getOwnedWallet(c.env, principalOf(c).userId, c.req.valid('param').wallet_id);
      return c.json(plain(c, await refreshWalletBalance(c.env, w)), 200);
    },
  );
