// Backtests: run a strategy over past candles (never past the market clock) and read the
// result: summary, equity curve with its drawdown pane (drawdown = equity over its running
// peak, from the served curve), every fill, and the method and data the run used. Earlier
// runs are listed and reopen by id (`#/backtests?id=bt_…`).
import type { IChartApi } from 'lightweight-charts';
import { api, type Backtest, type BacktestInput, type Strategy } from '../api';
import { lineChart } from '../charts';
import { go, type PageModule } from '../router';
import {
  day,
  field,
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
import { PAIRS, STRATEGY_NAMES, TIMEFRAMES } from './bots';

const POLL_MS = 1000;
const MAX_POLLS = 120;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const num = (v: number | null | undefined, digits = 2) => (v == null ? '—' : v.toFixed(digits));

export const page: PageModule = {
  title: 'Backtests',
  async render({ root, query, signal }) {
    const error = h('p', { id: 'backtest-error', class: 'failure', role: 'alert' });
    const form = h(
      'form',
      { id: 'backtest-form', class: 'grid-form' },
      field(
        'Pair',
        select(
          'tradingPair',
          PAIRS.map((p) => [p, p]),
          'BTC/USD',
        ),
      ),
      field('Strategy', select('strategy', STRATEGY_NAMES, 'sma_crossover')),
      field('Timeframe', select('timeframe', TIMEFRAMES, '1d')),
      field('From', h('input', { type: 'date', name: 'startDate', required: true, value: '2023-01-01' })),
      field('To', h('input', { type: 'date', name: 'endDate', required: true, value: '2023-12-31' })),
      field(
        'Starting cash (USD)',
        h('input', { name: 'initialBalance', type: 'number', min: 1, step: 'any', value: 10000 }),
      ),
      h('button', { type: 'submit' }, 'Run backtest'),
    );
    const state = h('p', { id: 'backtest-state', role: 'status' });
    const result = h('div', { id: 'backtest-result' });
    const history = h('div', { id: 'backtest-history' });
    root.append(
      section('backtest-run', 'Run a backtest', form, error, state),
      result,
      section('backtest-list', 'Earlier runs', history),
    );
    let chart: IChartApi | undefined;
    signal.addEventListener('abort', () => chart?.remove());

    const drawHistory = async () => {
      const runs = await api.backtests.list();
      history.replaceChildren(
        runs.length
          ? scroller(
              'Earlier backtests',
              undefined,
              table(
                'Your backtests, newest first',
                [
                  ['Run'],
                  ['Strategy'],
                  ['Pair'],
                  ['Status'],
                  ['Return', true],
                  ['Max drawdown', true],
                  ['Created'],
                ],
                runs.map((r) => [
                  h('a', { href: `#/backtests?id=${encodeURIComponent(r.id)}` }, r.name),
                  r.strategy.replace(/_/g, ' '),
                  r.tradingPair,
                  r.status,
                  h('span', { class: sign(r.summary?.totalReturn) }, pct(r.summary?.totalReturn)),
                  pct(r.summary?.maxDrawdown),
                  minute(r.createdAt),
                ]),
                'backtests-table',
              ),
            )
          : h('p', {}, 'No backtests yet.'),
      );
    };

    const show = (bt: Backtest) => {
      chart?.remove();
      chart = undefined;
      if (bt.status === 'failed') {
        result.replaceChildren(
          section('backtest-out', `${bt.name}: failed`, h('p', { class: 'failure' }, bt.error ?? 'failed')),
        );
        return;
      }
      const s = bt.summary;
      const curve = bt.performance?.equityCurve ?? [];
      if (!s || !curve.length) {
        result.replaceChildren(section('backtest-out', bt.name, h('p', {}, `Status: ${bt.status}`)));
        return;
      }
      let peak = Number.NEGATIVE_INFINITY;
      const drawdown = curve.map((p) => {
        peak = Math.max(peak, p.equity);
        return { time: p.timestamp, value: (p.equity / peak - 1) * 100 };
      });
      const chartBox = h('div', {
        id: 'backtest-chart',
        class: 'chart small',
        role: 'img',
        'aria-label': `Equity curve of ${curve.length} bars and drawdown from the running peak, in percent`,
        'data-points': curve.length,
        'data-final-equity': s.finalEquity,
      });
      const meta = bt.meta ?? {};
      const metaLine = [
        `${String(meta.timeframe ?? '')} bars ${day(String(meta.firstBar ?? ''))} → ${day(String(meta.lastBar ?? ''))}`,
        `${String(meta.dataPoints ?? s.bars)} data points`,
        `${String(meta.warmupBars ?? 0)} warm-up bars`,
        `as of ${minute(String(meta.asOf ?? ''))}`,
      ].join(' · ');
      const conventions = (meta.conventions ?? {}) as Record<string, string>;
      result.replaceChildren(
        section(
          'backtest-out',
          `${bt.name}: ${bt.strategy.replace(/_/g, ' ')} on ${bt.tradingPair}`,
          h('p', { class: 'note', id: 'backtest-meta' }, metaLine),
          scroller(
            'Backtest summary',
            undefined,
            table(
              'Summary',
              [['Measure'], ['Value', true]],
              [
                ['Final equity', money(s.finalEquity)],
                ['Total return', h('span', { class: sign(s.totalReturn) }, pct(s.totalReturn))],
                ['Max drawdown', pct(s.maxDrawdown)],
                ['Sharpe ratio', num(s.sharpeRatio)],
                ['Sortino ratio', num(s.sortinoRatio)],
                ['Win rate', s.winRate == null ? '—' : `${(s.winRate * 100).toFixed(1)}%`],
                ['Profit factor', num(s.profitFactor)],
                ['Time in market', `${s.exposure.toFixed(1)}%`],
                ['Fills (closed trades)', `${s.totalTrades} (${s.closedTrades})`],
                ['Fees paid', money(s.feesPaid)],
              ],
              'backtest-summary',
            ),
          ),
          chartBox,
          h('h3', {}, 'Trades'),
          bt.trades.length
            ? scroller(
                'Backtest trades',
                undefined,
                table(
                  'Every fill, in order',
                  [
                    ['Time'],
                    ['Side'],
                    ['Price', true],
                    ['Amount', true],
                    ['Fee', true],
                    ['P&L', true],
                    ['Why'],
                  ],
                  bt.trades.map((t) => [
                    minute(t.timestamp),
                    t.side,
                    price(t.price),
                    String(t.amount),
                    money(t.fee),
                    h('span', { class: sign(t.pnl) }, t.side === 'sell' ? money(t.pnl) : '—'),
                    t.reason === 'signal' ? t.note : `${t.reason.replace(/_/g, ' ')}: ${t.note}`,
                  ]),
                  'backtest-trades',
                ),
              )
            : h('p', {}, 'The strategy never traded in this window.'),
          h(
            'details',
            { class: 'method' },
            h('summary', {}, 'Method and conventions'),
            ...Object.entries(conventions).map(([k, v]) => h('p', {}, `${k}: ${v}`)),
          ),
        ),
      );
      chart = lineChart(chartBox, [
        {
          title: 'equity',
          color: '#79c0ff',
          points: curve.map((p) => ({ time: p.timestamp, value: p.equity })),
        },
        { title: 'drawdown %', color: '#ff7b72', points: drawdown, pane: 1, area: true },
      ]);
    };

    /** Follows a queued run until it finishes (or the user leaves). */
    const follow = async (bt: Backtest) => {
      let current = bt;
      for (let i = 0; i < MAX_POLLS && (current.status === 'queued' || current.status === 'running'); i++) {
        state.textContent = `Backtest ${current.status}…`;
        await sleep(POLL_MS);
        if (signal.aborted) return;
        current = await api.backtests.get(current.id);
      }
      state.textContent =
        current.status === 'completed'
          ? `Completed ${minute(current.completedAt)}.`
          : `Backtest ${current.status}.`;
      show(current);
    };

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const v = values(form);
      const body: BacktestInput = {
        botConfig: {
          name: `${v.strategy ?? ''} ${v.tradingPair ?? ''} ${v.startDate ?? ''}→${v.endDate ?? ''}`.slice(
            0,
            100,
          ),
          tradingPair: v.tradingPair ?? 'BTC/USD',
          strategy: (v.strategy ?? 'sma_crossover') as Strategy,
          timeframe: (v.timeframe ?? '1d') as BacktestInput['botConfig']['timeframe'],
        },
        startDate: v.startDate ?? '',
        endDate: v.endDate ?? '',
        initialBalance: v.initialBalance ? Number(v.initialBalance) : undefined,
      };
      const button = form.querySelector('button');
      if (button) button.disabled = true;
      state.textContent = 'Running…';
      try {
        const bt = await api.backtests.run(body);
        await follow(bt);
        go(`#/backtests?id=${encodeURIComponent(bt.id)}`);
      } catch (err) {
        state.textContent = '';
        error.textContent = message(err);
      } finally {
        if (button) button.disabled = false;
      }
    });

    const id = query.get('id');
    await Promise.all([drawHistory(), id ? api.backtests.get(id).then(follow) : Promise.resolve()]);
  },
};
