import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { NonceBody, NonceSchema, RegisterExternalBody, RegisteredWalletSchema } from '../schemas';
import { issueNonce, registerExternalWallet } from '../service';
import { json, siweOrigin, walletCommon } from './common';

export const externalWalletRoutes = createRouter()
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'post',
      path: '/api/wallets/external/nonce',
      summary: 'Start registering an external wallet: a nonce and the SIWE message to sign',
      description:
        'Returns a single-use nonce (valid 10 minutes) and the exact EIP-4361 (Sign-In with Ethereum) message, bound to this host, the chain id and the address. Sign it with `personal_sign` (EIP-191) and send the signature to POST /api/wallets/external/register.',
      request: { body: { content: { 'application/json': { schema: NonceBody } }, required: true } },
      responses: { 201: json(NonceSchema, 'The nonce and message.') },
    }),
    async (c) =>
      c.json(plain(c, await issueNonce(c.env, principalOf(c), c.req.valid('json'), siweOrigin(c))), 201),
  )
  .openapi(
    defineRoute({
      ...walletCommon,
      method: 'post',
      path: '/api/wallets/external/register',
      summary: 'Register an external (non-custodial) wallet by proving control of it',
      description:
        "The signature must be the address's EIP-191 signature of the message issued with `nonce`. The nonce is single-use and expires; the message binds the domain and chain id, so a signature made for another site or chain, or replayed, is refused (403 for a bad proof, 400 for a used or expired nonce).",
      request: {
        body: { content: { 'application/json': { schema: RegisterExternalBody } }, required: true },
      },
      responses: { 201: json(RegisteredWalletSchema, 'Registered.') },
    }),
    async (c) =>
      c.json(
        plain(
          c,
          await registerExternalWallet(
            c.env,
            principalOf(c),
            c.req.valid('json'),
            siweOrigin(c),
            requestFacts(c),
          ),
        ),
        201,
      ),
  );
