import { count, eq } from 'drizzle-orm';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { aiModels } from '../../db/schema';
import { enqueueJob } from '../../jobs/service';
import { PRICE_FEATURE_NAMES } from '../../quant/learn';
import { resolveAsset } from '../assets/service';

/** The two models a fresh deployment registers and trains, on BTC and ETH's daily history. */
export const DEFAULT_MODELS: {
  id: string;
  name: string;
  architecture: 'logistic_regression' | 'gradient_boosted_trees';
  hyperparameters: Record<string, number>;
}[] = [
  {
    id: 'mdl_default_logit_1d',
    name: 'Daily direction — L2 logistic regression',
    architecture: 'logistic_regression',
    hyperparameters: { l2: 10, seed: 1 },
  },
  {
    id: 'mdl_default_gbt_1d',
    name: 'Daily direction — boosted trees (depth 2)',
    architecture: 'gradient_boosted_trees',
    hyperparameters: { trees: 60, max_depth: 2, learning_rate: 0.05, seed: 1 },
  },
];

/**
 * Registers the default models once (when the registry is empty) and queues their training
 * on the data the market clock has reached. Idempotent: fixed ids, insert-or-ignore.
 */
export async function ensureDefaultModels(env: Env): Promise<number> {
  const row = await db(env).select({ n: count() }).from(aiModels).get();
  if ((row?.n ?? 0) > 0) return 0;
  const universe = [];
  for (const sym of ['BTC', 'ETH']) {
    const a = await resolveAsset(env, sym).catch(() => null);
    if (a) universe.push(a.id);
  }
  if (!universe.length) return 0;
  const asOf = await marketNow(env);
  let queued = 0;
  for (const m of DEFAULT_MODELS) {
    const inserted = await db(env)
      .insert(aiModels)
      .values({
        id: m.id,
        name: m.name,
        architecture: m.architecture,
        features: [...PRICE_FEATURE_NAMES],
        assetIds: universe,
        horizonDays: 1,
        hyperparameters: m.hyperparameters,
        status: 'training',
        description: 'Registered by the schedule on a fresh deployment.',
      })
      .onConflictDoNothing()
      .returning({ id: aiModels.id });
    if (!inserted.length) continue;
    const jobId = await enqueueJob(env, {
      type: 'models.train',
      maxAttempts: 2,
      payload: { model_id: m.id, as_of: asOf, seed: 1 },
    });
    await db(env).update(aiModels).set({ trainingJobId: jobId }).where(eq(aiModels.id, m.id));
    queued++;
  }
  return queued;
}
