import { type AlertType, decide, type EvaluableAlert } from '../src/domains/alerts/evaluate';

// The alerts suite of `npm run bench -- --suite alerts` (and `all`): the pure decision
// function of alert evaluation over 100,000 price alerts across 50 assets, one event moving
// every asset, as evaluateAlerts runs it between its one D1 read and its batched writes.

export interface AlertsBenchRow {
  case: string;
  alerts: number;
  assets: number;
  'median ms': string;
  'alerts/s': string;
  fired: number;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: AlertType[] = ['price_above', 'price_below', 'price_crosses'];

export async function runAlertsBench(options: { alerts?: number; assets?: number; runs?: number } = {}) {
  const n = options.alerts ?? 100_000;
  const assetCount = options.assets ?? 50;
  const runs = options.runs ?? 9;
  const rand = prng(42);
  const base = Array.from({ length: assetCount }, () => 10 + rand() * 1000);
  const alerts: { asset: number; alert: EvaluableAlert }[] = Array.from({ length: n }, (_, i) => ({
    asset: i % assetCount,
    alert: {
      alertType: TYPES[i % TYPES.length] ?? 'price_above',
      params: { threshold: (base[i % assetCount] ?? 1) * (0.95 + rand() * 0.1) },
      lastState: rand() < 0.5 ? 'above' : 'below',
      lastTriggeredAt: null,
      cooldownSeconds: 0,
      repeat: true,
      triggerCount: 0,
    },
  }));
  const prices = base.map((p) => p * (0.97 + rand() * 0.06));
  const at = Date.now();
  let fired = 0;
  const pass = () => {
    fired = 0;
    for (const { asset, alert } of alerts) {
      if (decide(alert, { price: prices[asset] ?? 0 }, at).fire) fired++;
    }
  };
  for (let i = 0; i < 3; i++) pass();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    pass();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const row: AlertsBenchRow = {
    case: 'price alerts: decide() per event',
    alerts: n,
    assets: assetCount,
    'median ms': median.toFixed(2),
    'alerts/s': ((n / median) * 1000).toFixed(0),
    fired,
  };
  return [row];
}
