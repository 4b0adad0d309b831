import { expect } from 'vitest';

/** mulberry32: a small seeded PRNG so every run sees the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller) from a seeded PRNG. */
export function normals(seed: number, n: number): Float64Array {
  const rand = prng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-300);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** A geometric random walk of closes starting at 100. */
export function randomWalk(seed: number, n: number, vol = 0.02): Float64Array {
  const z = normals(seed, n);
  const out = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    p *= Math.exp(vol * (z[i] as number));
    out[i] = p;
  }
  return out;
}

export interface Candles {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** OHLC-consistent candles around a random walk (high >= open/close >= low). */
export function candles(seed: number, n: number): Candles {
  const close = randomWalk(seed, n);
  const rand = prng(seed + 1);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = close[i] as number;
    const o = i > 0 ? (close[i - 1] as number) : c;
    high[i] = Math.max(o, c) * (1 + 0.01 * rand());
    low[i] = Math.min(o, c) * (1 - 0.01 * rand());
    volume[i] = Math.round(1000 + 9000 * rand());
  }
  return { high, low, close, volume };
}

/** Asserts two series agree element-wise: NaN where expected is NaN, else within tol. */
export function expectSeriesClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol = 1e-9,
  relative = true,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`index ${i}: expected NaN (warm-up), got ${a}`);
      continue;
    }
    const bound = relative ? tol * Math.max(1, Math.abs(e)) : tol;
    if (!(Math.abs(a - e) <= bound)) throw new Error(`index ${i}: expected ${e}, got ${a}`);
  }
}

/** Index of the first non-NaN value (the end of the warm-up), or -1. */
export function firstValid(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] as number)) return i;
  return -1;
}

/** Pads an oracle's shorter output (which omits warm-up) with leading NaN to length n. */
export function padFront(values: readonly number[], n: number): Float64Array {
  const out = new Float64Array(n).fill(Number.NaN);
  out.set(values, n - values.length);
  return out;
}
