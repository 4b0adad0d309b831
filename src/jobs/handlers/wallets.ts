import { z } from 'zod';
import { refreshAllBalances } from '../../domains/wallets/service';
import { defineJob } from './types';

/** Refreshes one user's wallet balances from their chains; safe to run again (it only reads and overwrites). */
export const refreshWalletBalances = defineJob({
  payload: z.object({ user_id: z.string().startsWith('usr_') }),
  async run(ctx, payload) {
    return refreshAllBalances(ctx.env, payload.user_id);
  },
});
