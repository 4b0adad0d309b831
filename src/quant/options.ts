import { normCdf, normPdf } from './distributions';
import { QuantInputError } from './errors';
import { assertFiniteNumber, assertPositive } from './validate';

export type OptionType = 'call' | 'put';

export interface BsmInput {
  type: OptionType;
  /** Underlying price S > 0. */
  spot: number;
  /** Strike K > 0. */
  strike: number;
  /** Continuously compounded risk-free rate r per year. */
  rate: number;
  /** Volatility σ per √year, >= 0. */
  volatility: number;
  /** Time to expiry T in years, >= 0. */
  time: number;
  /** Continuous dividend (or, for FX/crypto, foreign/borrow) yield q per year, default 0. */
  dividendYield?: number;
}

export interface BsmOptions {
  /** Days per year for thetaPerDay, default 365 (calendar days). */
  daysPerYear?: number;
}

export interface BsmResult {
  price: number;
  /** ∂V/∂S. */
  delta: number;
  /** ∂²V/∂S². */
  gamma: number;
  /** ∂V/∂σ per 1.00 of volatility (divide by 100 for one vol point). */
  vega: number;
  /** ∂V/∂t per year (time passing; usually negative). */
  theta: number;
  /** theta / daysPerYear. */
  thetaPerDay: number;
  /** ∂V/∂r per 1.00 of rate (divide by 100 for one percentage point). */
  rho: number;
  d1: number;
  d2: number;
}

function validate(input: BsmInput): void {
  if (input.type !== 'call' && input.type !== 'put') {
    throw new QuantInputError('INVALID_PARAMETER', 'type', `must be 'call' or 'put'`);
  }
  assertPositive('spot', input.spot);
  assertPositive('strike', input.strike);
  assertFiniteNumber('rate', input.rate);
  assertFiniteNumber('volatility', input.volatility);
  assertFiniteNumber('time', input.time);
  assertFiniteNumber('dividendYield', input.dividendYield ?? 0);
  if (input.volatility < 0) throw new QuantInputError('INVALID_PARAMETER', 'volatility', 'must be >= 0');
  if (input.time < 0) throw new QuantInputError('INVALID_PARAMETER', 'time', 'must be >= 0');
}

/**
 * Black-Scholes-Merton European option price and greeks with a continuous dividend yield q:
 * d1 = (ln(S/K) + (r - q + σ²/2)T)/(σ√T), d2 = d1 - σ√T;
 * call = S·e^{-qT}N(d1) - K·e^{-rT}N(d2), put = K·e^{-rT}N(-d2) - S·e^{-qT}N(-d1);
 * Δ = e^{-qT}N(d1) (call), -e^{-qT}N(-d1) (put); Γ = e^{-qT}φ(d1)/(Sσ√T); vega = S·e^{-qT}φ(d1)√T;
 * Θ = -S·e^{-qT}φ(d1)σ/(2√T) ∓ rK·e^{-rT}N(±d2) ± qS·e^{-qT}N(±d1) (upper sign call), per year;
 * ρ = ±K·T·e^{-rT}N(±d2). When σ√T = 0 (expiry or zero vol) the option is worth its
 * discounted forward intrinsic value, Γ = vega = 0, and Δ/Θ/ρ are those of the forward if
 * strictly in the money, else 0; d1 and d2 are then ±Infinity or NaN.
 */
export function blackScholes(input: BsmInput, options: BsmOptions = {}): BsmResult {
  validate(input);
  const daysPerYear = options.daysPerYear ?? 365;
  assertPositive('daysPerYear', daysPerYear);
  return blackScholesUnchecked(input, daysPerYear);
}

