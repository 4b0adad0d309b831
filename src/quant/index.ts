// Meridian's quant library: pure TypeScript, no Workers imports. Conventions (DESIGN.md,
// Analytics): TA-Lib definitions for indicators, simple returns unless a function says log,
// sample standard deviation (n-1) for risk statistics, the annualization factor always a
// parameter (365 crypto, 252 equities), VaR and ES as positive losses. See README.md.

export { incompleteBeta, logGamma, normCdf, normInv, normPdf, studentTCdf } from './distributions';
export {
  type CloseAdjRow,
  type DerivedDividends,
  type DividendEvent,
  deriveDividends,
  type ReportedRow,
  reportedDividends,
  type TrailingYield,
  trailingDividendYield,
} from './dividends';
export { QuantInputError, type QuantInputErrorCode } from './errors';
export {
  cci,
  type MacdOptions,
  type MacdResult,
  macd,
  roc,
  rsi,
  type StochasticOptions,
  stochastic,
} from './momentum';
export { ema, sma, wma } from './moving-averages';
export {
  type BsmInput,
  type BsmOptions,
  type BsmResult,
  blackScholes,
  type ImpliedVolInput,
  type ImpliedVolOptions,
  type ImpliedVolResult,
  impliedVolatility,
  type OptionPosition,
  type OptionType,
  type PositionGreeks,
  portfolioGreeks,
  positionGreeks,
} from './options';
export {
  type CashFlow,
  type ConcentrationResult,
  concentration,
  excursions,
  moneyWeightedReturn,
  type Trade,
  type TradeStats,
  type TwrOptions,
  type TwrResult,
  timeWeightedReturn,
  tradeStats,
  type XirrOptions,
  xirr,
} from './performance';
export { type OlsOptions, type OlsResult, ols } from './regression';
export {
  annualizedReturn,
  annualizedVolatility,
  cumulativeReturn,
  logReturns,
  type RollingVolatilityOptions,
  rollingVolatility,
  simpleReturns,
} from './returns';
export {
  type AnnualizationOptions,
  type BetaAlphaResult,
  betaAlpha,
  calmarRatio,
  downsideDeviation,
  drawdownSeries,
  type InformationRatioOptions,
  informationRatio,
  type MaxDrawdownResult,
  maxDrawdown,
  type SharpeOptions,
  type SortinoOptions,
  sharpeRatio,
  sortinoRatio,
  trackingError,
  wealthIndex,
} from './risk';
export { lastValue, rollingMax, rollingMin, toSeries } from './series';
export {
  correlation,
  correlationMatrix,
  covariance,
  covarianceMatrix,
  kurtosis,
  type MomentOptions,
  mean,
  quantile,
  skewness,
  stdDev,
  variance,
} from './stats';
export {
  type PriceLevel,
  type SupportResistanceOptions,
  type SupportResistanceResult,
  type SwingPivot,
  supportResistance,
} from './support-resistance';
export { type AdxResult, adx, type IchimokuOptions, type IchimokuResult, ichimoku } from './trend';
export type { Series } from './validate';
export {
  type ComponentVarOptions,
  type ComponentVarResult,
  type CornishFisherVarOptions,
  type CornishFisherVarResult,
  componentVar,
  cornishFisherVar,
  type HistoricalVarResult,
  historicalVar,
  type ParametricVarOptions,
  type ParametricVarResult,
  parametricVar,
  type StressTestOptions,
  type StressTestResult,
  stressTest,
  type VarEs,
  type VarOptions,
} from './var';
export { atr, type BandsResult, type BollingerOptions, bollinger, donchian, trueRange } from './volatility';
export { obv, type VwapOptions, vwap } from './volume';
export {
  adxWarmup,
  convergenceBars,
  emaWarmup,
  macdWarmup,
  WARMUP_RESIDUAL,
  wilderWarmup,
} from './warmup';
