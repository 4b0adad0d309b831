import { z } from 'zod';
import { refreshAllBalances, rewrapWalletKeys } from '../../domains/wallets/service';
import { defineJob } from './types';

/** Refreshes one user's wallet balances from their chains; safe to run again (it only reads and overwrites). */
export const refreshWalletBalances = defineJob({
  payload: z.object({ user_id: z.string().startsWith('usr_') }),
  async run(ctx, payload) {
    return refreshAllBalances(ctx.env, payload.user_id);
  },
});

/** Re-wraps custodial wallets' data keys under the current master key after a rotation. */
export const rewrapWalletDataKeys = defineJob({
  payload: z.object({}).passthrough(),
  async run(ctx) {
    return rewrapWalletKeys(ctx.env);
  },
});
