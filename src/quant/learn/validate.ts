import { QuantInputError } from '../errors';
import type { Labels, Matrix } from './types';

/** Checks a design matrix and its labels: non-empty, rectangular, finite, labels 0/1. */
export function assertDataset(x: Matrix, y: Labels): number {
  if (x.length !== y.length)
    throw new QuantInputError('LENGTH_MISMATCH', 'y', `${y.length} labels for ${x.length} rows`);
  if (x.length === 0) throw new QuantInputError('INSUFFICIENT_DATA', 'x', 'no rows');
  const k = (x[0] as readonly number[]).length;
  if (k === 0) throw new QuantInputError('INSUFFICIENT_DATA', 'x', 'no features');
  for (let i = 0; i < x.length; i++) {
    const row = x[i] as readonly number[];
    if (row.length !== k)
      throw new QuantInputError(
        'LENGTH_MISMATCH',
        'x',
        `row ${i} has ${row.length} features, expected ${k}`,
        i,
      );
    for (const v of row)
      if (!Number.isFinite(v)) throw new QuantInputError('NON_FINITE', 'x', `row ${i} is not finite`, i);
    const label = y[i];
    if (label !== 0 && label !== 1)
      throw new QuantInputError('INVALID_PARAMETER', 'y', `label ${i} must be 0 or 1`, i);
  }
  return k;
}
