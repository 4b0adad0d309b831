import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { ApiError } from '../../core/errors';
import { db } from '../../db/client';
import { aiModels } from '../../db/schema';
import type { FeatureName } from '../../quant/learn';
import { fittedModel } from '../models/predictions';
import type { ModelRow } from '../models/service';
import type { ResolvedStrategy, StrategyModel } from './engine/strategies';
import type { BotTimeframeName } from './market';

const missing = (message: string, modelId: string | null, assetId: string) =>
  new ApiError('UNPROCESSABLE_ENTITY', message, {
    details: { strategy: 'ml_adaptive', missing: 'model', modelId, assetId, registry: 'ai_models' },
    suggestion:
      'Register and train a model on this asset (POST /api/v1/admin/ai/models, then /api/v1/ai/models/{id}/train), pass its id as parameters.modelId, or choose another strategy.',
  });

/**
 * The registry model an `ml_adaptive` strategy trades on, ready to predict: the one named by
 * `parameters.modelId` (it must be active and trained: 422 naming it otherwise), or else the
 * first active trained model whose training assets include the pair's asset (422 when none
 * does). The models predict daily direction from daily features, so the timeframe must be 1d
 * (400 naming it). Other strategies need no model: undefined. The resolved strategy's
 * parameters get the chosen `modelId`, so a bot or a stored backtest keeps using that model.
 */
export async function strategyModelOrThrow(
  env: Env,
  strategy: ResolvedStrategy,
  assetId: string,
  timeframe: BotTimeframeName,
  field = 'timeframe',
): Promise<StrategyModel | undefined> {
  if (strategy.strategy !== 'ml_adaptive') return undefined;
  if (timeframe !== '1d') {
    throw new ApiError(
      'VALIDATION_ERROR',
      `ml_adaptive trades daily bars: the registry's models predict daily direction (timeframe ${timeframe} given)`,
      {
        details: [{ loc: ['body', ...field.split('.')], msg: 'must be 1d for ml_adaptive', type: 'invalid' }],
      },
    );
  }
  const wanted = typeof strategy.parameters.modelId === 'string' ? strategy.parameters.modelId : null;
  const rows = await db(env)
    .select()
    .from(aiModels)
    .where(
      and(
        eq(aiModels.status, 'active'),
        isNotNull(aiModels.artifactKey),
        wanted ? eq(aiModels.id, wanted) : undefined,
      ),
    )
    .orderBy(asc(aiModels.createdAt), asc(aiModels.id));
  const row: ModelRow | undefined = wanted ? rows[0] : rows.find((m) => m.assetIds.includes(assetId));
  if (!row) {
    throw missing(
      wanted
        ? `Strategy ml_adaptive needs model ${wanted}, which is not an active trained model of the registry`
        : `Strategy ml_adaptive needs a trained model on ${assetId}; the registry has no active one`,
      wanted,
      assetId,
    );
  }
  const fitted = await fittedModel(env, row);
  if (!fitted || !row.artifactHash)
    throw missing(`Model ${row.id}'s trained parameters are missing from storage`, row.id, assetId);
  strategy.parameters = { ...strategy.parameters, modelId: row.id };
  return { id: row.id, artifactHash: row.artifactHash, features: row.features as FeatureName[], fitted };
}
