// Market: the macro snapshot with freshness, the watchlist with live prices and sparklines
// (guests: the default watchlist; signed in: their own first watchlist, if any), movers, and
// the analytic overview (regime, sentiment, dominance, sector heat map and rotation).
import { type Asset, api, session } from '../api';
import { LiveTopic, type ServerMessage } from '../live';
import type { PageModule } from '../router';
import { MAX_NOTICES, marketTime, notices, setState } from '../shell';
import { h, pct, price, report, scroller, section, sign } from '../ui';

/** Macro series served as prices (indices, rates, commodities), shown with what they are. */
const MACRO = [
  { symbol: 'DXY', label: 'US dollar index', unit: '', digits: 2 },
  { symbol: 'TNX', label: 'US 10-year yield', unit: '%', digits: 2 },
  { symbol: 'FEDFUNDS', label: 'Fed funds rate', unit: '%', digits: 2 },
  { symbol: 'DEXUSEU', label: 'US dollars per euro', unit: '', digits: 4 },
  { symbol: 'GOLD', label: 'Gold', unit: ' $/oz', digits: 2 },
  { symbol: 'WTI', label: 'WTI crude', unit: ' $/bbl', digits: 2 },
];
const SPARK_DAYS = 30;
const MAX_TICKS = 240;

interface Row {
  asset: Asset;
  row: HTMLTableRowElement;
  closes: number[];
  ticks: number[];
}