function blackScholesUnchecked(input: BsmInput, daysPerYear: number): BsmResult {
  const { spot: s, strike: k, rate: r, volatility: v, time: t } = input;
  const q = input.dividendYield ?? 0;
  const isCall = input.type === 'call';
  const dq = Math.exp(-q * t);
  const dr = Math.exp(-r * t);
  const sq = v * Math.sqrt(t);
  if (!(sq > 0)) {
    const forwardGap = s * dq - k * dr;
    const itm = isCall ? forwardGap > 0 : forwardGap < 0;
    const sign = isCall ? 1 : -1;
    const price = itm ? sign * forwardGap : 0;
    const theta = itm ? sign * (q * s * dq - r * k * dr) : 0;
    const d1 =
      forwardGap === 0 ? Number.NaN : forwardGap > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return {
      price,
      delta: itm ? sign * dq : 0,
      gamma: 0,
      vega: 0,
      theta,
      thetaPerDay: theta / daysPerYear,
      rho: itm ? sign * k * t * dr : 0,
      d1,
      d2: d1,
    };
  }
  const d1 = (Math.log(s / k) + (r - q + 0.5 * v * v) * t) / sq;
  const d2 = d1 - sq;
  const pdf = normPdf(d1);
  const sdq = s * dq;
  const kdr = k * dr;
  const gamma = (dq * pdf) / (s * sq);
  const vega = sdq * pdf * Math.sqrt(t);
  const decay = -(sdq * pdf * v) / (2 * Math.sqrt(t));
  let price: number;
  let delta: number;
  let theta: number;
  let rho: number;
  if (isCall) {
    const n1 = normCdf(d1);
    const n2 = normCdf(d2);
    price = sdq * n1 - kdr * n2;
    delta = dq * n1;
    theta = decay - r * kdr * n2 + q * sdq * n1;
    rho = k * t * dr * n2;
  } else {
    const n1 = normCdf(-d1);
    const n2 = normCdf(-d2);
    price = kdr * n2 - sdq * n1;
    delta = -dq * n1;
    theta = decay + r * kdr * n2 - q * sdq * n1;
    rho = -k * t * dr * n2;
  }
  return { price, delta, gamma, vega, theta, thetaPerDay: theta / daysPerYear, rho, d1, d2 };
}

export interface ImpliedVolInput extends Omit<BsmInput, 'volatility'> {
  /** Observed option price. */
  price: number;
}

export interface ImpliedVolOptions {
  /** Stop when |model - price| <= tolerance·price (relative to the price), default 1e-12. */
  tolerance?: number;
  /** Default 100. */
  maxIterations?: number;
  /** Upper end of the search, default 20 (2000% vol). */
  maxVolatility?: number;
}

export interface ImpliedVolResult {
  /** The implied volatility, or null when none exists / was not found (see reason). */
  volatility: number | null;
  iterations: number;
  reason?: 'EXPIRED' | 'BELOW_INTRINSIC' | 'AT_INTRINSIC' | 'ABOVE_MAXIMUM' | 'NO_CONVERGENCE';
}

/**
 * Implied volatility by a safeguarded Newton solver: the price is increasing in σ, so each
 * step keeps a bracket [lo, hi]; Newton on ln C (σ -= ln(C(σ)/price)·C/vega) is taken from the
 * Manaster-Koehler start √(2|ln(F/K)|/T) (the inflection point) when it stays inside the
 * bracket, bisection otherwise; it stops when the model price is within `tolerance` of the
 * price, relative to the price, so a tiny out-of-the-money price is inverted as accurately
 * as a large one. Prices outside the no-arbitrage bounds (discounted forward intrinsic,
 * S·e^{-qT} for calls / K·e^{-rT} for puts) have no solution, and a price at the lower
 * bound (within the rounding of the bound itself) has no time value to invert: volatility
 * null with the reason, never 0.
 */
