// Bots: the signed-in user's paper-trading bots: create one, start and stop it, and watch it
// live: each decision over /ws/bot-status, equity and P&L over /ws/performance-metrics. The
// chosen bot's equity line starts from its status (valued at the market clock) and grows with
// every tick the socket brings.
import type { IChartApi, ISeriesApi, UTCTimestamp } from 'lightweight-charts';
import { api, type Bot, type BotInput, type BotStatus, refresh, type Strategy, session } from '../api';
import { lineChart } from '../charts';
import { LiveTopic, type ServerMessage } from '../live';
import type { PageModule } from '../router';
import { marketTime, setState, signOut } from '../shell';
import {
  field,
  frac,
  h,
  message,
  minute,
  money,
  pct,
  report,
  scroller,
  section,
  select,
  sign,
  table,
  values,
} from '../ui';

export const STRATEGY_NAMES: [Strategy, string][] = [
  ['sma_crossover', 'SMA crossover'],
  ['momentum', 'Momentum (RSI/MACD)'],
  ['mean_reversion', 'Mean reversion (Bollinger)'],
  ['grid', 'Grid'],
  ['dca', 'Dollar-cost averaging'],
  ['ml_adaptive', 'ML adaptive (needs a trained model)'],
];
export const PAIRS = ['BTC/USD', 'ETH/USD', 'SOL/USD', 'BNB/USD', 'XRP/USD', 'ADA/USD', 'DOGE/USD'];
export const TIMEFRAMES: [string, string][] = [
  ['1h', '1 hour'],
  ['4h', '4 hours'],
  ['1d', '1 day'],
];

/** Optional positive numbers from the form: empty fields are left out. */
const optional = (v: string | undefined) => (v ? Number(v) : undefined);

interface LiveEquity {
  time: string;
  value: number;
}

