/** Why an input was rejected. */
export type QuantInputErrorCode =
  | 'NON_FINITE'
  | 'INVALID_PARAMETER'
  | 'LENGTH_MISMATCH'
  | 'INSUFFICIENT_DATA'
  | 'NON_POSITIVE_PRICE'
  | 'SINGULAR_MATRIX';

/**
 * The one error the quant library throws for bad input: NaN or ±Infinity in a series, a
 * window below its minimum, series of different lengths, or data a statistic cannot be
 * computed from. Services map it to a 400/422; it never carries user data beyond the
 * offending field name and index.
 */
export class QuantInputError extends Error {
  readonly code: QuantInputErrorCode;
  readonly field: string;
  readonly index: number | undefined;

  constructor(code: QuantInputErrorCode, field: string, message: string, index?: number) {
    super(`${field}: ${message}`);
    this.name = 'QuantInputError';
    this.code = code;
    this.field = field;
    this.index = index;
  }
}
