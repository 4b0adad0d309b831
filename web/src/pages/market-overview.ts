// The market page's analytic sections, from the macro and sector snapshots: the regime
// (Markov switching) with its probabilities, fear & greed, dominance with its trend, the
// sector heat map (one tile per sector, coloured by its return over the chosen timeframe,
// sized by its share of the market) and rotation. Each figure says its method, window,
// data points and as-of, as the API states them.
import { api, type Method } from '../api';
import { marketTime } from '../shell';
import { day, field, h, pct, report, scroller, section, select, sign, table } from '../ui';

const label = (name: string) => name.replace(/_/g, ' ');
const pp = (v: number | null | undefined) => (v == null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(2)} pp`);
const share = (v: number | null | undefined) => (v == null ? '—' : `${v.toFixed(1)}%`);

/** "Method · window · N points · as of D", the line every figure carries. */
export function methodNote(meta: Method | null | undefined): HTMLElement {
  if (!meta) return h('p', { class: 'method' }, 'Method not stated.');
  const parts = [
    meta.window,
    meta.data_points != null ? `${meta.data_points} data points` : undefined,
    `as of ${day(meta.as_of)}`,
  ].filter(Boolean);
  return h(
    'details',
    { class: 'method' },
    h('summary', {}, `Method · ${parts.join(' · ')}`),
    h('p', {}, meta.method),
    meta.source ? h('p', {}, `Source: ${meta.source}`) : null,
  );
}

/** Appends the overview's sections to `root` and loads them; failures show per section. */
export async function renderOverview(root: HTMLElement): Promise<void> {
  const regimeBox = h('div', { id: 'regime', 'aria-busy': 'true' });
  const sentimentBox = h('div', { id: 'sentiment', 'aria-busy': 'true' });
  const dominanceBox = h('div', { id: 'dominance', 'aria-busy': 'true' });
  const heatBox = h('div', { id: 'sector-heatmap', 'aria-busy': 'true' });
  const rotationBox = h('div', { id: 'rotation', 'aria-busy': 'true' });
  const timeframe = select(
    'sector-timeframe',
    [
      ['24h', '24 hours'],
      ['7d', '7 days'],
      ['30d', '30 days'],
      ['90d', '90 days'],
    ],
    '7d',
  );
  root.append(
    h(
      'div',
      { class: 'overview' },
      section('regime-section', 'Market regime', regimeBox),
      section('sentiment-section', 'Sentiment', sentimentBox),
      section('dominance-section', 'Dominance', dominanceBox),
    ),
    section(
      'sectors-section',
      'Sectors',
      h('form', { class: 'inline', id: 'sector-form' }, field('Sector timeframe', timeframe)),
      heatBox,
      rotationBox,
    ),
  );
  const settle = (box: HTMLElement, job: Promise<void>) =>
    job
      .catch((err) => {
        box.replaceChildren(h('p', { class: 'failure' }, err instanceof Error ? err.message : String(err)));
      })
      .finally(() => box.removeAttribute('aria-busy'));

  const loadSectors = () => settle(heatBox, drawHeatmap(heatBox, timeframe.value));
  timeframe.addEventListener('change', () => void loadSectors().catch(report));
  await Promise.all([
    settle(regimeBox, drawRegime(regimeBox)),
    settle(sentimentBox, drawSentiment(sentimentBox)),
    settle(dominanceBox, drawDominance(dominanceBox)),
    loadSectors(),
    settle(rotationBox, drawRotation(rotationBox)),
  ]);
}

async function drawRegime(box: HTMLElement): Promise<void> {
  const { regime: r, as_of } = await api.macro.regime();
  marketTime(as_of);
  const probs = Object.entries(r.probabilities).sort((a, b) => b[1] - a[1]);
  box.replaceChildren(
    h(
      'p',
      { class: 'headline' },
      h('strong', { id: 'regime-current' }, label(r.current_regime)),
      ` · ${(r.confidence * 100).toFixed(0)}% probability · ${r.regime_duration_days} days since ${day(r.regime_started)}`,
    ),
    h(
      'ul',
      { class: 'probs', 'aria-label': 'Regime probabilities' },
      ...probs.map(([name, p]) =>
        h(
          'li',
          {},
          h('span', { class: 'prob-label' }, label(name)),
          h('meter', { min: 0, max: 1, value: p, 'aria-label': `${label(name)} probability` }),
          h('span', { class: 'num' }, `${(p * 100).toFixed(1)}%`),
        ),
      ),
    ),
    h(
      'p',
      { class: 'note' },
      `Chance of leaving it tomorrow ${(r.transition_probability * 100).toFixed(1)}%; expected stay ${(
        r.expected_durations_days[r.current_regime] ?? 0
      ).toFixed(1)} days.`,
    ),
    methodNote(r.meta),
  );
}

async function drawSentiment(box: HTMLElement): Promise<void> {
  const { sentiment } = await api.macro.sentiment();
  const fg = sentiment.fear_greed;
  if (!fg) {
    box.replaceChildren(h('p', {}, 'No fear & greed history is loaded.'));
    return;
  }
  box.replaceChildren(
    h(
      'p',
      { class: 'headline' },
      'Fear & greed ',
      h('strong', { id: 'fear-greed' }, String(Math.round(fg.value))),
      ` ${fg.classification ?? ''}${fg.stale ? ' (stale)' : ''}`,
    ),
    h('meter', {
      min: 0,
      max: 100,
      low: 25,
      high: 75,
      optimum: 50,
      value: fg.value,
      'aria-label': 'Fear and greed index, 0 extreme fear to 100 extreme greed',
    }),
    h(
      'p',
      { class: 'note' },
      `7-day average ${fg.average_7d?.toFixed(1) ?? '—'}, 30-day ${fg.average_30d?.toFixed(1) ?? '—'}, change over 7 days ${
        fg.change_7d == null ? '—' : `${fg.change_7d > 0 ? '+' : ''}${fg.change_7d}`
      }.`,
    ),
    methodNote(fg.meta),
  );
}

async function drawDominance(box: HTMLElement): Promise<void> {
  const { dominance: d } = await api.macro.dominance();
  const rows = (['btc', 'eth', 'usdt', 'altcoin'] as const).map((k) => {
    const t = d.trend[k];
    return [
      k === 'altcoin' ? 'Altcoins' : k.toUpperCase(),
      share(d.current[k]),
      h('span', { class: sign(t?.change_7d_pp) }, pp(t?.change_7d_pp)),
      h('span', { class: sign(t?.change_30d_pp) }, pp(t?.change_30d_pp)),
      t?.direction ?? '—',
    ];
  });
  box.replaceChildren(
    scroller(
      'Dominance table',
      undefined,
      table(
        'Share of total crypto market cap',
        [['Coin'], ['Share', true], ['7 days', true], ['30 days', true], ['Trend']],
        rows,
        'dominance-table',
      ),
    ),
    methodNote(d.meta),
  );
}

async function drawHeatmap(box: HTMLElement, timeframe: string): Promise<void> {
  const perf = await api.sectors.performance(timeframe);
  const known = perf.sectors.filter((s) => s.performance_pct != null);
  const missing = perf.sectors.filter((s) => s.performance_pct == null);
  // Colour saturates at the largest absolute move shown, so the map reads at any timeframe.
  const scale = Math.max(1, ...known.map((s) => Math.abs(s.performance_pct ?? 0)));
  const tiles = known.map((s) => {
    const v = s.performance_pct ?? 0;
    const strength = Math.round((Math.abs(v) / scale) * 40);
    // Larger sectors take more columns (share of market, on a log scale so small ones stay legible).
    const span = Math.max(1, Math.min(4, Math.round(Math.log10((s.share_of_total_pct ?? 0.1) * 10))));
    const tile = h(
      'li',
      { class: `heat ${v > 0 ? 'heat-up' : v < 0 ? 'heat-down' : ''} span-${span}`, 'data-sector': s.id },
      h('span', { class: 'heat-name' }, s.name),
      h('span', { class: 'heat-value' }, pct(v)),
      h('span', { class: 'heat-note' }, `${share(s.share_of_total_pct)} of market`),
    );
    // Through the CSSOM, which the CSP allows (a style attribute it refuses).
    tile.style.setProperty('--heat', `${strength}%`);
    return tile;
  });
  box.replaceChildren(
    h('ul', { class: 'heatmap', 'aria-label': `Sector returns over ${perf.timeframe}` }, ...tiles),
    missing.length
      ? h('p', { class: 'note' }, `No price history for: ${missing.map((s) => s.name).join(', ')}.`)
      : '',
    methodNote(perf.meta),
  );
}

async function drawRotation(box: HTMLElement): Promise<void> {
  const r = await api.sectors.rotation();
  const ranked = r.sectors.filter((s) => s.rotation_score != null);
  box.replaceChildren(
    h('h3', {}, 'Rotation (30 days)'),
    h(
      'p',
      { class: 'note' },
      `Market 30-day return ${pct(r.market_return_30d_pct)}. Flowing in: ${
        r.inflows.length ? r.inflows.join(', ') : 'none'
      }; out: ${r.outflows.length ? r.outflows.join(', ') : 'none'}.`,
    ),
    scroller(
      'Rotation table',
      undefined,
      table(
        'Sectors by rotation score: relative strength and change of market share',
        [['Sector'], ['Relative strength', true], ['Share change', true], ['Score', true], ['Flow']],
        ranked.map((s) => [
          s.name,
          h('span', { class: sign(s.relative_strength_30d) }, pct(s.relative_strength_30d)),
          h('span', { class: sign(s.share_change_30d_pp) }, pp(s.share_change_30d_pp)),
          (s.rotation_score ?? 0).toFixed(1),
          s.flow ?? '—',
        ]),
        'rotation-table',
      ),
    ),
    methodNote(r.meta),
  );
}
