import {
  cci as tiCci,
  macd as tiMacd,
  roc as tiRoc,
  rsi as tiRsi,
  stochastic as tiStochastic,
} from 'technicalindicators';
import { CCI as TsCCI, RSI as TsRSI, StochasticOscillator as TsStoch } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { cci, macd, QuantInputError, roc, rsi, stochastic, toSeries } from '../../src/quant';
import { candles, expectSeriesClose, firstValid, padFront, randomWalk } from './fixtures';

const closes = randomWalk(7, 1000);
const bars = candles(11, 600);

describe('rsi (Wilder, TA-Lib)', () => {
  // StockCharts' published RSI(14) worked example (the table every RSI tutorial uses).
  const stockCharts = [
    44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931,
    46.0328, 45.614, 46.282, 46.282, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521, 45.7137,
    46.4515, 45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205, 42.6628, 43.1314,
  ];
  const published = [
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87,
    45.46, 37.3, 33.08, 37.77,
  ];

  it('reproduces the StockCharts worked example (published to 2 decimals), first value at index 14', () => {
    const out = rsi(stockCharts, 14);
    expect(firstValid(out)).toBe(14);
    published.forEach((p, j) => {
      expect(out[14 + j]).toBeCloseTo(p, 2);
    });
  });

  it('hand-computed: first average gain/loss is the plain mean of the first n changes', () => {
    // n = 2: changes +1, -2 → avgGain 0.5, avgLoss 1 → 100·0.5/1.5.
    // next change +3: gain (0.5·1 + 3)/2 = 1.75, loss (1·1 + 0)/2 = 0.5 → 100·1.75/2.25.
    const out = rsi([10, 11, 9, 12], 2);
    expect(toSeries(out).slice(0, 2)).toEqual([null, null]);
    expect(out[2]).toBeCloseTo(100 / 3, 12);
    expect(out[3]).toBeCloseTo((100 * 1.75) / 2.25, 12);
  });

  it('matches trading-signals RSI (SMA-seeded Wilder smoothing, same as TA-Lib) to 1e-9', () => {
    const ts = new TsRSI(14);
    expectSeriesClose(
      rsi(closes, 14),
      Array.from(closes, (c) => ts.add(c) ?? Number.NaN),
      1e-9,
    );
  });

  it('matches technicalindicators RSI, which rounds its output to 2 decimals', () => {
    const ti = padFront(tiRsi({ period: 14, values: Array.from(closes) }), closes.length);
    expectSeriesClose(rsi(closes, 14), ti, 0.0051, false);
  });

  it('constant series gives 0 (TA-Lib: zero gain and loss → 0); all-rising gives 100', () => {
    const flat = rsi(new Float64Array(30).fill(5), 14);
    for (let i = 14; i < 30; i++) expect(flat[i]).toBe(0);
    const up = rsi(
      Array.from({ length: 30 }, (_, i) => 100 + i),
      14,
    );
    expect(up[29]).toBe(100);
  });

  it('edge cases: empty, too short, bad period, NaN', () => {
    expect(rsi([], 14).length).toBe(0);
    expect(toSeries(rsi([1, 2, 3], 14))).toEqual([null, null, null]);
    // Exactly n points: still no change count of n → all warm-up.
    expect(firstValid(rsi(closes.subarray(0, 14), 14))).toBe(-1);
    expect(() => rsi(closes, 1)).toThrow(QuantInputError);
    expect(() => rsi([1, Number.NaN, 2], 2)).toThrow(QuantInputError);
  });
});

/** MACD written from the TA-Lib description, independently of the library code. */
function naiveMacd(x: ArrayLike<number>, fast: number, slow: number, signal: number) {
  const n = x.length;
  const emaFrom = (vals: number[], period: number, seedEnd: number): number[] => {
    const out = new Array<number>(vals.length).fill(Number.NaN);
    let seed = 0;
    for (let j = seedEnd - period + 1; j <= seedEnd; j++) seed += vals[j] as number;
    out[seedEnd] = seed / period;
    for (let j = seedEnd + 1; j < vals.length; j++) {
      out[j] = (out[j - 1] as number) + (2 / (period + 1)) * ((vals[j] as number) - (out[j - 1] as number));
    }
    return out;
  };
  const arr = Array.from(x);
  const f = emaFrom(arr, fast, slow - 1);
  const s = emaFrom(arr, slow, slow - 1);
  const line = arr.map((_, i) => (i >= slow - 1 ? (f[i] as number) - (s[i] as number) : Number.NaN));
  const sig = emaFrom(line, signal, slow - 1 + signal - 1);
  const start = slow - 1 + signal - 1;
  return {
    macd: line.map((v, i) => (i >= start ? v : Number.NaN)),
    signal: sig.map((v, i) => (i >= start ? v : Number.NaN)),
    start: Math.min(start, n),
  };
}

