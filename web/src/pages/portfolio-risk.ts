// The portfolio page's risk section: value at risk and expected shortfall (historical, on
// today's holdings revalued over the lookback), the risk ratios, factor exposures with the
// systematic/idiosyncratic split, and stress scenarios (today's holdings through past crises).
// A portfolio without enough history says why instead of showing numbers.
import { ApiFailure, api } from '../api';
import { day, frac, h, minute, money, pct, scroller, sign, table } from '../ui';

const HORIZONS = [
  ['1_day', '1 day'],
  ['5_day', '5 days'],
  ['10_day', '10 days'],
] as const;
const fixed = (v: number | null | undefined) => (v == null ? '—' : v.toFixed(2));
const why = (err: unknown) =>
  h(
    'p',
    { class: err instanceof ApiFailure && err.status < 500 ? 'note' : 'failure' },
    err instanceof Error ? err.message : String(err),
  );

let generation = 0;

/** Draws the risk section of portfolio `id` into `box`; a newer call wins over an older one. */
export async function renderRisk(box: HTMLElement, id: string): Promise<void> {
  const mine = ++generation;
  box.setAttribute('aria-busy', 'true');
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  const [summary, metrics, scenarios, factors] = await Promise.all([
    settle(api.risk.summary(id)),
    settle(api.risk.metrics(id)),
    settle(api.risk.scenarios(id)),
    settle(api.risk.exposures(id)),
  ]);
  if (mine !== generation) return;
  box.removeAttribute('aria-busy');
  if ('value' in factors && factors.value.summary.total_positions === 0) {
    box.replaceChildren(
      h('p', { class: 'note' }, 'No open positions, so no market risk to measure: cash only.'),
    );
    return;
  }
  const parts: (HTMLElement | null)[] = [];

  if ('value' in summary && 'value' in metrics) {
    const s = summary.value;
    const m = metrics.value.risk_metrics;
    parts.push(
      scroller(
        'Value at risk table',
        undefined,
        table(
          `Value at risk and expected shortfall at ${s.risk_summary.confidence_level}% (${s.risk_summary.observations} days, ${day(s.risk_summary.window_start)} → ${day(s.risk_summary.window_end)})`,
          [
            ['Horizon'],
            ['VaR', true],
            ['VaR %', true],
            ['VaR 99%', true],
            ['Expected shortfall', true],
            ['ES %', true],
          ],
          HORIZONS.map(([k, label]) => [
            label,
            money(s.value_at_risk[k].absolute),
            pct(s.value_at_risk[k].percentage),
            money(m.value_at_risk[k].confidence_99),
            money(s.expected_shortfall[k].absolute),
            pct(s.expected_shortfall[k].percentage),
          ]),
          'var-table',
        ),
      ),
      h(
        'dl',
        { class: 'tiles', id: 'risk-ratios' },
        ...(
          [
            ['Beta to SPY', fixed(m.portfolio_beta)],
            ['Sharpe', fixed(m.sharpe_ratio)],
            ['Sortino', fixed(m.sortino_ratio)],
            ['Max drawdown', frac(m.max_drawdown)],
            ['Volatility 30d', frac(m.volatility_30d)],
            ['Volatility 90d', frac(m.volatility_90d)],
          ] as [string, string][]
        ).map(([k, v]) => h('div', { class: 'tile' }, h('dt', {}, k), h('dd', { class: 'value' }, v))),
      ),
      h(
        'p',
        { class: 'note' },
        `${s.risk_summary.method}; ratios: ${metrics.value.calculation_metadata.method}. As of ${minute(s.risk_summary.as_of)}.`,
      ),
    );
  } else parts.push(why('error' in summary ? summary.error : 'error' in metrics ? metrics.error : ''));

  parts.push(h('h3', {}, 'Factor exposures'));
  if ('value' in factors) {
    const f = factors.value;
    parts.push(
      scroller(
        'Factor exposures table',
        undefined,
        table(
          `Value-weighted betas (${f.factor_set}, ${f.summary.lookback} days to ${day(f.summary.window_end)}; ${f.summary.positions_with_exposures} of ${f.summary.total_positions} positions)`,
          [['Factor'], ['Beta', true]],
          Object.entries(f.portfolio_exposures).map(([k, v]) => [k.replace(/_/g, ' '), fixed(v)]),
          'factor-table',
        ),
      ),
      f.risk_attribution
        ? h(
            'p',
            { class: 'note' },
            `Systematic ${frac(f.risk_attribution.systematic_risk)} and idiosyncratic ${frac(
              f.risk_attribution.idiosyncratic_risk,
            )} of the variance; R² ${fixed(f.summary.r_squared)}. ${f.risk_attribution.method}`,
          )
        : null,
    );
  } else parts.push(why(factors.error));

  parts.push(h('h3', {}, 'Stress scenarios'));
  if ('value' in scenarios) {
    const sc = scenarios.value;
    parts.push(
      scroller(
        'Stress scenarios table',
        undefined,
        table(
          `Today’s holdings (${money(sc.portfolio_value)}) through each scenario`,
          [
            ['Scenario'],
            ['Window'],
            ['Return', true],
            ['Impact (USD)', true],
            ['Positions replayed / proxied'],
          ],
          sc.scenarios.map((s) => [
            h('span', { title: s.description }, s.id === sc.worst_scenario ? `${s.name} (worst)` : s.name),
            s.window ? `${day(s.window.start)} → ${day(s.window.end)}` : s.kind,
            h('span', { class: sign(s.scenario_return) }, frac(s.scenario_return)),
            money(s.portfolio_impact),
            `${s.coverage.replayed} / ${s.coverage.proxied}${s.coverage.excluded ? `, ${s.coverage.excluded} excluded` : ''}`,
          ]),
          'scenarios-table',
        ),
      ),
      h('p', { class: 'note' }, `${sc.methodology} As of ${minute(sc.as_of)}.`),
    );
  } else parts.push(why(scenarios.error));

  box.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  box.removeAttribute('aria-busy');
}
