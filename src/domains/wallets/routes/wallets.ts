import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { CreatedWalletSchema, CreateWalletBody, WalletIdParam, WalletSchema } from '../schemas';
import { createCustodialWallet, deleteWallet, getOwnedWallet, listWallets, walletView } from '../service';
import { json, walletCommon } from './common';

export const walletRoutes = createRouter()
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'get',
      path: '/api/wallets',
      summary: 'Your wallets',
      description: 'Custodial and external wallets, oldest first. Rate limit: 100 an hour.',
      responses: { 200: json(z.array(WalletSchema), 'Your wallets.') },
    }),
    async (c) => c.json(plain(c, await listWallets(c.env, principalOf(c).userId)), 200),
  )
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'post',
      path: '/api/wallets',
      summary: 'Create a custodial wallet',
      description:
        'A new secp256k1 key generated server-side; its EIP-55 address is returned. The private key is sealed with a per-wallet data key (AES-256-GCM) wrapped under the deployment master key, and is never returned. Rate limit: 100 an hour.',
      request: { body: { content: { 'application/json': { schema: CreateWalletBody } }, required: true } },
      responses: { 201: json(CreatedWalletSchema, 'The new wallet.') },
    }),
    async (c) =>
      c.json(
        plain(c, await createCustodialWallet(c.env, principalOf(c), c.req.valid('json'), requestFacts(c))),
        201,
      ),
  )
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'get',
      path: '/api/wallets/{wallet_id}',
      summary: 'One of your wallets',
      request: { params: WalletIdParam },
      responses: { 200: json(WalletSchema, 'The wallet.') },
    }),
    async (c) =>
      c.json(
        plain(
          c,
          walletView(await getOwnedWallet(c.env, principalOf(c).userId, c.req.valid('param').wallet_id)),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'delete',
      path: '/api/wallets/{wallet_id}',
      summary: 'Remove a wallet from your list',
      description:
        "A custodial wallet's sealed key is retained (so later deposits stay recoverable by support); the wallet can no longer be used.",
      request: { params: WalletIdParam },
      responses: {
        200: json(z.object({ id: z.string(), deleted: z.literal(true), deleted_at: z.string() }), 'Removed.'),
      },
    }),
    async (c) =>
      c.json(
        plain(c, await deleteWallet(c.env, principalOf(c), c.req.valid('param').wallet_id, requestFacts(c))),
        200,
      ),
  );
