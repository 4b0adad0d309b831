import { ApiError } from '../../../core/errors';
import { D, type Dec } from '../ledger';
import { assetIdFor, normalizeSymbol } from './ledger';
import { CURRENCIES, fxAssetId, pricesFor } from './valuation';

export interface ConvertedFee {
  /** The fee in the portfolio's currency, as a decimal string (8 places at most). */
  fees: string;
  /** Portfolio-currency units per unit of the fee's currency. */
  rate: string;
  /** Day of the closes used (on or before the trade's day). */
  priced_on: string;
  note: string;
}

const isFiat = (c: string) => Object.hasOwn(CURRENCIES, c);

/**
 * A fee paid in another currency (a fiat currency, or a catalog asset such as BNB or ETH) in the
 * portfolio's currency at the market price of the moment: the daily close on or before the
 * trade's day of the fee currency and of the portfolio currency's FX series, both in USD. Never
 * reads a close after the trade's day; a missing close is a 400 naming what is missing.
 */
export async function convertFee(
  env: Env,
  input: { amount: string; currency: string; base: string; day: string; userId: string },
): Promise<ConvertedFee> {
  const currency = normalizeSymbol(input.currency);
  const base = input.base.toUpperCase();
  if (currency === base) {
    return { fees: input.amount, rate: '1', priced_on: input.day, note: '' };
  }
  const feeAsset = isFiat(currency) ? fxAssetId(currency) : await assetIdFor(env, currency, input.userId);
  if (!isFiat(currency) && !feeAsset) {
    throw new ApiError(
      'VALIDATION_ERROR',
      `fee_currency ${input.currency} is neither a currency nor a catalog asset`,
      {
        details: { field: 'fee_currency' },
      },
    );
  }
  const baseFx = fxAssetId(base);
  const ids = [feeAsset, baseFx].filter((x): x is string => x !== null);
  const prices = await pricesFor(env, ids, input.day);
  const usdPer = (c: string, id: string | null): Dec | null => {
    if (id === null) return new D(1); // USD
    const p = prices.get(id);
    if (!p) return null;
    const spec = isFiat(c) ? CURRENCIES[c as keyof typeof CURRENCIES] : null;
    // JPY's series is units per USD; every other price is USD per unit.
    return spec && !spec.usdPerUnit ? new D(1).div(p.price) : new D(p.price);
  };
  const feeUsd = usdPer(currency, feeAsset);
  const baseUsd = usdPer(base, baseFx);
  if (feeUsd === null || baseUsd === null) {
    const missing = feeUsd === null ? currency : base;
    throw new ApiError(
      'VALIDATION_ERROR',
      `No stored price of ${missing} on or before ${input.day} to convert the fee`,
      {
        details: { field: 'fee_currency' },
        suggestion: 'Give the fee in the portfolio currency, or backfill the price series.',
      },
    );
  }
  const rate = feeUsd.div(baseUsd);
  const fees = new D(input.amount).times(rate).toDecimalPlaces(8);
  const pricedOn = [...prices.values()].reduce((m, p) => Math.max(m, p.at), 0);
  const on = pricedOn > 0 ? new Date(pricedOn).toISOString().slice(0, 10) : input.day;
  return {
    fees: fees.toFixed(),
    rate: rate.toDecimalPlaces(10).toFixed(),
    priced_on: on,
    note: `fee ${input.amount} ${currency} at ${rate.toDecimalPlaces(10).toFixed()} ${base}/${currency} (close of ${on})`,
  };
}
