import { QuantInputError } from './errors';

/** A numeric series: a plain array or any typed array. */
export type Series = ArrayLike<number>;

// Library-internal checks. Every public function validates its inputs up front so the hot
// loops can index without re-checking (hence the `as number` reads in the loops: the index
// is always inside [0, length)).

/** Throws NON_FINITE on the first NaN or ±Infinity. `v - v` is 0 only for finite v. */
export function assertFinite(field: string, values: Series): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v - v !== 0) {
      throw new QuantInputError('NON_FINITE', field, `value at index ${i} is not a finite number`, i);
    }
  }
}

/** Throws NON_FINITE unless `value` is a finite number. */
export function assertFiniteNumber(field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new QuantInputError('NON_FINITE', field, 'must be a finite number');
  }
}

/** Throws INVALID_PARAMETER unless `period` is an integer >= min. */
export function assertPeriod(field: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min) {
    throw new QuantInputError('INVALID_PARAMETER', field, `must be an integer >= ${min}, got ${period}`);
  }
}

/** Throws INVALID_PARAMETER unless 0 < confidence < 1. */
export function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new QuantInputError('INVALID_PARAMETER', 'confidence', `must be in (0, 1), got ${confidence}`);
  }
}

/** Throws INVALID_PARAMETER unless `value` is a finite number > 0. */
export function assertPositive(field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new QuantInputError('INVALID_PARAMETER', field, `must be a finite number > 0, got ${value}`);
  }
}

/** Throws LENGTH_MISMATCH unless every series has the length of the first. */
export function assertSameLength(fields: Record<string, Series>): number {
  let n = -1;
  let first = '';
  for (const [name, s] of Object.entries(fields)) {
    if (n < 0) {
      n = s.length;
      first = name;
    } else if (s.length !== n) {
      throw new QuantInputError(
        'LENGTH_MISMATCH',
        name,
        `has length ${s.length}, expected ${n} (the length of ${first})`,
      );
    }
  }
  return Math.max(n, 0);
}

/** Validates OHLC-style inputs (finite, equal length) and returns their common length. */
export function assertCandles(fields: Record<string, Series>): number {
  const n = assertSameLength(fields);
  for (const [name, s] of Object.entries(fields)) assertFinite(name, s);
  return n;
}

/** Throws NON_POSITIVE_PRICE on the first price <= 0 (returns need positive prices). */
export function assertPositivePrices(field: string, values: Series): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    if (!((values[i] as number) > 0)) {
      throw new QuantInputError('NON_POSITIVE_PRICE', field, `price at index ${i} is not > 0`, i);
    }
  }
}

/** A Float64Array of length n filled with NaN (the warm-up marker). */
export function nanArray(n: number): Float64Array {
  const out = new Float64Array(n);
  out.fill(Number.NaN);
  return out;
}