export const page: PageModule = {
  title: 'Bots',
  async render({ root, signal }) {
    const error = h('p', { id: 'bot-error', class: 'failure', role: 'alert' });
    const form = h(
      'form',
      { id: 'bot-form', class: 'grid-form' },
      field('Bot name', h('input', { name: 'name', required: true, maxlength: 100, value: 'My bot' })),
      field(
        'Pair',
        select(
          'tradingPair',
          PAIRS.map((p) => [p, p]),
          'BTC/USD',
        ),
      ),
      field('Strategy', select('strategy', STRATEGY_NAMES, 'sma_crossover')),
      field('Timeframe', select('timeframe', TIMEFRAMES, '1h')),
      field(
        'Starting cash (USD)',
        h('input', { name: 'initialBalance', type: 'number', min: 1, step: 'any', value: 10000 }),
      ),
      field(
        'Risk per trade (%)',
        h('input', { name: 'riskPerTrade', type: 'number', min: 0, max: 100, step: 'any' }),
      ),
      field('Stop loss (%)', h('input', { name: 'stopLoss', type: 'number', min: 0, max: 99, step: 'any' })),
      field('Take profit (%)', h('input', { name: 'takeProfit', type: 'number', min: 0, step: 'any' })),
      h('button', { type: 'submit' }, 'Create bot'),
    );
    const listBox = h('div', { id: 'bots-list' });
    const detail = h('div', { id: 'bot-detail' });
    root.append(
      h(
        'p',
        { class: 'note' },
        'Bots trade on paper against the replayed market: each decides at its bar close and fills at the next open, with the fees and slippage it was given. ',
        h('a', { href: '#/backtests' }, 'Backtest a strategy first'),
        '.',
      ),
      section('bot-create', 'New bot', form, error),
      section('bots-section', 'Your bots', listBox),
      detail,
    );

    let bots: Bot[] = [];
    const statuses = new Map<string, BotStatus>();
    let chosen: string | undefined;
    let chart: IChartApi | undefined;
    let equitySeries: ISeriesApi<'Line'> | undefined;
    const equity: LiveEquity[] = [];

    const drawList = () => {
      if (!bots.length) {
        listBox.replaceChildren(h('p', {}, 'No bots yet: create one above.'));
        return;
      }
      const rows = bots.map((b) => {
        const s = statuses.get(b.id);
        const toggle = h(
          'button',
          {
            type: 'button',
            class: 'small',
            'aria-label': `${b.status === 'running' ? 'Stop' : 'Start'} ${b.name}`,
          },
          b.status === 'running' ? 'Stop' : 'Start',
        );
        toggle.addEventListener('click', () => void act(b, b.status === 'running' ? 'stop' : 'start'));
        const show = h('button', { type: 'button', class: 'small', 'aria-label': `Show ${b.name}` }, 'Show');
        show.addEventListener('click', () => void choose(b.id));
        const remove = h(
          'button',
          { type: 'button', class: 'small', 'aria-label': `Delete ${b.name}` },
          'Delete',
        );
        remove.addEventListener('click', () => void del(b));
        const tr = h(
          'tr',
          { 'data-bot': b.id, class: b.id === chosen ? 'chosen' : undefined },
          h('th', { scope: 'row' }, b.name),
          h('td', {}, `${b.tradingPair} · ${b.timeframe}`),
          h('td', {}, b.strategy.replace(/_/g, ' ')),
          h('td', { class: `bot-status status-${b.status}` }, b.status),
          h('td', { class: 'num' }, s ? money(s.equity) : '—'),
          h('td', { class: `num ${sign(s?.pnl)}` }, s ? `${money(s.pnl)} (${pct(s.pnlPercent)})` : '—'),
          h(
            'td',
            { class: 'decision' },
            s?.decisions[0] ? `${s.decisions[0].action}: ${s.decisions[0].reason}` : '—',
          ),
          h('td', { class: 'actions' }, toggle, show, remove),
        );
        return tr;
      });
      listBox.replaceChildren(
        scroller(
          'Bots table',
          undefined,
          h(
            'table',
            { id: 'bots-table' },
            h('caption', {}, 'Your bots, newest first: status, equity at the market clock, last decision.'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...[
                  'Bot',
                  'Pair',
                  'Strategy',
                  'Status',
                  'Equity (USD)',
                  'P&L',
                  'Last decision',
                  'Actions',
                ].map((t, i) => h('th', { scope: 'col', class: i === 4 || i === 5 ? 'num' : undefined }, t)),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
        ),
      );
    };

    const loadStatus = async (id: string) => {
      const s = await api.bots.status(id);
      statuses.set(id, s);
      marketTime(s.asOf);
      return s;
    };
    const load = async () => {
      bots = await api.bots.list();
      await Promise.all(bots.map((b) => loadStatus(b.id).catch(() => undefined)));
      drawList();
      if (chosen && !bots.some((b) => b.id === chosen)) chosen = undefined;
      const first = chosen ?? bots[0]?.id;
      if (first) await choose(first);
      else detail.replaceChildren();
    };

    const act = async (b: Bot, verb: 'start' | 'stop') => {
      error.textContent = '';
      try {
        const out = verb === 'start' ? await api.bots.start(b.id) : await api.bots.stop(b.id);
        b.status = out.status;
        await loadStatus(b.id).catch(() => undefined);
        drawList();
        if (chosen === b.id) await choose(b.id);
        document
          .querySelector<HTMLButtonElement>(`tr[data-bot="${CSS.escape(b.id)}"] .actions button`)
          ?.focus();
      } catch (err) {
        error.textContent = message(err);
      }
    };
    const del = async (b: Bot) => {
      if (!confirm(`Delete the bot “${b.name}”? Its paper ledger goes with it.`)) return;
      error.textContent = '';
      try {
        await api.bots.remove(b.id);
        if (chosen === b.id) chosen = undefined;
        await load();
      } catch (err) {
        error.textContent = message(err);
      }
    };

    const decisionsTable = (s: BotStatus) =>
      s.decisions.length
        ? table(
            'Decisions, newest first (bar close → action)',
            [['Bar'], ['Action'], ['Reason'], ['Decided (market time)']],
            s.decisions.map((d) => [minute(d.bar), d.action, d.reason, minute(d.decidedAt)]),
            'decisions-table',
          )
        : h('p', { id: 'decisions-table' }, 'No decisions yet: a running bot decides at each bar close.');

    const choose = async (id: string) => {
      chosen = id;
      const b = bots.find((x) => x.id === id);
      if (!b) return;
      const s = statuses.get(id) ?? (await loadStatus(id));
      equity.length = 0;
      equity.push({ time: s.asOf, value: s.equity });
      for (const tr of listBox.querySelectorAll('tr[data-bot]'))
        tr.classList.toggle('chosen', (tr as HTMLElement).dataset.bot === id);
      const chartBox = h('div', {
        id: 'bot-equity-chart',
        class: 'chart small',
        role: 'img',
        'aria-label': `${b.name}: equity over market time, from its status and live ticks`,
      });
      detail.replaceChildren(
        section(
          'bot-detail-section',
          `${b.name} (${b.tradingPair}, ${b.strategy.replace(/_/g, ' ')}, ${b.timeframe})`,
          h(
            'dl',
            { class: 'tiles', id: 'bot-tiles' },
            tile('status', 'Status', s.status, b.stopReason ? `stopped: ${b.stopReason}` : ''),
            tile('equity', 'Equity', money(s.equity), `as of ${minute(s.asOf)}`),
            tile('pnl', 'P&L', money(s.pnl), pct(s.pnlPercent)),
            tile('cash', 'Cash', money(s.cash), ''),
            tile(
              'position',
              'Position',
              String(s.positionAmount),
              s.price == null ? 'no quote' : `at ${money(s.price)}`,
            ),
            tile(
              'drawdown',
              'From peak',
              s.peakEquity ? frac(s.equity / s.peakEquity - 1) : '—',
              s.peakEquity ? `peak ${money(s.peakEquity)}` : '',
            ),
          ),
          chartBox,
          h(
            'p',
            { class: 'note' },
            h(
              'a',
              { href: `#/portfolio?id=${encodeURIComponent(b.portfolioId)}` },
              'The bot’s ledger as a portfolio',
            ),
            ` · next decision due ${minute(s.nextAlarm)}`,
          ),
          h('div', { id: 'decisions' }, decisionsTable(s)),
        ),
      );
      chart?.remove();
      chart = lineChart(chartBox, [{ title: 'equity', color: '#79c0ff', points: equity }]);
      equitySeries = chart.panes()[0]?.getSeries()[0] as ISeriesApi<'Line'> | undefined;
      chartBox.dataset.points = String(equity.length);
    };

    const setTile = (key: string, value: string, note?: string) => {
      const t = detail.querySelector<HTMLElement>(`[data-key="${key}"]`);
      if (!t) return;
      (t.querySelector('.value') as HTMLElement).textContent = value;
      if (note !== undefined) (t.querySelector('.note') as HTMLElement).textContent = note;
    };

    // ---- live: decisions and equity ----
    // How many live messages arrived: the browser suite reads it to tell a socket update from a reload.
    const heard = () => {
      listBox.dataset.live = String(Number(listBox.dataset.live ?? 0) + 1);
    };
    const onStatus = (m: ServerMessage) => {
      if (m.type !== 'bot_status') return;
      heard();
      const b = bots.find((x) => x.id === m.botId);
      if (!b) return;
      const status = m.status === 'stopped' ? 'stopped' : 'running';
      b.status = status;
      const s = statuses.get(b.id);
      if (s) {
        s.status = status;
        s.decisions.unshift({
          bar: String(m.bar ?? ''),
          action: String(m.decision),
          reason: String(m.reason),
          orderId: typeof m.orderId === 'string' ? m.orderId : null,
          decidedAt: String(m.marketTime ?? ''),
        });
        s.decisions.length = Math.min(s.decisions.length, 20);
      }
      if (typeof m.marketTime === 'string') marketTime(m.marketTime);
      drawList();
      if (b.id === chosen && s) {
        setTile('status', status);
        detail.querySelector('#decisions')?.replaceChildren(decisionsTable(s));
      }
    };
    const onMetrics = (m: ServerMessage) => {
      if (m.type !== 'performance_metrics') return;
      heard();
      const s = statuses.get(String(m.botId));
      if (!s || typeof m.equity !== 'number') return;
      s.equity = m.equity;
      s.pnl = Number(m.pnl);
      s.pnlPercent = Number(m.pnlPercent);
      s.cash = Number(m.cash);
      s.positionAmount = Number(m.positionAmount);
      drawList();
      if (s.botId !== chosen) return;
      const at = String(m.marketTime);
      setTile('equity', money(s.equity), `as of ${minute(at)}`);
      setTile('pnl', money(s.pnl), pct(s.pnlPercent));
      setTile('cash', money(s.cash));
      setTile('position', String(s.positionAmount), `at ${money(Number(m.price))}`);
      equity.push({ time: at, value: s.equity });
      const t = Math.floor(Date.parse(at) / 1000) as UTCTimestamp;
      const last = equitySeries?.data().at(-1);
      if (equitySeries && (!last || t >= (last.time as number)))
        equitySeries.update({ time: t, value: s.equity });
      const box = document.getElementById('bot-equity-chart');
      if (box) box.dataset.points = String(equity.length);
    };
    const personal = (path: string, name: string, onMessage: (m: ServerMessage) => void) =>
      new LiveTopic({
        path,
        token: () => session()?.access_token,
        onMessage,
        onReset: () => void load().catch(report),
        onState: (state, detail) => setState(name, state, detail),
        onAuthFailure: async (reason) => {
          if (/revoked/i.test(reason) || !(await refresh())) {
            signOut();
            return false;
          }
          return true;
        },
      });

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const v = values(form);
      const body: BotInput = {
        name: v.name ?? '',
        tradingPair: v.tradingPair ?? 'BTC/USD',
        strategy: (v.strategy ?? 'sma_crossover') as Strategy,
        timeframe: (v.timeframe ?? '1h') as BotInput['timeframe'],
        initialBalance: optional(v.initialBalance),
        riskPerTrade: optional(v.riskPerTrade),
        stopLoss: optional(v.stopLoss),
        takeProfit: optional(v.takeProfit),
      };
      try {
        const bot = await api.bots.create(body);
        chosen = bot.id;
        await load();
      } catch (err) {
        error.textContent = message(err);
      }
    });

    await load();
    const links = [
      personal('/ws/bot-status', 'bots', onStatus),
      personal('/ws/performance-metrics', 'equity', onMetrics),
    ];
    signal.addEventListener('abort', () => {
      for (const l of links) l.stop();
      chart?.remove();
      setState('bots', 'stopped');
      setState('equity', 'stopped');
    });
  },
};

function tile(key: string, label: string, value: string, note = ''): HTMLElement {
  return h(
    'div',
    { class: 'tile', 'data-key': key },
    h('dt', {}, label),
    h('dd', { class: 'value' }, value),
    h('dd', { class: 'note' }, note),
  );
}