export const page: PageModule = {
  title: 'Market',
  async render({ root, signal }) {
    const rows = new Map<string, Row>();
    const macro = h('dl', { id: 'macro', class: 'tiles' });
    const tbody = h('tbody');
    const lastTick = h('small', { id: 'last-tick' });
    const caption = h(
      'caption',
      {},
      'The default watchlist: prices update live, trend is 30 daily closes then live ticks.',
    );
    const movers = h('ol', { id: 'movers', class: 'movers' });
    const feed = h('ul', { id: 'notifications', 'aria-live': 'polite' });
    const unread = h('small', { id: 'unread' });
    const markRead = h('button', { type: 'button', id: 'mark-read' }, 'Mark all read');
    const overview = h('div', { id: 'overview', 'aria-busy': 'true' });
    root.append(
      section('macro-section', 'Macro', macro),
      h(
        'section',
        { 'aria-labelledby': 'assets-title' },
        h('h2', { id: 'assets-title' }, 'Assets ', lastTick),
        scroller(
          'Watchlist table',
          undefined,
          h(
            'table',
            { id: 'assets' },
            caption,
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Asset'),
                h('th', { scope: 'col', class: 'num' }, 'Price (USD)'),
                h('th', { scope: 'col', class: 'num' }, '24h'),
                h('th', { scope: 'col' }, 'Trend'),
              ),
            ),
            tbody,
          ),
        ),
      ),
      section('movers-section', 'Movers (24h)', movers),
      overview,
      h(
        'section',
        { 'aria-labelledby': 'notices-title' },
        h('h2', { id: 'notices-title' }, 'Notifications ', unread),
        session()
          ? h('div', { id: 'notices-user' }, markRead, feed)
          : h('p', { id: 'notices-guest' }, 'Sign in to see your notifications arrive live.'),
      ),
    );

    // ---- macro ----
    const setMacro = (
      key: string,
      label: string,
      value: string,
      note: string,
      stale: string | null = null,
    ) => {
      let tile = macro.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
      if (!tile) {
        tile = h(
          'div',
          { class: 'tile', 'data-key': key },
          h('dt', {}, label),
          h('dd', { class: 'value' }),
          h('dd', { class: 'note' }),
        );
        macro.append(tile);
      }
      (tile.querySelector('.value') as HTMLElement).textContent = value;
      // A stale series (history ended before the market clock) says so, with the server's reason.
      (tile.querySelector('.note') as HTMLElement).textContent = stale ? `stale: ${note.trim()}` : note;
      tile.classList.toggle('stale', stale !== null);
      if (stale) tile.title = stale;
      else tile.removeAttribute('title');
    };
    const loadMacro = async () => {
      const results = await api.market.quotes(MACRO.map((m) => m.symbol));
      for (const m of MACRO) {
        const r = results[`AUTO:${m.symbol}`];
        if (!r || r.price == null) continue;
        const asOf = r.date ? ` as of ${String(r.date).slice(0, 10)}` : '';
        setMacro(
          m.symbol,
          m.label,
          `${price(r.price, m.digits)}${m.unit}`,
          `${pct(r.change_percent_24h ?? null)}${asOf}`,
          r.stale ? (r.stale_reason ?? 'stale') : null,
        );
      }
    };
    const applyMacro = (data: {
      fear_greed?: { value: number; classification: string | null; time: string } | null;
      assets?: Record<
        string,
        {
          price: number;
          change_pct_24h: number | null;
          as_of: string;
          stale?: boolean;
          stale_reason?: string | null;
        }
      >;
    }) => {
      const fg = data.fear_greed;
      if (fg)
        setMacro(
          'FEAR_GREED',
          'Fear & greed',
          String(Math.round(fg.value)),
          `${fg.classification ?? ''} as of ${fg.time.slice(0, 10)}`,
        );
      for (const m of MACRO) {
        const q = data.assets?.[m.symbol];
        if (q)
          setMacro(
            m.symbol,
            m.label,
            `${price(q.price, m.digits)}${m.unit}`,
            `${pct(q.change_pct_24h)} as of ${q.as_of.slice(0, 10)}`,
            q.stale ? (q.stale_reason ?? 'stale') : null,
          );
      }
    };

    // ---- watchlist ----
    const paint = (entry: Row, value: number | null, change: number | null) => {
      const cell = entry.row.querySelector('.price') as HTMLElement;
      const before = entry.asset.current_price;
      cell.textContent = price(value);
      const c = entry.row.querySelector('.change') as HTMLElement;
      c.textContent = pct(change);
      c.className = `change num ${sign(change)}`;
      if (value != null && before != null && value !== before) {
        // Restart the flash animation: remove, force a reflow, add again.
        cell.classList.remove('flash-up', 'flash-down');
        void cell.offsetWidth;
        cell.classList.add(value > before ? 'flash-up' : 'flash-down');
      }
      entry.asset.current_price = value;
      entry.asset.price_change_percentage_24h = change;
    };
    const drawMovers = () => {
      const ranked = [...rows.values()]
        .filter((r) => r.asset.price_change_percentage_24h != null)
        .sort(
          (a, b) =>
            Math.abs(b.asset.price_change_percentage_24h ?? 0) -
            Math.abs(a.asset.price_change_percentage_24h ?? 0),
        )
        .slice(0, 5);
      movers.replaceChildren(
        ...ranked.map((r) =>
          h(
            'li',
            {},
            h('a', { href: `#/asset/${r.asset.symbol}` }, r.asset.symbol),
            ' ',
            h(
              'span',
              { class: sign(r.asset.price_change_percentage_24h) },
              pct(r.asset.price_change_percentage_24h),
            ),
          ),
        ),
      );
    };
    const loadAssets = async () => {
      let list = await api.market.defaultWatchlist();
      if (session()) {
        // Signed in: the user's own first watchlist when they have one with assets.
        const own = (await api.market.watchlists().catch(() => ({ watchlists: [] }))).watchlists.find(
          (w) => !w.is_default && w.asset_count > 0,
        );
        if (own) list = await api.market.watchlist(own.id);
      }
      caption.textContent = `${list.is_default ? 'The default watchlist' : `Your watchlist “${list.name}”`}: prices update live, trend is ${SPARK_DAYS} daily closes then live ticks.`;
      for (const asset of list.assets) {
        const existing = rows.get(asset.symbol);
        if (existing) {
          existing.asset = asset;
          paint(existing, asset.current_price, asset.price_change_percentage_24h);
          continue;
        }
        const row = h(
          'tr',
          { 'data-symbol': asset.symbol },
          h(
            'th',
            { scope: 'row', class: 'asset' },
            h('a', { href: `#/asset/${encodeURIComponent(asset.symbol)}`, class: 'symbol' }, asset.symbol),
            h('span', { class: 'name' }, asset.name),
          ),
          h('td', { class: 'price num' }),
          h('td', { class: 'change num' }),
          h('td', { class: 'spark' }),
        );
        tbody.append(row);
        const entry = { asset, row, closes: [], ticks: [] };
        rows.set(asset.symbol, entry);
        paint(entry, asset.current_price, asset.price_change_percentage_24h);
      }
      marketTime(
        list.assets
          .map((a) => a.price_updated_at ?? '')
          .sort()
          .at(-1),
      );
      drawMovers();
    };
    const loadSparklines = async () => {
      const queue = [...rows.values()];
      const worker = async () => {
        for (let entry = queue.shift(); entry && !signal.aborted; entry = queue.shift()) {
          const at = entry.asset.price_updated_at ? Date.parse(entry.asset.price_updated_at) : Number.NaN;
          const end = Number.isNaN(at) ? undefined : new Date(at - 86_400_000).toISOString().slice(0, 10);
          try {
            const body = await api.market.history(entry.asset.id, {
              timeframe: '1d',
              limit: SPARK_DAYS,
              ...(end ? { end_date: end } : {}),
            });
            entry.closes = body.candles.map((c) => c.close);
            drawSpark(entry);
          } catch {
            // a missing sparkline is not worth an error banner; the price still updates
          }
        }
      };
      await Promise.all([worker(), worker(), worker()]);
    };
    const onPrice = (m: ServerMessage) => {
      if (m.type !== 'price_update') return;
      const entry = rows.get(String(m.symbol));
      if (!entry || typeof m.price !== 'number') return;
      paint(entry, m.price, typeof m.change_pct_24h === 'number' ? m.change_pct_24h : null);
      entry.ticks.push(m.price);
      if (entry.ticks.length > MAX_TICKS) entry.ticks.shift();
      drawSpark(entry);
      drawMovers();
      if (typeof m.market_time === 'string') marketTime(m.market_time);
      lastTick.textContent = `last tick ${new Date().toLocaleTimeString()}`;
    };

    // ---- notifications (the shell's feed) ----
    const drawNotices = () => {
      if (!session()) return;
      feed.replaceChildren(
        ...notices.list
          .slice(0, MAX_NOTICES)
          .map((n) =>
            h(
              'li',
              { class: `notice priority-${n.priority}`, 'data-id': n.id },
              h('strong', {}, n.title),
              h('p', {}, n.message),
              h('time', { datetime: n.created_at }, new Date(n.created_at).toLocaleString()),
            ),
          ),
      );
      unread.textContent = `${notices.unread} unread`;
    };
    notices.events.addEventListener('change', drawNotices, { signal });
    drawNotices();
    markRead.addEventListener('click', async () => {
      await api.notifications.markAllRead().catch(report);
      const { loadNotices } = await import('../shell');
      await loadNotices().catch(report);
    });

    await Promise.all([loadAssets(), loadMacro().catch(report)]);
    // The overview (its own chunk) loads once the prices show, so it never holds them up, nor
    // the page's readiness: a fresh deployment computes its snapshots on the first visit
    // (seconds). Each section says aria-busy until it has drawn.
    void import('./market-overview')
      .then((m) => m.renderOverview(overview))
      .catch(report)
      .finally(() => overview.removeAttribute('aria-busy'));
    const links = [
      new LiveTopic({
        path: '/ws/market-data',
        onOpen: (send) => send({ type: 'subscribe', symbols: [...rows.keys()] }),
        onMessage: onPrice,
        onReset: () => void loadAssets().catch(report),
        onState: (state, detail) => setState('prices', state, detail),
      }),
      new LiveTopic({
        path: '/ws/macro',
        onMessage: (m) => {
          if (m.type === 'macro_update') applyMacro((m.data ?? {}) as Parameters<typeof applyMacro>[0]);
        },
        onReset: () => void loadMacro().catch(report),
        onState: (state, detail) => setState('macro', state, detail),
      }),
    ];
    signal.addEventListener('abort', () => {
      for (const l of links) l.stop();
      setState('prices', 'stopped');
      setState('macro', 'stopped');
    });
    await loadSparklines();
  },
};

function drawSpark(entry: Row): void {
  const points = [...entry.closes, ...entry.ticks];
  const cell = entry.row.querySelector('.spark') as HTMLElement;
  if (points.length < 2) return;
  const w = 120;
  const hgt = 32;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const coords = points.map(
    (p, i) =>
      `${((i / (points.length - 1)) * w).toFixed(1)},${(hgt - 2 - ((p - min) / span) * (hgt - 4)).toFixed(1)}`,
  );
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(hgt));
  svg.setAttribute('role', 'img');
  svg.setAttribute(
    'aria-label',
    `${entry.asset.symbol}: ${entry.closes.length} daily closes and ${entry.ticks.length} live ticks, from ${price(min)} to ${price(max)}`,
  );
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', coords.join(' '));
  line.setAttribute('class', (points.at(-1) ?? 0) >= (points[0] ?? 0) ? 'rise' : 'fall');
  svg.append(line);
  cell.replaceChildren(svg);
}
