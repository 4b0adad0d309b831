import { readFileSync } from 'node:fs';
import { fitMarkovSwitching, type RegimeParams } from '../src/quant/regime';

/** BTC daily log returns (percent) from the shipped Yahoo file, oldest first. */
function btcReturns(): number[] {
  const closes = readFileSync('../shared/data/prices/crypto-yahoo/BTC-USD.csv', 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[4] && Number.isFinite(Number(c[4])))
    .map((c) => Number(c[4]));
  return closes.slice(1).map((c, i) => 100 * Math.log(c / (closes[i] as number)));
}

const FIT = { regimes: 3, switchingVariance: true, maxIterations: 200, tolerance: 1e-4, polish: false };
const WINDOW = 1460;

/**
 * The served regime fit (3 states, 1,460 daily returns) over `days` consecutive days, each fitted
 * cold (quantile starts) and warm (from the previous day's fit, as the hourly snapshot does):
 * time, EM iterations, and how far the served figures move (last filtered probabilities).
 */
export function runRegimeBench(days = 30) {
  const r = btcReturns();
  const end = r.length;
  let warm: RegimeParams | undefined;
  let coldMs = 0;
  let warmMs = 0;
  let coldIt = 0;
  let warmIt = 0;
  let maxDiff = 0;
  let sameRegime = 0;
  // Both against a tight fit (EM to a 1e-8 gain from the warm answer): which is nearer the MLE?
  let coldErr = 0;
  let warmErr = 0;
  const argmax = (p: number[]) => p.reduce((b, v, i) => (v > (p[b] as number) ? i : b), 0);
  for (let d = end - days; d < end; d++) {
    const y = r.slice(d - WINDOW, d);
    let t = performance.now();
    const cold = fitMarkovSwitching(y, FIT);
    coldMs += performance.now() - t;
    coldIt += cold.iterations;
    t = performance.now();
    const w = warm ? fitMarkovSwitching(y, { ...FIT, start: warm }) : cold;
    warmMs += performance.now() - t;
    warmIt += w.iterations;
    warm = w.params;
    // Compare regimes by their means' rank (labels are assigned that way).
    const rank = (m: number[]) => m.map((_, i) => i).sort((a, b) => (m[a] as number) - (m[b] as number));
    const rc = rank(cold.params.means);
    const rw = rank(w.params.means);
    const pc = rc.map((k) => cold.filtered.at(-1)?.[k] as number);
    const pw = rw.map((k) => w.filtered.at(-1)?.[k] as number);
    for (let k = 0; k < 3; k++) maxDiff = Math.max(maxDiff, Math.abs((pc[k] as number) - (pw[k] as number)));
    if (argmax(pc) === argmax(pw)) sameRegime++;
    const tight = fitMarkovSwitching(y, { ...FIT, tolerance: 1e-8, maxIterations: 5000, start: w.params });
    const rt = rank(tight.params.means);
    const pt = rt.map((k) => tight.filtered.at(-1)?.[k] as number);
    for (let k = 0; k < 3; k++) {
      coldErr = Math.max(coldErr, Math.abs((pc[k] as number) - (pt[k] as number)));
      warmErr = Math.max(warmErr, Math.abs((pw[k] as number) - (pt[k] as number)));
    }
  }
  return [
    {
      fit: 'cold (quantile starts), per day',
      'mean ms': (coldMs / days).toFixed(1),
      'mean EM iterations': (coldIt / days).toFixed(1),
    },
    {
      fit: 'warm (previous day’s fit), per day',
      'mean ms': (warmMs / days).toFixed(1),
      'mean EM iterations': (warmIt / days).toFixed(1),
    },
    {
      fit: 'max |Δ filtered prob| vs a tight fit (EM to 1e-8)',
      'mean ms': `cold ${coldErr.toFixed(4)}`,
      'mean EM iterations': `warm ${warmErr.toFixed(4)}`,
    },
    {
      fit: `agreement over ${days} days`,
      'mean ms': `same regime ${sameRegime}/${days}`,
      'mean EM iterations': `max |Δ filtered prob| ${maxDiff.toFixed(4)}`,
    },
  ];
}
