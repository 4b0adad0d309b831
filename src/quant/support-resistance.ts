import { QuantInputError } from './errors';
import { assertCandles, assertPeriod, type Series } from './validate';

export interface SwingPivot {
  index: number;
  price: number;
  kind: 'high' | 'low';
}

export interface PriceLevel {
  /** Mean price of the pivots in the cluster. */
  price: number;
  /** Below the last close: support; at or above it: resistance. */
  kind: 'support' | 'resistance';
  /** Number of swing pivots in the cluster (each is one touch). */
  touches: number;
  /** Of which swing highs / swing lows. */
  highTouches: number;
  lowTouches: number;
  /** Lowest and highest pivot price in the cluster. */
  low: number;
  high: number;
  firstIndex: number;
  lastIndex: number;
  /** Recency-weighted touches relative to the strongest level: in (0, 1]. */
  strength: number;
}

export interface SupportResistanceOptions {
  /** Bars on the left a swing high must strictly exceed (a swing low undercut), default 3. */
  left?: number;
  /** Bars on the right it must equal or exceed, default 3. */
  right?: number;
  /** Relative price distance joining a pivot to a cluster: |p - mean|/mean <= tolerance, default 0.01. */
  tolerance?: number;
  /** Drop levels with fewer touches, default 1. */
  minTouches?: number;
  /** Keep at most this many levels (strongest first), default 10. */
  maxLevels?: number;
}

export interface SupportResistanceResult {
  levels: PriceLevel[];
  pivots: SwingPivot[];
  /** The highest support level below the last close, or null. */
  nearestSupport: PriceLevel | null;
  /** The lowest resistance level at or above the last close, or null. */
  nearestResistance: PriceLevel | null;
}

/**
 * Support and resistance from swing pivots clustered by price.
 * 1. Pivots: bar i is a swing high if high[i] > every high of the `left` bars before it and
 *    >= every high of the `right` bars after it (swing low: mirror on lows); so the last
 *    `right` bars cannot be pivots yet, and the first bar of a flat top is the pivot.
 * 2. Clusters: pivots sorted by price join the current cluster while
 *    (price - clusterMean)/clusterMean <= tolerance; the level is the cluster mean.
 * 3. Touches = pivots in the cluster; strength = Σ over touches of (0.5 + 0.5·i/(n-1))
 *    (a recent touch counts up to twice an old one), divided by the strongest level's sum.
 * Levels below the last close are support, others resistance; sorted by strength, then price.
 */
export function supportResistance(
  high: Series,
  low: Series,
  close: Series,
  options: SupportResistanceOptions = {},
): SupportResistanceResult {
  const left = options.left ?? 3;
  const right = options.right ?? 3;
  const tolerance = options.tolerance ?? 0.01;
  const minTouches = options.minTouches ?? 1;
  const maxLevels = options.maxLevels ?? 10;
  assertPeriod('left', left);
  assertPeriod('right', right, 0);
  assertPeriod('minTouches', minTouches);
  assertPeriod('maxLevels', maxLevels);
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) {
    throw new QuantInputError(
      'INVALID_PARAMETER',
      'tolerance',
      `must be a finite number >= 0, got ${tolerance}`,
    );
  }
  const n = assertCandles({ high, low, close });
  const pivots = findPivots(high, low, n, left, right);
  if (n === 0 || pivots.length === 0) {
    return { levels: [], pivots, nearestSupport: null, nearestResistance: null };
  }
  const lastClose = close[n - 1] as number;
  const sorted = [...pivots].sort((a, b) => a.price - b.price || a.index - b.index);

  interface Cluster {
    sum: number;
    members: SwingPivot[];
  }
  const clusters: Cluster[] = [];
  let current: Cluster | null = null;
  for (const p of sorted) {
    if (current) {
      const mean = current.sum / current.members.length;
      if (Math.abs(p.price - mean) <= tolerance * Math.abs(mean)) {
        current.sum += p.price;
        current.members.push(p);
        continue;
      }
    }
    current = { sum: p.price, members: [p] };
    clusters.push(current);
  }

  const denominator = Math.max(n - 1, 1);
  const scored = clusters.map((c) => {
    let score = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let first = Number.POSITIVE_INFINITY;
    let last = -1;
    let highTouches = 0;
    for (const m of c.members) {
      score += 0.5 + (0.5 * m.index) / denominator;
      if (m.price < lo) lo = m.price;
      if (m.price > hi) hi = m.price;
      if (m.index < first) first = m.index;
      if (m.index > last) last = m.index;
      if (m.kind === 'high') highTouches++;
    }
    const price = c.sum / c.members.length;
    return {
      score,
      level: {
        price,
        kind: price < lastClose ? 'support' : 'resistance',
        touches: c.members.length,
        highTouches,
        lowTouches: c.members.length - highTouches,
        low: lo,
        high: hi,
        firstIndex: first,
        lastIndex: last,
        strength: 0,
      } satisfies PriceLevel,
    };
  });
  const kept = scored.filter((s) => s.level.touches >= minTouches);
  const best = kept.reduce((m, s) => Math.max(m, s.score), 0);
  for (const s of kept) s.level.strength = best > 0 ? s.score / best : 0;
  kept.sort((a, b) => b.score - a.score || a.level.price - b.level.price);
  const levels = kept.slice(0, maxLevels).map((s) => s.level);

  let nearestSupport: PriceLevel | null = null;
  let nearestResistance: PriceLevel | null = null;
  for (const l of levels) {
    if (l.kind === 'support' && (!nearestSupport || l.price > nearestSupport.price)) nearestSupport = l;
    if (l.kind === 'resistance' && (!nearestResistance || l.price < nearestResistance.price)) {
      nearestResistance = l;
    }
  }
  return { levels, pivots, nearestSupport, nearestResistance };
}

function findPivots(high: Series, low: Series, n: number, left: number, right: number): SwingPivot[] {
  const pivots: SwingPivot[] = [];
  for (let i = left; i + right < n; i++) {
    const h = high[i] as number;
    const l = low[i] as number;
    let isHigh = true;
    let isLow = true;
    for (let j = i - left; j < i && (isHigh || isLow); j++) {
      if ((high[j] as number) >= h) isHigh = false;
      if ((low[j] as number) <= l) isLow = false;
    }
    for (let j = i + 1; j <= i + right && (isHigh || isLow); j++) {
      if ((high[j] as number) > h) isHigh = false;
      if ((low[j] as number) < l) isLow = false;
    }
    if (isHigh) pivots.push({ index: i, price: h, kind: 'high' });
    if (isLow) pivots.push({ index: i, price: l, kind: 'low' });
  }
  return pivots;
}