export function impliedVolatility(input: ImpliedVolInput, options: ImpliedVolOptions = {}): ImpliedVolResult {
  validate({ ...input, volatility: 0 });
  assertFiniteNumber('price', input.price);
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 100;
  const maxVol = options.maxVolatility ?? 20;
  assertPositive('tolerance', tolerance);
  assertPositive('maxVolatility', maxVol);
  if (input.time === 0) return { volatility: null, iterations: 0, reason: 'EXPIRED' };
  const q = input.dividendYield ?? 0;
  const t = input.time;
  const sdq = input.spot * Math.exp(-q * t);
  const kdr = input.strike * Math.exp(-input.rate * t);
  const isCall = input.type === 'call';
  const lower = Math.max(isCall ? sdq - kdr : kdr - sdq, 0);
  const upper = isCall ? sdq : kdr;
  const target = input.price;
  // An in-the-money bound is a difference of two discounted amounts: it is only known to a
  // few ulps of the larger. An out-of-the-money bound is exactly 0.
  const boundSlack = lower > 0 ? 4 * Number.EPSILON * Math.max(sdq, kdr) : 0;
  if (target < lower - boundSlack) return { volatility: null, iterations: 0, reason: 'BELOW_INTRINSIC' };
  if (target <= lower + boundSlack) return { volatility: null, iterations: 0, reason: 'AT_INTRINSIC' };
  if (target >= upper) return { volatility: null, iterations: 0, reason: 'ABOVE_MAXIMUM' };
  const tol = tolerance * target;

  const priceAt = (v: number) => blackScholesUnchecked({ ...input, volatility: v }, 365);
  let lo = 0;
  let hi = maxVol;
  if (priceAt(hi).price < target) return { volatility: null, iterations: 1, reason: 'NO_CONVERGENCE' };
  const mk = Math.sqrt((2 * Math.abs(Math.log(sdq / kdr))) / t);
  let v = mk > 1e-3 && mk < hi ? mk : 0.5;
  for (let i = 1; i <= maxIterations; i++) {
    const { price, vega } = priceAt(v);
    const diff = price - target;
    if (Math.abs(diff) <= tol) return { volatility: v, iterations: i };
    if (diff > 0) hi = v;
    else lo = v;
    // Newton on ln C(σ): the same step as on C near the root, but it keeps its quadratic
    // convergence far out of the money, where C falls like e^{-d²/2} and a step on C crawls.
    let next = vega > 0 && price > 0 ? v - (Math.log(price / target) * price) / vega : Number.NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (hi - lo <= 1e-15 * hi) return { volatility: next, iterations: i };
    v = next;
  }
  return { volatility: null, iterations: maxIterations, reason: 'NO_CONVERGENCE' };
}

export interface OptionPosition extends BsmInput {
  /** Number of contracts; negative for short. */
  quantity: number;
  /** Units of underlying per contract, default 1. */
  multiplier?: number;
}

export interface PositionGreeks {
  /** price × quantity × multiplier. */
  value: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  thetaPerDay: number;
  rho: number;
  /** delta × spot: the underlying-equivalent exposure in money. */
  deltaNotional: number;
}

/** Greeks of a position: each per-option greek × quantity × multiplier. */
export function positionGreeks(position: OptionPosition, options: BsmOptions = {}): PositionGreeks {
  assertFiniteNumber('quantity', position.quantity);
  const multiplier = position.multiplier ?? 1;
  assertFiniteNumber('multiplier', multiplier);
  const g = blackScholes(position, options);
  const size = position.quantity * multiplier;
  return {
    value: g.price * size,
    delta: g.delta * size,
    gamma: g.gamma * size,
    vega: g.vega * size,
    theta: g.theta * size,
    thetaPerDay: g.thetaPerDay * size,
    rho: g.rho * size,
    deltaNotional: g.delta * size * position.spot,
  };
}

/**
 * Portfolio greeks: the sum of position greeks (greeks are linear in quantity). Summing
 * delta and gamma across different underlyings is only meaningful per underlying; group
 * positions by underlying first when they differ (deltaNotional and vega add across).
 */
export function portfolioGreeks(
  positions: readonly OptionPosition[],
  options: BsmOptions = {},
): { total: PositionGreeks; positions: PositionGreeks[] } {
  const each = positions.map((p) => positionGreeks(p, options));
  const total: PositionGreeks = {
    value: 0,
    delta: 0,
    gamma: 0,
    vega: 0,
    theta: 0,
    thetaPerDay: 0,
    rho: 0,
    deltaNotional: 0,
  };
  for (const g of each) {
    total.value += g.value;
    total.delta += g.delta;
    total.gamma += g.gamma;
    total.vega += g.vega;
    total.theta += g.theta;
    total.thetaPerDay += g.thetaPerDay;
    total.rho += g.rho;
    total.deltaNotional += g.deltaNotional;
  }
  return { total, positions: each };
}
