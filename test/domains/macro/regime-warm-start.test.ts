import { describe, expect, it } from 'vitest';
import btcCsv from '../../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import {
  REGIME_WARM_MAX_AGE_DAYS,
  regimeAnalysis,
  regimeWarmStart,
} from '../../../src/domains/macro/compute';
import { DAY, type MacroInputs } from '../../../src/domains/macro/data';

/** MacroInputs holding only BTC daily closes from the shipped Yahoo file (all the regime model reads). */
function btcInputs(): MacroInputs {
  const day: number[] = [];
  const close: number[] = [];
  const volume: number[] = [];
  for (const line of btcCsv.split(/\r?\n/).slice(1)) {
    const c = line.split(',');
    if (!c[0] || !c[4]) continue;
    day.push(Math.floor(Date.parse(c[0].slice(0, 10)) / DAY));
    close.push(Number(c[4]));
    volume.push(Number(c[5]));
  }
  return {
    at: ((day.at(-1) as number) + 1) * DAY,
    bars: new Map([[catalogAssetId('BTC'), { day, close, volume }]]),
    indicators: new Map(),
    caps: new Map(),
    supply: new Map(),
  };
}

const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;

describe('regime model: EM warm-started from the previous snapshot', () => {
  const inputs = btcInputs();
  const d = dayOf('2024-06-30');
  const previous = regimeAnalysis(inputs, d - 1);
  const cold = regimeAnalysis(inputs, d);
  const warm = regimeAnalysis(inputs, d, regimeWarmStart(previous, d));

  it('starts from the stored fit and needs far fewer EM iterations', () => {
    expect(previous?.fit_start).toBe('cold');
    expect(warm?.fit_start).toBe('warm');
    expect(cold?.fit_start).toBe('cold');
    expect(warm?.em_iterations).toBeLessThan((cold?.em_iterations ?? 0) / 3);
    expect(warm?.meta.method).toMatch(/warm start/);
  });

  it('serves the same regime and probabilities within 0.05 of the cold fit', () => {
    expect(warm?.current_regime).toBe(cold?.current_regime);
    for (const [name, p] of Object.entries(cold?.probabilities ?? {}))
      expect(Math.abs((warm?.probabilities[name] ?? -1) - p)).toBeLessThan(0.05);
    expect(Math.abs((warm?.log_likelihood ?? 0) - (cold?.log_likelihood ?? 0))).toBeLessThan(0.1);
    expect(warm?.meta.as_of).toBe(cold?.meta.as_of);
  });

  it('is deterministic: the same stored start gives the same figures (an hour recomputed is unchanged)', () => {
    const again = regimeAnalysis(inputs, d, regimeWarmStart(previous, d));
    expect(again).toEqual(warm);
  });

  it('starts cold when the stored fit is stale, from a later day, or malformed', () => {
    // The stored fit's as-of is its last return's day.
    const asOf = Date.parse(previous?.meta.as_of ?? '') / DAY;
    expect(regimeWarmStart(previous, asOf + REGIME_WARM_MAX_AGE_DAYS)).toBeDefined();
    expect(regimeWarmStart(previous, asOf + REGIME_WARM_MAX_AGE_DAYS + 1)).toBeUndefined();
    expect(regimeWarmStart(previous, asOf - 1)).toBeUndefined();
    expect(regimeWarmStart(null, d)).toBeUndefined();
    expect(regimeWarmStart({ regimes: [], transition_matrix: [], meta: { as_of: null } }, d)).toBeUndefined();
    const start = regimeWarmStart(previous, d);
    for (const row of start?.transition ?? []) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