describe('macd (TA-Lib TA_MACD)', () => {
  it('hand-computed (2, 3, 2) on 1, 2, 4, 8, 16: fast EMA seeded on the slow seed bar', () => {
    const out = macd([1, 2, 4, 8, 16], { fast: 2, slow: 3, signal: 2 });
    expect(toSeries(out.macd).slice(0, 3)).toEqual([null, null, null]);
    expect(out.macd[3]).toBeCloseTo(7 / 6, 13);
    expect(out.signal[3]).toBeCloseTo(11 / 12, 13);
    expect(out.histogram[3]).toBeCloseTo(1 / 4, 13);
    expect(out.macd[4]).toBeCloseTo(79 / 36, 13);
    expect(out.signal[4]).toBeCloseTo(191 / 108, 13);
    expect(out.histogram[4]).toBeCloseTo(23 / 54, 13);
  });

  it('first output at (slow-1)+(signal-1) = 33 for 12/26/9 and matches an independent implementation', () => {
    const out = macd(closes);
    expect(firstValid(out.macd)).toBe(33);
    expect(firstValid(out.signal)).toBe(33);
    expect(firstValid(out.histogram)).toBe(33);
    const ref = naiveMacd(closes, 12, 26, 9);
    expectSeriesClose(out.macd, ref.macd, 1e-10, false);
    expectSeriesClose(out.signal, ref.signal, 1e-10, false);
    for (let i = 33; i < closes.length; i++) {
      expect(out.histogram[i]).toBeCloseTo((out.macd[i] as number) - (out.signal[i] as number), 14);
    }
  });

  it('converges to technicalindicators MACD (EMA mode), whose fast EMA is seeded at bar 11 not 25', () => {
    // technicalindicators seeds the fast EMA with the SMA of x[0..11]; TA-Lib with x[14..25].
    // Everything else is the same, so the seed difference decays as (11/13)^t.
    const ti = tiMacd({
      values: Array.from(closes),
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const tiLine = padFront(
      ti.map((r) => r.MACD ?? Number.NaN),
      closes.length,
    );
    const tiSignal = padFront(
      ti.map((r) => r.signal ?? Number.NaN),
      closes.length,
    );
    const out = macd(closes);
    for (let i = 300; i < closes.length; i++) {
      expect(out.macd[i]).toBeCloseTo(tiLine[i] as number, 9);
      expect(out.signal[i]).toBeCloseTo(tiSignal[i] as number, 9);
    }
  });

  it('a constant series has MACD, signal and histogram 0', () => {
    const out = macd(new Float64Array(60).fill(3.25));
    for (let i = 33; i < 60; i++) {
      expect(out.macd[i]).toBe(0);
      expect(out.signal[i]).toBe(0);
      expect(out.histogram[i]).toBe(0);
    }
  });

  it('edge cases: too short is all warm-up; fast > slow and periods < 2 throw', () => {
    expect(firstValid(macd(closes.subarray(0, 33)).macd)).toBe(-1);
    expect(firstValid(macd(closes.subarray(0, 34)).macd)).toBe(33);
    expect(macd([]).macd.length).toBe(0);
    expect(() => macd(closes, { fast: 30, slow: 26 })).toThrow(QuantInputError);
    expect(() => macd(closes, { fast: 1 })).toThrow(QuantInputError);
    expect(() => macd(closes, { signal: 0 })).toThrow(QuantInputError);
  });
});

/** Stochastic from the definition: fast %K over k bars, then SMA smoothings. */
function naiveStoch(h: Float64Array, l: Float64Array, c: Float64Array, k: number, sk: number, sd: number) {
  const n = c.length;
  const fast = new Array<number>(n).fill(Number.NaN);
  for (let i = k - 1; i < n; i++) {
    let hh = Number.NEGATIVE_INFINITY;
    let ll = Number.POSITIVE_INFINITY;
    for (let j = i - k + 1; j <= i; j++) {
      hh = Math.max(hh, h[j] as number);
      ll = Math.min(ll, l[j] as number);
    }
    fast[i] = hh === ll ? 0 : (100 * ((c[i] as number) - ll)) / (hh - ll);
  }
  const smaOf = (v: number[], p: number) =>
    v.map((_, i) => {
      if (i < p - 1) return Number.NaN;
      let s = 0;
      for (let j = i - p + 1; j <= i; j++) s += v[j] as number;
      return s / p;
    });
  const slowK = smaOf(fast, sk);
  const slowD = smaOf(slowK, sd);
  const start = k - 1 + sk - 1 + sd - 1;
  return { k: slowK.map((v, i) => (i >= start ? v : Number.NaN)), d: slowD };
}

describe('stochastic (TA-Lib STOCH, SMA smoothing)', () => {
  it('defaults 5/3/3: both lines from index 8, matching the definition', () => {
    const out = stochastic(bars.high, bars.low, bars.close);
    expect(firstValid(out.k)).toBe(8);
    expect(firstValid(out.d)).toBe(8);
    const ref = naiveStoch(bars.high, bars.low, bars.close, 5, 3, 3);
    expectSeriesClose(out.k, ref.k, 1e-10);
    expectSeriesClose(out.d, ref.d, 1e-10);
  });

  it('matches trading-signals StochasticOscillator (same SMA smoothing and alignment)', () => {
    const ts = new TsStoch({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 });
    const kOut: number[] = [];
    const dOut: number[] = [];
    for (let i = 0; i < bars.close.length; i++) {
      const r = ts.add({
        high: bars.high[i] as number,
        low: bars.low[i] as number,
        close: bars.close[i] as number,
      });
      kOut.push(r?.stochK ?? Number.NaN);
      dOut.push(r?.stochD ?? Number.NaN);
    }
    const out = stochastic(bars.high, bars.low, bars.close, { fastK: 14, slowK: 3, slowD: 3 });
    expectSeriesClose(out.k, kOut, 1e-9);
    expectSeriesClose(out.d, dOut, 1e-9);
  });

  it('matches technicalindicators Stochastic (its %K is the fast %K: our slowK = 1)', () => {
    // technicalindicators emits %K from index period-1 and %D two bars later; TA-Lib emits both
    // from the first bar with a %D, so compare from there.
    const ti = tiStochastic({
      high: Array.from(bars.high),
      low: Array.from(bars.low),
      close: Array.from(bars.close),
      period: 14,
      signalPeriod: 3,
    });
    const out = stochastic(bars.high, bars.low, bars.close, { fastK: 14, slowK: 1, slowD: 3 });
    const tiK = padFront(
      ti.map((r) => r.k),
      bars.close.length,
    );
    const tiD = padFront(
      ti.map((r) => r.d ?? Number.NaN),
      bars.close.length,
    );
    for (let i = 15; i < bars.close.length; i++) {
      expect(out.k[i]).toBeCloseTo(tiK[i] as number, 9);
      expect(out.d[i]).toBeCloseTo(tiD[i] as number, 9);
    }
  });

  it('flat range (HH = LL) gives 0 as TA-Lib; fewer bars than the look-back is all warm-up', () => {
    const flat = new Float64Array(20).fill(10);
    const out = stochastic(flat, flat, flat);
    for (let i = 8; i < 20; i++) expect(out.k[i]).toBe(0);
    expect(firstValid(stochastic([1, 2], [0, 1], [1, 1]).k)).toBe(-1);
  });

  it('rejects mismatched lengths and bad periods', () => {
    expect(() => stochastic([1, 2], [1], [1, 2])).toThrow(QuantInputError);
    expect(() => stochastic(bars.high, bars.low, bars.close, { fastK: 0 })).toThrow(QuantInputError);
  });
});

describe('roc (TA-Lib ROC)', () => {
  it('is 100·(x/x[-n] - 1), first at index n', () => {
    const one = roc([100, 110, 99, 121], 1);
    expect(Number.isNaN(one[0] as number)).toBe(true);
    expect(one[1]).toBeCloseTo(10, 12);
    expect(one[2]).toBeCloseTo(-10, 12);
    expect(one[3]).toBeCloseTo(22.2222222222, 9);
    const out = roc([50, 0, 60, 75], 2);
    expect(out[2]).toBeCloseTo(20, 12);
    expect(out[3]).toBe(0); // previous price 0 → 0, as TA-Lib
  });

  it('matches technicalindicators ROC', () => {
    const ti = padFront(tiRoc({ period: 10, values: Array.from(closes) }), closes.length);
    expectSeriesClose(roc(closes, 10), ti, 1e-10);
  });
});

describe('cci (TA-Lib CCI)', () => {
  it('matches technicalindicators and trading-signals (same definition, first value at n-1)', () => {
    const out = cci(bars.high, bars.low, bars.close, 20);
    expect(firstValid(out)).toBe(19);
    const ti = padFront(
      tiCci({
        high: Array.from(bars.high),
        low: Array.from(bars.low),
        close: Array.from(bars.close),
        period: 20,
      }),
      bars.close.length,
    );
    expectSeriesClose(out, ti, 1e-9);
    const ts = new TsCCI(20);
    const tsOut = Array.from(
      bars.close,
      (c, i) => ts.add({ high: bars.high[i] as number, low: bars.low[i] as number, close: c }) ?? Number.NaN,
    );
    expectSeriesClose(out, tsOut, 1e-9);
  });

  it('hand-computed on 3 bars and 0 for a flat window at any price scale', () => {
    // TP = 1, 2, 3 (H = L = C): SMA 2, MAD 2/3, CCI = (3-2)/(0.015·2/3) = 100.
    const tp = [1, 2, 3];
    expect(cci(tp, tp, tp, 3)[2]).toBeCloseTo(100, 10);
    const flat = new Float64Array(10).fill(0.1);
    const out = cci(flat, flat, flat, 3);
    for (let i = 2; i < 10; i++) expect(out[i]).toBe(0);
    const tiny = new Float64Array(10).fill(3e-9);
    expect(cci(tiny, tiny, tiny, 3)[9]).toBe(0);
  });
});
