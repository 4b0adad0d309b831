import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ErrorSchema } from '../../../core/openapi';
import { plainOrV2Schema } from '../../../core/responses';
import type { AppEnv } from '../../../env';
import { requireUser } from '../../../middleware/auth';
import type { SiweOrigin } from '../service';

export const walletCommon = {
  tags: ['Wallets (002)'],
  security: [{ bearerAuth: [] }],
  middleware: requireUser,
};

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

/** The SIWE domain and URI: this request's own origin, so a message made for another site fails. */
export function siweOrigin(c: Context<AppEnv>): SiweOrigin {
  const url = new URL(c.req.url);
  return { domain: url.host, uri: url.origin };
}

/** Answered when the chain's JSON-RPC is not configured or does not answer (BLOCKCHAIN_RPC_ERROR), or no price is held to apply a limit. */
export const rpcUnavailable = {
  503: {
    description:
      'BLOCKCHAIN_RPC_ERROR: no RPC endpoint for the chain, or it failed; SERVICE_UNAVAILABLE: no market price to apply a limit',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};
