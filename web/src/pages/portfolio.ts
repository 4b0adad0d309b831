// Portfolio: holdings with P&L, allocation, value history with TWR/MWR over a chosen period
// or custom dates, realized P&L, the trades ledger (add, edit, delete), CSV import with the
// dry-run report row by row, and export.
import { ColorType, createChart, type IChartApi, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import {
  ApiFailure,
  api,
  type LedgerAssetType,
  type Portfolio,
  type Trade,
  type TradeInput,
  type TradeType,
} from '../api';
import { go, type PageModule } from '../router';
import { marketTime } from '../shell';
import {
  day,
  field,
  frac,
  h,
  message,
  minute,
  money,
  pct,
  price,
  scroller,
  section,
  select,
  sign,
  table,
  values,
} from '../ui';
import { renderRisk } from './portfolio-risk';

const TRADE_TYPES: TradeType[] = ['buy', 'sell', 'add', 'remove', 'dividend', 'fee', 'split'];
const ASSET_TYPES: LedgerAssetType[] = ['crypto', 'us-equity', 'etf', 'pk-equity', 'metal', 'cash'];
const PERIODS = ['1M', '3M', '6M', 'YTD', '1Y', 'ALL'];
const BENCHMARKS: [string, string][] = [
  ['', 'None'],
  ['SPY', 'S&P 500 (SPY)'],
  ['BTC', 'Bitcoin'],
  ['TOTAL_CRYPTO', 'Total crypto market'],
  ['SPY:60,AGG:40', '60/40 stocks/bonds'],
];
const fixed = (v: number | null | undefined) => (v == null ? '—' : v.toFixed(2));

export const page: PageModule = {
  title: 'Portfolio',
  async render({ root, query, signal }) {
    const { portfolios } = await api.portfolios.list();
    if (!portfolios.length) {
      const form = h(
        'form',
        { id: 'portfolio-create' },
        field('Name', h('input', { name: 'name', required: true, value: 'Main', maxlength: 100 })),
        h('button', { type: 'submit' }, 'Create portfolio'),
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const p = await api.portfolios.create(values(form).name ?? 'Main');
        go(`#/portfolio?id=${p.id}`);
      });
      root.append(
        h('p', {}, 'You have no portfolio yet: create one, then record trades or import a CSV.'),
        form,
      );
      return;
    }
    const chosen =
      portfolios.find((p) => p.id === query.get('id')) ??
      portfolios.find((p) => p.is_default) ??
      (portfolios[0] as Portfolio);
    const id = chosen.id;
    const picker = select(
      'portfolio',
      portfolios.map((p) => [p.id, p.name]),
      id,
    );
    picker.addEventListener('change', () => go(`#/portfolio?id=${picker.value}`));

    const summary = h('dl', { id: 'portfolio-summary', class: 'tiles' });
    const holdings = scroller('Holdings table', 'holdings');
    const allocation = h('ul', { id: 'allocation', class: 'bars' });
    const perfBox = h('div', {
      id: 'performance-chart',
      class: 'chart small',
      role: 'img',
      'aria-label': 'Portfolio value and invested capital over time',
    });
    const perfSummary = h('div', { id: 'perf-summary' });
    const realized = scroller('Realized P&L table', 'realized');
    const ledger = scroller('Trades table', 'ledger');
    const importReport = h('div', { id: 'import-report', 'aria-live': 'polite' });
    const valuation = h('p', { class: 'note', id: 'valuation' });
    const riskBox = h('div', { id: 'risk' });
    const period = select(
      'period',
      PERIODS.map((p) => [p, p]),
      'ALL',
    );
    const from = h('input', { type: 'date', name: 'from' });
    const to = h('input', { type: 'date', name: 'to' });
    const benchmark = select('benchmark', BENCHMARKS, 'SPY');
    const perfForm = h(
      'form',
      { class: 'controls', id: 'perf-form' },
      field('Period', period),
      field('From', from),
      field('To', to),
      field('Benchmark', benchmark),
      h('button', { type: 'submit' }, 'Show'),
    );

    // ---- the trade form: adds, or edits the trade it was filled from ----
    const tradeForm = h(
      'form',
      { id: 'trade-form', class: 'grid-form' },
      field(
        'Type',
        select(
          'trade_type',
          TRADE_TYPES.map((t) => [t, t]),
          'buy',
        ),
      ),
      field(
        'Asset type',
        select(
          'asset_type',
          ASSET_TYPES.map((t) => [t, t]),
          'crypto',
        ),
      ),
      field('Symbol', h('input', { name: 'symbol', required: true, autocomplete: 'off', maxlength: 32 })),
      field(
        'Quantity',
        h('input', { name: 'quantity', required: true, inputmode: 'decimal', pattern: '[0-9]*\\.?[0-9]+' }),
      ),
      field('Price', h('input', { name: 'price', inputmode: 'decimal', pattern: '[0-9]*\\.?[0-9]+' })),
      field('Fees', h('input', { name: 'fees', inputmode: 'decimal', pattern: '[0-9]*\\.?[0-9]+' })),
      field('Date', h('input', { name: 'trade_date', type: 'date', required: true })),
      field('Notes', h('input', { name: 'notes', maxlength: 500 })),
      h('button', { type: 'submit', id: 'trade-submit' }, 'Add trade'),
      h('button', { type: 'button', id: 'trade-cancel', hidden: true }, 'Cancel edit'),
      h('p', { id: 'trade-error', class: 'failure', role: 'alert' }),
    );
    let editing: Trade | null = null;
    const submit = tradeForm.querySelector('#trade-submit') as HTMLButtonElement;
    const cancel = tradeForm.querySelector('#trade-cancel') as HTMLButtonElement;
    const tradeError = tradeForm.querySelector('#trade-error') as HTMLElement;
    const setEditing = (t: Trade | null) => {
      editing = t;
      submit.textContent = t ? 'Save trade' : 'Add trade';
      cancel.hidden = !t;
      const set = (name: string, v: string) => {
        (tradeForm.elements.namedItem(name) as HTMLInputElement).value = v;
      };
      if (!t) return tradeForm.reset();
      set('trade_type', t.trade_type);
      set('asset_type', t.asset_type);
      set('symbol', t.symbol);
      set('quantity', String(t.quantity));
      set('price', String(t.price));
      set('fees', String(t.fees));
      set('trade_date', t.trade_date.slice(0, 10));
      set('notes', t.notes ?? '');
      (tradeForm.elements.namedItem('quantity') as HTMLInputElement).focus();
    };
    cancel.addEventListener('click', () => setEditing(null));
    tradeForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = values(tradeForm);
      tradeError.textContent = '';
      const body: TradeInput = {
        trade_type: v.trade_type as TradeType,
        quantity: v.quantity ?? '',
        trade_date: v.trade_date ?? '',
        ...(v.price ? { price: v.price } : {}),
        ...(v.fees ? { fees: v.fees } : {}),
        notes: v.notes || null,
      };
      try {
        if (editing) await api.portfolios.editTrade(id, editing.id, body);
        else
          await api.portfolios.addTrade(id, {
            ...body,
            asset_type: v.asset_type as LedgerAssetType,
            symbol: (v.symbol ?? '').toUpperCase(),
          });
        setEditing(null);
        await refresh();
      } catch (err) {
        tradeError.textContent = message(err);
      }
    });

    // ---- CSV import and export ----
    const csvFile = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv' });
    const csvText = h('textarea', {
      name: 'csv',
      rows: 5,
      spellcheck: false,
      placeholder: 'date,type,asset_type,symbol,quantity,price,fees\n2024-01-02,buy,crypto,ETH,2,2350,1',
    });
    const doImport = h('button', { type: 'button', id: 'import-commit', hidden: true }, 'Import');
    const importForm = h(
      'form',
      { id: 'import-form' },
      field('CSV file', csvFile),
      field('or paste CSV', csvText),
      h('button', { type: 'submit' }, 'Check (dry run)'),
      doImport,
    );
    csvFile.addEventListener('change', async () => {
      const f = csvFile.files?.[0];
      if (f) csvText.value = await f.text();
    });
    importForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      doImport.hidden = true;
      try {
        const r = await api.portfolios.importCsv(id, csvText.value, true);
        const rejected = new Map(r.rejected.map((x) => [x.line, x]));
        const lines = [...r.preview.map((p) => p.line), ...r.rejected.map((x) => x.line)].sort(
          (a, b) => a - b,
        );
        const byLine = new Map(r.preview.map((p) => [p.line, p]));
        importReport.replaceChildren(
          h(
            'p',
            { id: 'import-summary' },
            `Dry run: ${r.accepted} of ${r.total_rows} rows accepted, ${r.rejected.length} rejected.${r.new_positions.length ? ` New positions: ${r.new_positions.join(', ')}.` : ''}`,
          ),
          ...r.warnings.map((w) => h('p', { class: 'note' }, w)),
          scroller(
            'Import report',
            undefined,
            table(
              'The file row by row, as the import would record it',
              [
                ['Line', true],
                ['Outcome'],
                ['Date'],
                ['Type'],
                ['Symbol'],
                ['Quantity', true],
                ['Price', true],
                ['Reasons'],
              ],
              lines.map((line) => {
                const p = byLine.get(line);
                const x = rejected.get(line);
                return [
                  String(line),
                  x ? 'rejected' : 'accepted',
                  p?.trade_date ?? '',
                  p?.trade_type ?? '',
                  p?.symbol ?? '',
                  p?.quantity ?? '',
                  p?.price ?? '',
                  x ? x.reasons.join('; ') : '',
                ];
              }),
              'import-rows',
            ),
          ),
        );
        for (const tr of importReport.querySelectorAll('#import-rows tbody tr'))
          tr.classList.toggle('rejected', tr.children[1]?.textContent === 'rejected');
        if (r.accepted > 0) {
          doImport.hidden = false;
          doImport.textContent = r.rejected.length
            ? `Import the ${r.accepted} accepted rows (skip ${r.rejected.length})`
            : `Import ${r.accepted} trades`;
        }
      } catch (err) {
        importReport.replaceChildren(h('p', { class: 'failure', role: 'alert' }, message(err)));
      }
    });
    doImport.addEventListener('click', async () => {
      try {
        const r = await api.portfolios.importCsv(id, csvText.value, false);
        doImport.hidden = true;
        importReport.replaceChildren(
          h('p', { id: 'import-summary' }, `Imported ${r.trade_ids.length} trades.`),
        );
        csvText.value = '';
        await refresh();
      } catch (err) {
        importReport.replaceChildren(h('p', { class: 'failure', role: 'alert' }, message(err)));
      }
    });
    const exportButton = h('button', { type: 'button', id: 'export' }, 'Export trades (CSV)');
    exportButton.addEventListener('click', async () => {
      const csv = await api.portfolios.exportCsv(id);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = h('a', { href: url, download: `${chosen.name}-trades.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

    root.append(
      h('p', {}, field('Portfolio', picker)),
      summary,
      valuation,
      section('holdings-section', 'Holdings', holdings),
      section('allocation-section', 'Allocation', allocation),
      section('performance-section', 'Performance', perfForm, perfBox, perfSummary),
      section('risk-section', 'Risk', riskBox),
      section('realized-section', 'Realized P&L', realized),
      section('trades-section', 'Trades', tradeForm, ledger, h('p', {}, exportButton)),
      section('import-section', 'Import trades from CSV', importForm, importReport),
    );

    let chart: IChartApi | undefined;
    signal.addEventListener('abort', () => chart?.remove());

    const drawPerformance = async () => {
      const params = from.value
        ? { from: from.value, ...(to.value ? { to: to.value } : {}) }
        : { period: period.value };
      if (benchmark.value) Object.assign(params, { benchmark: benchmark.value });
      let perf: Awaited<ReturnType<typeof api.portfolios.performance>>;
      try {
        perf = await api.portfolios.performance(id, params);
      } catch (err) {
        perfSummary.replaceChildren(
          h('p', { class: err instanceof ApiFailure && err.status < 500 ? 'note' : 'failure' }, message(err)),
        );
        return;
      }
      chart?.remove();
      chart = createChart(perfBox, {
        autoSize: true,
        layout: {
          background: { type: ColorType.Solid, color: '#0d1117' },
          textColor: '#c9d1d9',
          attributionLogo: false,
        },
        grid: { vertLines: { color: '#30363d' }, horzLines: { color: '#30363d' } },
      });
      const time = (d: string) => Math.floor(Date.parse(d) / 1000) as UTCTimestamp;
      chart
        .addSeries(LineSeries, { color: '#79c0ff', lineWidth: 2, title: 'value' })
        .setData(perf.points.map((p) => ({ time: time(p.date), value: p.value })));
      chart
        .addSeries(LineSeries, { color: '#8b949e', lineWidth: 1, title: 'invested' })
        .setData(perf.points.map((p) => ({ time: time(p.date), value: p.invested })));
      chart
        .addSeries(LineSeries, { color: '#f0b429', lineWidth: 2, title: 'return %' }, 1)
        .setData(perf.points.map((p) => ({ time: time(p.date), value: p.cumulative_return_pct })));
      const bench = perf.benchmark;
      // The benchmark's series is rebased to 100 at the window's start: as a return, beside ours.
      if (bench?.series.length)
        chart
          .addSeries(LineSeries, { color: '#d2a8ff', lineWidth: 1, title: `${bench.benchmark} %` }, 1)
          .setData(bench.series.map((p) => ({ time: time(p.date), value: p.benchmark - 100 })));
      perfBox.dataset.benchmark = bench?.benchmark ?? '';
      chart.panes()[1]?.setStretchFactor(0.4);
      chart.timeScale().fitContent();
      perfBox.dataset.points = String(perf.points.length);
      perfBox.dataset.lastValue = String(perf.points.at(-1)?.value ?? '');
      const s = perf.summary;
      perfSummary.replaceChildren(
        table(
          `${perf.period} ${day(perf.from)} → ${day(perf.to)}`,
          [['Measure'], ['Value', true]],
          [
            ['Start value', money(s.start_value)],
            ['End value', money(s.end_value)],
            ['Net flows', money(s.net_flows)],
            ['Gain', money(s.gain)],
            ['Time-weighted return (TWR)', pct(s.time_weighted_return_pct)],
            ['Money-weighted return (MWR)', pct(s.money_weighted_return_pct)],
            ['Volatility (annualized)', pct(s.volatility_annualized_pct)],
            ['Sharpe ratio', s.sharpe_ratio == null ? '—' : s.sharpe_ratio.toFixed(2)],
            ['Max drawdown', pct(s.max_drawdown.pct)],
            ...(perf.benchmark
              ? ([
                  [`${perf.benchmark.benchmark} return`, frac(perf.benchmark.benchmark_return)],
                  ['Excess return', frac(perf.benchmark.excess_return)],
                  ['Beta', fixed(perf.benchmark.beta)],
                  ['Alpha (annualized)', frac(perf.benchmark.alpha_annualized)],
                  ['Tracking error', frac(perf.benchmark.tracking_error)],
                  ['Information ratio', fixed(perf.benchmark.information_ratio)],
                ] as [string, string][])
              : []),
          ],
          'perf-table',
        ),
        h(
          'p',
          { class: 'note' },
          `TWR: ${perf.methodology.time_weighted_return}. MWR: ${perf.methodology.money_weighted_return}. ${perf.methodology.data_points} data points, as of ${day(String(perf.methodology.as_of ?? ''))}.`,
        ),
      );
    };
    perfForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void drawPerformance();
    });

    const refresh = async () => {
      const [p, hold, trades, pnl] = await Promise.all([
        api.portfolios.get(id),
        api.portfolios.holdings(id),
        api.portfolios.trades(id),
        api.portfolios.realized(id),
      ]);
      marketTime(hold.as_of);
      const tile = (key: string, label: string, value: string, cls = '') =>
        h(
          'div',
          { class: 'tile', 'data-key': key },
          h('dt', {}, label),
          h('dd', { class: `value ${cls}` }, value),
        );
      summary.replaceChildren(
        tile('total_value', 'Total value', money(p.total_value)),
        tile('market_value', 'Market value', money(p.market_value)),
        tile('cash', 'Cash', money(p.cash)),
        tile('unrealized_pnl', 'Unrealized P&L', money(p.unrealized_pnl), sign(p.unrealized_pnl)),
        tile('realized_pnl', 'Realized P&L', money(pnl.total_realized_pnl), sign(pnl.total_realized_pnl)),
      );
      valuation.textContent = `Valued as of ${minute(p.value_as_of ?? hold.as_of)}; cost method ${p.cost_method.toUpperCase()}.`;
      const open = hold.assets.filter((a) => a.is_open);
      holdings.replaceChildren(
        open.length
          ? table(
              'Open positions at market prices',
              [
                ['Symbol'],
                ['Quantity', true],
                ['Avg cost', true],
                ['Price', true],
                ['Value', true],
                ['Unrealized P&L', true],
                ['P&L %', true],
                ['Weight', true],
              ],
              open.map((a) => [
                h('a', { href: `#/asset/${encodeURIComponent(a.symbol)}` }, a.symbol),
                String(a.quantity),
                price(a.entry_price),
                price(a.current_price),
                money(a.market_value),
                h('span', { class: sign(a.unrealized_pnl) }, money(a.unrealized_pnl)),
                pct(a.unrealized_pnl_pct),
                pct(a.weight_pct),
              ]),
              'holdings-table',
            )
          : h('p', {}, 'No open positions: add a trade below or import a CSV.'),
      );
      for (const [i, a] of open.entries())
        holdings.querySelectorAll('tbody tr')[i]?.setAttribute('data-symbol', a.symbol);
      allocation.replaceChildren(
        ...[...open]
          .sort((a, b) => b.weight_pct - a.weight_pct)
          .map((a) => {
            const bar = h('span', { class: 'bar' });
            bar.style.width = `${Math.max(0, Math.min(100, a.weight_pct))}%`;
            return h(
              'li',
              {},
              h('span', { class: 'label' }, `${a.symbol} ${pct(a.weight_pct).replace('+', '')}`),
              bar,
            );
          }),
      );
      realized.replaceChildren(
        pnl.realizations.length
          ? table(
              `Realized P&L (${pnl.method.toUpperCase()}): ${money(pnl.total_realized_pnl)} on ${money(pnl.total_proceeds)} of proceeds`,
              [
                ['Date'],
                ['Symbol'],
                ['Quantity', true],
                ['Proceeds', true],
                ['Cost basis', true],
                ['P&L', true],
                ['P&L %', true],
              ],
              pnl.realizations.map((r) => [
                day(r.date),
                r.symbol,
                String(r.quantity),
                money(r.proceeds),
                money(r.cost_basis),
                money(r.realized_pnl),
                pct(r.realized_pnl_percent),
              ]),
              'realized-table',
            )
          : h('p', {}, 'Nothing realized yet: sells realize P&L.'),
      );
      const list = h(
        'table',
        { id: 'trades-table' },
        h('caption', {}, `${trades.trades.length} trades, newest first`),
      );
      list.append(
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Date', 'Type', 'Symbol', 'Quantity', 'Price', 'Fees', 'Source', 'Actions'].map((c, i) =>
              h('th', { scope: 'col', class: i >= 3 && i <= 5 ? 'num' : undefined }, c),
            ),
          ),
        ),
      );
      const tbody = h('tbody');
      for (const t of trades.trades) {
        const edit = h(
          'button',
          {
            type: 'button',
            class: 'small',
            'aria-label': `Edit ${t.trade_type} ${t.symbol} on ${day(t.trade_date)}`,
          },
          'Edit',
        );
        const del = h(
          'button',
          {
            type: 'button',
            class: 'small danger',
            'aria-label': `Delete ${t.trade_type} ${t.symbol} on ${day(t.trade_date)}`,
          },
          'Delete',
        );
        edit.addEventListener('click', () => setEditing(t));
        del.addEventListener('click', async () => {
          if (!confirm(`Delete this ${t.trade_type} of ${t.quantity} ${t.symbol}?`)) return;
          try {
            await api.portfolios.deleteTrade(id, t.id);
            await refresh();
          } catch (err) {
            tradeError.textContent = message(err);
          }
        });
        tbody.append(
          h(
            'tr',
            { 'data-id': t.id },
            h('td', {}, day(t.trade_date)),
            h('td', {}, t.trade_type),
            h('td', {}, t.symbol),
            h('td', { class: 'num' }, String(t.quantity)),
            h('td', { class: 'num' }, price(t.price)),
            h('td', { class: 'num' }, money(t.fees)),
            h('td', {}, t.source),
            h('td', { class: 'actions' }, edit, ' ', del),
          ),
        );
      }
      list.append(tbody);
      ledger.replaceChildren(list);
      // Risk follows the ledger, but a trade never waits for it (a newer call replaces an older one).
      const risk = renderRisk(riskBox, id);
      await drawPerformance();
      return { risk };
    };
    await (await refresh()).risk;
  },
};
