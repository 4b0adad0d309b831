import { ApiError } from '../../core/errors';
import { QuantInputError } from '../../quant/errors';

export { ABSENT_FEATURES, assertFeatureNames, FEATURE_NAMES, PRICE_FEATURE_NAMES } from '../../quant/learn';

/** A quant-library input error as our 400 naming the field; anything else unchanged. */
export function QuantInputErrorGuard(err: unknown, field: string): unknown {
  if (err instanceof QuantInputError)
    return new ApiError('VALIDATION_ERROR', err.message, { details: { field } });
  return err;
}
