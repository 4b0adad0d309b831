import { ApiError } from '../../core/errors';
import {
  type ResolvedStrategy,
  resolveStrategy,
  StrategyError,
  type StrategySpec,
} from './engine/strategies';

/**
 * Resolves a strategy for an API request: bad parameters or indicators answer 400 naming the
 * field (under `prefix` in the body), a strategy whose model is missing 422 naming the model.
 */
export function strategyOrThrow(spec: StrategySpec, prefix?: string): ResolvedStrategy {
  try {
    return resolveStrategy(spec);
  } catch (err) {
    if (!(err instanceof StrategyError)) throw err;
    if (err.code === 'MODEL_NOT_FOUND') {
      throw new ApiError('UNPROCESSABLE_ENTITY', err.message, {
        details: { strategy: spec.strategy, missing: 'model', registry: 'ai_models' },
        suggestion: 'Train and register a model for ml_adaptive, or choose another strategy.',
      });
    }
    const loc = ['body', ...(prefix ? [prefix] : []), ...(err.field ?? 'parameters').split('.')];
    throw new ApiError('VALIDATION_ERROR', err.message, {
      details: [{ loc, msg: err.message, type: 'invalid_strategy_config' }],
    });
  }
}
