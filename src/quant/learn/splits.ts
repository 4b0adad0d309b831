import { QuantInputError } from '../errors';

export interface WalkForwardOptions {
  /** Number of validation folds. Default 5. */
  folds?: number;
  /** Minimum training rows before the first validation block. Default 20% of the rows. */
  minTrain?: number;
  /** Rows dropped after the purge, just before each validation block (an embargo gap). Default 0. */
  embargo?: number;
  /** Keep only the last `maxTrain` eligible rows (a rolling window); default: expanding window. */
  maxTrain?: number;
}

export interface Fold {
  index: number;
  /** Row indices used to fit, all dated before the validation block (see `walkForwardSplits`). */
  train: number[];
  /** Row indices scored out of sample. */
  validation: number[];
  /** Rows removed because their label window reached into the validation block. */
  purged: number;
  embargoed: number;
}

/**
 * Walk-forward splits with purging and an embargo (López de Prado, AFML ch. 7, adapted to
 * an anchored forward walk). Row i is a decision at `decisionTimes[i]` whose label uses data
 * up to `labelEnds[i]`; rows must be in time order. The rows after `minTrain` are cut into
 * `folds` consecutive validation blocks. For the block starting at row v, training rows are
 * rows j < v whose label ended strictly before the block's first decision
 * (labelEnds[j] < decisionTimes[v]: purging, so no overlapping label leaks the validation
 * period into training), minus the last `embargo` of those. Hence no training row is dated
 * after any validation row of its fold, and no training label sees a validation-period price.
 */
export function walkForwardSplits(
  decisionTimes: readonly number[],
  labelEnds: readonly number[],
  options: WalkForwardOptions = {},
): Fold[] {
  const n = decisionTimes.length;
  if (labelEnds.length !== n)
    throw new QuantInputError('LENGTH_MISMATCH', 'labelEnds', `${labelEnds.length} label ends for ${n} rows`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(decisionTimes[i]) || !Number.isFinite(labelEnds[i]))
      throw new QuantInputError('NON_FINITE', 'decisionTimes', 'not finite', i);
    if ((labelEnds[i] as number) < (decisionTimes[i] as number))
      throw new QuantInputError(
        'INVALID_PARAMETER',
        'labelEnds',
        'a label cannot end before its decision',
        i,
      );
    if (i > 0 && (decisionTimes[i] as number) < (decisionTimes[i - 1] as number))
      throw new QuantInputError('INVALID_PARAMETER', 'decisionTimes', 'must be in time order', i);
  }
  const folds = options.folds ?? 5;
  const embargo = options.embargo ?? 0;
  const minTrain = options.minTrain ?? Math.floor(n * 0.2);
  if (!Number.isInteger(folds) || folds < 1)
    throw new QuantInputError('INVALID_PARAMETER', 'folds', 'must be an integer >= 1');
  if (!Number.isInteger(embargo) || embargo < 0)
    throw new QuantInputError('INVALID_PARAMETER', 'embargo', 'must be an integer >= 0');
  if (!Number.isInteger(minTrain) || minTrain < 1)
    throw new QuantInputError('INVALID_PARAMETER', 'minTrain', 'must be an integer >= 1');
  const remaining = n - minTrain;
  if (remaining < folds)
    throw new QuantInputError(
      'INSUFFICIENT_DATA',
      'rows',
      `${n} rows cannot give ${folds} folds after ${minTrain} training rows`,
    );
  const out: Fold[] = [];
  for (let f = 0; f < folds; f++) {
    const start = minTrain + Math.floor((f * remaining) / folds);
    const end = minTrain + Math.floor(((f + 1) * remaining) / folds);
    const firstDecision = decisionTimes[start] as number;
    const eligible: number[] = [];
    let purged = 0;
    for (let j = 0; j < start; j++) {
      if ((labelEnds[j] as number) < firstDecision) eligible.push(j);
      else purged++;
    }
    const embargoed = Math.min(embargo, eligible.length);
    let train = eligible.slice(0, eligible.length - embargoed);
    if (options.maxTrain !== undefined && train.length > options.maxTrain)
      train = train.slice(train.length - options.maxTrain);
    const validation: number[] = [];
    for (let v = start; v < end; v++) validation.push(v);
    out.push({ index: f, train, validation, purged, embargoed });
  }
  return out;
}
