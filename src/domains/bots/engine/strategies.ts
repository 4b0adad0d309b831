import { z } from '@hono/zod-openapi';
import { bollinger, macd, rsi, sma } from '../../../quant';
import { type FeatureName, type FittedModel, featureMatrix } from '../../../quant/learn';

/**
 * Strategies: pure functions over closed bars, the same code for live bots and backtests.
 * Every indicator is causal (its value at bar i uses bars 0..i only), so computing it over
 * a backtest's whole series and reading bar i equals computing it on the bars up to i, as a
 * live bot does on the closed candles it has.
 */

export const STRATEGIES = [
  'momentum',
  'mean_reversion',
  'sma_crossover',
  'grid',
  'dca',
  'ml_adaptive',
] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export const INDICATOR_NAMES = ['RSI', 'MACD', 'BollingerBands', 'SMA'] as const;
export type IndicatorName = (typeof INDICATOR_NAMES)[number];

export interface Bar {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** How much an order trades. `all`: every unit held (sell) or the sizing rule's amount (buy). */
export type OrderSize =
  | { kind: 'all' }
  | { kind: 'quote'; value: number }
  | { kind: 'targetFraction'; value: number };

export interface Decision {
  action: 'buy' | 'sell' | 'hold';
  size: OrderSize;
  reason: string;
}

/** What a strategy may know about the account when it decides. */
export interface PositionView {
  qty: number;
  cash: number;
  equity: number;
}

export interface PreparedStrategy {
  /** Index of the first bar the strategy can decide on (its indicators' warm-up). */
  warmup: number;
  /** The decision at the close of bar i (bars 0..i closed). */
  decide(i: number, position: PositionView): Decision;
}

const hold = (reason: string): Decision => ({ action: 'hold', size: { kind: 'all' }, reason });
const int = (min: number, max: number, def: number) => z.number().int().min(min).max(max).default(def);

export const StrategyParams = {
  momentum: z
    .object({
      fast: int(2, 100, 12),
      slow: int(3, 200, 26),
      signal: int(1, 50, 9),
      rsiPeriod: int(2, 100, 14),
      rsiOverbought: z.number().min(50).max(100).default(70),
    })
    .strict()
    .refine((p) => p.fast < p.slow, { message: 'fast must be below slow', path: ['fast'] }),
  mean_reversion: z
    .object({
      rsiPeriod: int(2, 100, 14),
      oversold: z.number().min(0).max(50).default(30),
      overbought: z.number().min(50).max(100).default(70),
      bbPeriod: int(2, 200, 20),
      bbStdDev: z.number().gt(0).max(5).default(2),
    })
    .strict(),
  sma_crossover: z
    .object({ fast: int(1, 200, 10), slow: int(2, 400, 30) })
    .strict()
    .refine((p) => p.fast < p.slow, { message: 'fast must be below slow', path: ['fast'] }),
  grid: z
    .object({
      lower: z.number().positive(),
      upper: z.number().positive(),
      levels: int(2, 100, 10),
    })
    .strict()
    .refine((p) => p.lower < p.upper, { message: 'lower must be below upper', path: ['lower'] }),
  dca: z
    .object({
      amount: z.number().positive().max(1e9).default(100),
      intervalBars: int(1, 1000, 7),
    })
    .strict(),
  ml_adaptive: z
    .object({
      /** A trained model of the registry; without it, the first active one trained on the pair's asset. */
      modelId: z.string().max(64).optional(),
      buyAbove: z.number().gt(0.5).lt(1).default(0.55),
      sellBelow: z.number().gt(0).lt(0.5).default(0.45),
    })
    .strict(),
} as const;

export type ParamsOf<S extends StrategyName> = z.infer<(typeof StrategyParams)[S]>;

/** Which of the named indicators each strategy can use (`indicators` picks among them). */
export const STRATEGY_INDICATORS: Record<StrategyName, readonly IndicatorName[]> = {
  momentum: ['MACD', 'RSI'],
  mean_reversion: ['RSI', 'BollingerBands'],
  sma_crossover: ['SMA'],
  grid: [],
  dca: [],
  ml_adaptive: [],
};

/** A strategy that cannot run: the message names what is missing. */
export class StrategyError extends Error {
  constructor(
    readonly code: 'INVALID_PARAMETERS' | 'MODEL_NOT_FOUND',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'StrategyError';
  }
}

export interface StrategySpec {
  strategy: StrategyName;
  parameters?: Record<string, unknown> | undefined;
  indicators?: readonly string[] | undefined;
}

/**
 * A trained model from the registry for `ml_adaptive`: its features (computed per bar from bars
 * up to it) and the fitted learner giving P(close higher after the model's horizon).
 */
export interface StrategyModel {
  id: string;
  artifactHash: string;
  features: readonly FeatureName[];
  fitted: Pick<FittedModel, 'predictProba'>;
}

export interface ResolvedStrategy {
  strategy: StrategyName;
  parameters: Record<string, unknown>;
  /** The indicators the strategy uses: those asked for among the ones it knows, or all of them. */
  indicators: IndicatorName[];
}

/**
 * Validates a strategy's parameters (defaults filled) and indicators. Throws StrategyError
 * naming the field: unknown parameters, values out of range, an indicator the strategy cannot
 * use. (`ml_adaptive`'s model is looked up in the registry by the caller: `StrategyModel`.)
 */
export function resolveStrategy(spec: StrategySpec): ResolvedStrategy {
  const schema = StrategyParams[spec.strategy];
  const parsed = schema.safeParse(spec.parameters ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['parameters', ...(issue?.path ?? []).map(String)].join('.');
    throw new StrategyError('INVALID_PARAMETERS', `${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  const known = STRATEGY_INDICATORS[spec.strategy];
  const asked = spec.indicators ?? [];
  const unknown = asked.filter((x) => !(INDICATOR_NAMES as readonly string[]).includes(x));
  if (unknown.length) {
    throw new StrategyError(
      'INVALID_PARAMETERS',
      `indicators: unknown ${unknown.join(', ')} (known: ${INDICATOR_NAMES.join(', ')})`,
      'indicators',
    );
  }
  // Indicators the strategy does not use are accepted and ignored only if it uses some of the
  // asked ones; asking a momentum bot for Bollinger Bands alone would silently do nothing.
  const used = known.filter((x) => asked.includes(x));
  if (asked.length && known.length && used.length === 0) {
    throw new StrategyError(
      'INVALID_PARAMETERS',
      `indicators: ${spec.strategy} uses ${known.join(' and/or ')}, none of ${asked.join(', ')}`,
      'indicators',
    );
  }
  return {
    strategy: spec.strategy,
    parameters: parsed.data as Record<string, unknown>,
    indicators: used.length ? used : [...known],
  };
}

const up = (a: Float64Array, b: Float64Array, i: number) =>
  i > 0 && (a[i - 1] as number) < (b[i - 1] as number) && (a[i] as number) > (b[i] as number);
const down = (a: Float64Array, b: Float64Array, i: number) =>
  i > 0 && (a[i - 1] as number) > (b[i - 1] as number) && (a[i] as number) < (b[i] as number);

/**
 * Prepares a resolved strategy over closed bars. Rules (long only):
 * - momentum (MACD/RSI confluence): bullish when the MACD line is above its signal AND RSI is
 *   in (50, `rsiOverbought`); buy on the bar the confluence begins (bullish now, not on the
 *   previous bar); sell when the MACD line is below its signal or RSI reaches `rsiOverbought`.
 *   With one indicator only, its half of each rule.
 * - mean_reversion: buy when the close is below the lower Bollinger band and RSI below
 *   `oversold`; sell when the close reaches the middle band or RSI rises above `overbought`.
 * - sma_crossover: buy when SMA(fast) crosses above SMA(slow) (strictly below on the previous
 *   bar, strictly above now), sell on the opposite cross.
 * - grid: target holding = (upper - close)/(upper - lower) of equity, clamped to [0, 1] and
 *   rounded down to the grid's `levels`; rebalances whenever the target level changes.
 * - ml_adaptive: the registry model's probability that the close is higher after its horizon,
 *   from its features at bar i (bars 0..i): buy when flat and p >= `buyAbove`, sell when
 *   holding and p <= `sellBelow`. Without a model it throws MODEL_NOT_FOUND.
 * - dca: buys `amount` (quote currency) on every bar whose number since the epoch
 *   (openTime / timeframe) is a multiple of `intervalBars`, so a live bot and a backtest buy on
 *   the same bars; it exits through stop-loss/take-profit only.
 */
export function prepareStrategy(
  resolved: ResolvedStrategy,
  bars: readonly Bar[],
  timeframeMs: number,
  model?: StrategyModel,
): PreparedStrategy {
  const close = Float64Array.from(bars, (b) => b.close);
  const uses = (x: IndicatorName) => resolved.indicators.includes(x);
  switch (resolved.strategy) {
    case 'momentum': {
      const p = resolved.parameters as ParamsOf<'momentum'>;
      const m = macd(close, { fast: p.fast, slow: p.slow, signal: p.signal });
      const r = rsi(close, p.rsiPeriod);
      const warmup = Math.max(uses('MACD') ? p.slow + p.signal - 1 : 0, uses('RSI') ? p.rsiPeriod : 0);
      return {
        warmup,
        decide(i, pos) {
          const rv = r[i] as number;
          const bull = (j: number) =>
            j >= warmup &&
            (!uses('MACD') || (m.macd[j] as number) > (m.signal[j] as number)) &&
            (!uses('RSI') || ((r[j] as number) > 50 && (r[j] as number) < p.rsiOverbought));
          const macdDown = uses('MACD') && (m.macd[i] as number) < (m.signal[i] as number);
          const rsiHot = uses('RSI') && rv >= p.rsiOverbought;
          if (pos.qty > 0 && (macdDown || rsiHot))
            return {
              action: 'sell',
              size: { kind: 'all' },
              reason: macdDown ? 'MACD below its signal' : `RSI ${rv.toFixed(2)} >= ${p.rsiOverbought}`,
            };
          if (pos.qty === 0 && bull(i) && !bull(i - 1))
            return {
              action: 'buy',
              size: { kind: 'all' },
              reason: `confluence: ${resolved.indicators.join(' + ')} bullish, RSI ${rv.toFixed(2)}`,
            };
          return hold('no confluence');
        },
      };
    }
    case 'mean_reversion': {
      const p = resolved.parameters as ParamsOf<'mean_reversion'>;
      const r = rsi(close, p.rsiPeriod);
      const bb = bollinger(close, { period: p.bbPeriod, multiplier: p.bbStdDev });
      const warmup = Math.max(uses('RSI') ? p.rsiPeriod : 0, uses('BollingerBands') ? p.bbPeriod - 1 : 0);
      return {
        warmup,
        decide(i, pos) {
          const c = close[i] as number;
          const rv = r[i] as number;
          const cheap =
            (uses('BollingerBands') ? c < (bb.lower[i] as number) : true) &&
            (uses('RSI') ? rv < p.oversold : true);
          const back =
            (uses('BollingerBands') && c >= (bb.middle[i] as number)) || (uses('RSI') && rv > p.overbought);
          if (pos.qty > 0 && back)
            return { action: 'sell', size: { kind: 'all' }, reason: 'reverted to the mean' };
          if (pos.qty === 0 && cheap)
            return { action: 'buy', size: { kind: 'all' }, reason: 'stretched below the mean' };
          return hold('inside the bands');
        },
      };
    }
    case 'sma_crossover': {
      const p = resolved.parameters as ParamsOf<'sma_crossover'>;
      const f = sma(close, p.fast);
      const s = sma(close, p.slow);
      return {
        // The first cross needs both averages on the previous bar too.
        warmup: p.slow,
        decide(i, pos) {
          if (pos.qty === 0 && up(f, s, i))
            return {
              action: 'buy',
              size: { kind: 'all' },
              reason: `SMA${p.fast} crossed above SMA${p.slow}`,
            };
          if (pos.qty > 0 && down(f, s, i))
            return {
              action: 'sell',
              size: { kind: 'all' },
              reason: `SMA${p.fast} crossed below SMA${p.slow}`,
            };
          return hold('no cross');
        },
      };
    }
    case 'grid': {
      const p = resolved.parameters as ParamsOf<'grid'>;
      const level = (c: number) =>
        Math.floor(Math.min(1, Math.max(0, (p.upper - c) / (p.upper - p.lower))) * p.levels);
      return {
        warmup: 0,
        decide(i, pos) {
          const c = close[i] as number;
          const target = level(c) / p.levels;
          const held = pos.equity > 0 ? (pos.qty * c) / pos.equity : 0;
          // Rebalance only when a grid line is crossed: the holding sits in another level.
          const heldLevel = Math.round(held * p.levels);
          if (heldLevel === level(c)) return hold(`at grid level ${level(c)}/${p.levels}`);
          return {
            action: target > held ? 'buy' : 'sell',
            size: { kind: 'targetFraction', value: target },
            reason: `grid level ${level(c)}/${p.levels}: hold ${(target * 100).toFixed(1)}% of equity`,
          };
        },
      };
    }
    case 'dca': {
      const p = resolved.parameters as ParamsOf<'dca'>;
      return {
        warmup: 0,
        decide(i) {
          const n = Math.round((bars[i]?.openTime ?? 0) / timeframeMs);
          if (n % p.intervalBars !== 0) return hold('between purchases');
          return {
            action: 'buy',
            size: { kind: 'quote', value: p.amount },
            reason: `scheduled purchase of ${p.amount}`,
          };
        },
      };
    }
    case 'ml_adaptive': {
      const p = resolved.parameters as ParamsOf<'ml_adaptive'>;
      if (!model)
        throw new StrategyError(
          'MODEL_NOT_FOUND',
          `Strategy ml_adaptive needs a trained model${p.modelId ? ` (${p.modelId})` : ''}; none was given`,
          'parameters.modelId',
        );
      // One pass over the series: each row uses bars up to its own (features are causal), so
      // reading bar i equals computing on bars 0..i as a live bot does.
      const { rows, index } = featureMatrix(
        bars.map((b) => ({
          time: b.openTime,
          open: b.open,
          high: b.high,
          low: b.low,
          close: b.close,
          volume: b.volume,
        })),
        model.features,
      );
      const prob = new Float64Array(bars.length).fill(Number.NaN);
      const out = rows.length ? model.fitted.predictProba(rows) : [];
      index.forEach((bar, k) => {
        prob[bar] = out[k] as number;
      });
      return {
        warmup: index[0] ?? bars.length,
        decide(i, pos) {
          const pu = prob[i] as number;
          if (Number.isNaN(pu)) return hold('no model reading for this bar');
          const said = `model ${model.id} P(up) ${pu.toFixed(3)}`;
          if (pos.qty === 0 && pu >= p.buyAbove)
            return { action: 'buy', size: { kind: 'all' }, reason: `${said} >= ${p.buyAbove}` };
          if (pos.qty > 0 && pu <= p.sellBelow)
            return { action: 'sell', size: { kind: 'all' }, reason: `${said} <= ${p.sellBelow}` };
          return hold(said);
        },
      };
    }
  }
}
