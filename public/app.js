// @ts-check
// The live dashboard: macro snapshot, the default watchlist with live prices and
// sparklines, and (signed in) notifications arriving live. Plain DOM, no framework.
import { ApiFailure, call, login, logout, refresh, session } from './api.js';
import { LiveTopic } from './live.js';

/**
 * @typedef {{ id: string, symbol: string, name: string, current_price: number | null,
 *   price_change_percentage_24h: number | null, price_updated_at: string | null }} Asset
 * @typedef {{ id: string, title: string, message: string, priority: string, created_at: string }} Notice
 * @typedef {{ asset: Asset, row: HTMLTableRowElement, closes: number[], ticks: number[] }} Row
 */

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
const MAX_NOTICES = 20;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @type {Map<string, Row>} rows by symbol */
const rows = new Map();
/** @type {Map<string, LiveTopic>} */
const links = new Map();
/** @type {Map<string, string>} link states shown in the status line */
const states = new Map();

/**
 * Enough digits that a live tick visibly moves the price, whatever its magnitude.
 * @param {number | null} value @param {number} [fixed] digits, instead of by magnitude
 */
function formatPrice(value, fixed) {
  if (value == null) return '—';
  const digits = fixed ?? (Math.abs(value) >= 1000 ? 2 : Math.abs(value) >= 1 ? 4 : 6);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** @param {number | null} value */
function formatPct(value) {
  return value == null ? '—' : `${value > 0 ? '+' : ''}${value.toFixed(2)}%`;
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string} [className] @param {string} [text]
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showStatus() {
  $('status').textContent = [...states].map(([name, state]) => `${name}: ${state}`).join(' · ');
}

/** @param {string} name @param {string} state @param {string} [detail] */
function setState(name, state, detail) {
  states.set(name, detail && state !== 'live' ? `${state} (${detail})` : state);
  showStatus();
}

// ---- macro ----

async function loadMacro() {
  const body =
    /** @type {{ results: Record<string, { price: number | null, date: string | null, change_percent_24h?: number | null, stale?: boolean, stale_reason?: string | null }> }} */ (
      await call('/api/prices/batch', {
        method: 'POST',
        body: { tokens: MACRO.map((m) => ({ symbol: m.symbol })) },
      })
    );
  for (const m of MACRO) {
    const r = body.results?.[`AUTO:${m.symbol}`];
    if (!r || r.price == null) continue;
    const asOf = r.date ? ` as of ${String(r.date).slice(0, 10)}` : '';
    setMacro(
      m.symbol,
      m.label,
      `${formatPrice(r.price, m.digits)}${m.unit}`,
      `${formatPct(r.change_percent_24h ?? null)}${asOf}`,
      r.stale ? (r.stale_reason ?? 'stale') : null,
    );
  }
}

/**
 * One tile of the macro list, created on first sight. A stale series (history ended before the
 * market clock) is marked as such, with the server's reason as the tooltip: never shown as live.
 * @param {string} key @param {string} label @param {string} value @param {string} note @param {string | null} [stale]
 */
function setMacro(key, label, value, note, stale = null) {
  let tile = /** @type {HTMLElement | null} */ ($('macro').querySelector(`[data-key="${CSS.escape(key)}"]`));
  if (!tile) {
    tile = el('div', 'tile');
    tile.dataset.key = key;
    tile.append(el('dt', '', label), el('dd', 'value'), el('dd', 'note'));
    $('macro').append(tile);
  }
  /** @type {HTMLElement} */ (tile.querySelector('.value')).textContent = value;
  /** @type {HTMLElement} */ (tile.querySelector('.note')).textContent = stale
    ? `stale: ${note.trim()}`
    : note;
  tile.classList.toggle('stale', stale !== null);
  if (stale) tile.title = stale;
  else tile.removeAttribute('title');
}

/**
 * A live `macro_update`: fear & greed (when the server has it) and the macro assets' quotes.
 * @param {{ fear_greed?: { value: number, classification: string | null, time: string } | null,
 *   assets?: Record<string, { price: number, change_pct_24h: number | null, as_of: string, stale?: boolean, stale_reason?: string | null }> }} data
 */
function applyMacro(data) {
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
        `${formatPrice(q.price, m.digits)}${m.unit}`,
        `${formatPct(q.change_pct_24h)} as of ${q.as_of.slice(0, 10)}`,
        q.stale ? (q.stale_reason ?? 'stale') : null,
      );
  }
}

// ---- assets ----

async function loadAssets() {
  const body = /** @type {{ data: { assets: Asset[] } }} */ (await call('/api/v1/watchlists/default'));
  const assets = body.data.assets;
  const tbody = /** @type {HTMLTableSectionElement} */ ($('assets').querySelector('tbody'));
  for (const asset of assets) {
    const existing = rows.get(asset.symbol);
    if (existing) {
      existing.asset = asset;
      paint(existing, asset.current_price, asset.price_change_percentage_24h);
      continue;
    }
    const row = el('tr');
    row.dataset.symbol = asset.symbol;
    const th = el('th', 'asset');
    th.scope = 'row';
    th.append(el('span', 'symbol', asset.symbol), el('span', 'name', asset.name));
    row.append(th, el('td', 'price num'), el('td', 'change num'), el('td', 'spark'));
    tbody.append(row);
    const entry = { asset, row, closes: [], ticks: [] };
    rows.set(asset.symbol, entry);
    paint(entry, asset.current_price, asset.price_change_percentage_24h);
  }
  const asOf = assets
    .map((a) => a.price_updated_at ?? '')
    .sort()
    .at(-1);
  if (asOf) $('market-time').textContent = `${asOf.slice(0, 16).replace('T', ' ')} UTC`;
}

/** Daily closes up to the day before market time, a few requests at a time. */
async function loadSparklines() {
  const queue = [...rows.values()];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const at = entry.asset.price_updated_at ? Date.parse(entry.asset.price_updated_at) : NaN;
      const end = Number.isNaN(at) ? '' : `&end_date=${new Date(at - 86_400_000).toISOString().slice(0, 10)}`;
      try {
        const path = `/api/v1/assets/${encodeURIComponent(entry.asset.id)}/price-history?timeframe=1d&limit=${SPARK_DAYS}${end}`;
        const body = /** @type {{ data: { candles: { close: number }[] } }} */ (await call(path));
        entry.closes = body.data.candles.map((c) => c.close);
        drawSpark(entry);
      } catch {
        // a missing sparkline is not worth an error banner; the price still updates
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

/** @param {Row} entry @param {number | null} price @param {number | null} pct */
function paint(entry, price, pct) {
  const cell = /** @type {HTMLElement} */ (entry.row.querySelector('.price'));
  const before = entry.asset.current_price;
  cell.textContent = formatPrice(price);
  const change = /** @type {HTMLElement} */ (entry.row.querySelector('.change'));
  change.textContent = formatPct(pct);
  change.classList.toggle('up', (pct ?? 0) > 0);
  change.classList.toggle('down', (pct ?? 0) < 0);
  if (price != null && before != null && price !== before) {
    // Restart the flash animation: remove, force a reflow, add again.
    cell.classList.remove('flash-up', 'flash-down');
    void cell.offsetWidth;
    cell.classList.add(price > before ? 'flash-up' : 'flash-down');
  }
  entry.asset.current_price = price;
}

/** @param {Row} entry */
function drawSpark(entry) {
  const points = [...entry.closes, ...entry.ticks];
  const cell = /** @type {HTMLElement} */ (entry.row.querySelector('.spark'));
  if (points.length < 2) return;
  const w = 120;
  const h = 32;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const coords = points.map(
    (p, i) =>
      `${((i / (points.length - 1)) * w).toFixed(1)},${(h - 2 - ((p - min) / span) * (h - 4)).toFixed(1)}`,
  );
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.setAttribute('role', 'img');
  svg.setAttribute(
    'aria-label',
    `${entry.asset.symbol}: ${entry.closes.length} daily closes and ${entry.ticks.length} live ticks, from ${formatPrice(min)} to ${formatPrice(max)}`,
  );
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', coords.join(' '));
  line.setAttribute('class', (points.at(-1) ?? 0) >= (points[0] ?? 0) ? 'rise' : 'fall');
  svg.append(line);
  cell.replaceChildren(svg);
}

/** @param {import('./live.js').ServerMessage} m */
function onPrice(m) {
  if (m.type !== 'price_update') return;
  const entry = rows.get(String(m.symbol));
  if (!entry || typeof m.price !== 'number') return;
  paint(entry, m.price, typeof m.change_pct_24h === 'number' ? m.change_pct_24h : null);
  entry.ticks.push(m.price);
  if (entry.ticks.length > MAX_TICKS) entry.ticks.shift();
  drawSpark(entry);
  $('last-tick').textContent = `last tick ${new Date().toLocaleTimeString()}`;
}

// ---- notifications ----

/** @type {Set<string>} */
const seen = new Set();
let unread = 0;

async function loadNotifications() {
  const body = /** @type {{ data: { notifications: Notice[], unread_count: number } }} */ (
    await call(`/api/v1/notifications?unread_only=true&limit=${MAX_NOTICES}`)
  );
  seen.clear();
  $('notifications').replaceChildren();
  const list = body.data.notifications;
  for (const n of list.reverse()) addNotice(n, false);
  unread = body.data.unread_count;
  $('unread').textContent = `${unread} unread`;
}

/** @param {Notice} n @param {boolean} live */
function addNotice(n, live) {
  if (seen.has(n.id)) return; // a resumed socket may replay what the HTTP list already had
  seen.add(n.id);
  const li = el('li', `notice priority-${n.priority}${live ? ' fresh' : ''}`);
  li.dataset.id = n.id;
  const time = el('time', '', new Date(n.created_at).toLocaleString());
  time.setAttribute('datetime', n.created_at);
  li.append(el('strong', '', n.title), el('p', '', n.message), time);
  const list = $('notifications');
  list.prepend(li);
  while (list.children.length > MAX_NOTICES) list.lastElementChild?.remove();
  if (live) $('unread').textContent = `${++unread} unread`;
}

// ---- session and links ----

function signedInView() {
  const s = session();
  $('login-form').hidden = !!s;
  $('signed-in').hidden = !s;
  $('who').textContent = s?.email ?? '';
  $('notices-guest').hidden = !!s;
  $('notices-user').hidden = !s;
}

async function startPersonal() {
  signedInView();
  try {
    await loadNotifications();
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return signOut();
    throw err;
  }
  links.get('notifications')?.stop();
  links.set(
    'notifications',
    new LiveTopic({
      path: '/ws/notifications',
      token: () => session()?.access_token,
      onMessage: (m) => m.type === 'notification' && addNotice(/** @type {Notice} */ (m.notification), true),
      onReset: () => void loadNotifications(),
      onState: (state, detail) => setState('notifications', state, detail),
      // "Invalid token" is usually an expired access token: refresh and reconnect.
      onAuthFailure: async (reason) => {
        if (/revoked/i.test(reason) || !(await refresh())) {
          signOut();
          return false;
        }
        return true;
      },
    }),
  );
}

function signOut() {
  links.get('notifications')?.stop();
  links.delete('notifications');
  states.delete('notifications');
  showStatus();
  void logout();
  signedInView();
}

/** @param {unknown} err */
function report(err) {
  $('error').textContent = err instanceof Error ? err.message : String(err);
}

async function main() {
  signedInView();
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const data = new FormData(form);
    $('error').textContent = '';
    try {
      await login(String(data.get('email')), String(data.get('password')));
      form.reset();
      await startPersonal();
    } catch (err) {
      report(err);
    }
  });
  $('logout').addEventListener('click', () => signOut());
  $('mark-read').addEventListener('click', async () => {
    await call('/api/v1/notifications/mark-all-read', { method: 'POST' }).catch(report);
    await loadNotifications().catch(report);
  });

  await Promise.all([loadAssets(), loadMacro().catch(report)]).catch(report);
  links.set(
    'prices',
    new LiveTopic({
      path: '/ws/market-data',
      onOpen: (send) => send({ type: 'subscribe', symbols: [...rows.keys()] }),
      onMessage: onPrice,
      onReset: () => void loadAssets().catch(report),
      onState: (state, detail) => setState('prices', state, detail),
    }),
  );
  links.set(
    'macro',
    new LiveTopic({
      path: '/ws/macro',
      onMessage: (m) =>
        m.type === 'macro_update' &&
        applyMacro(/** @type {Parameters<typeof applyMacro>[0]} */ (m.data ?? {})),
      onReset: () => void loadMacro().catch(report),
      onState: (state, detail) => setState('macro', state, detail),
    }),
  );
  if (session()) await startPersonal().catch(report);
  await loadSparklines();
  document.body.dataset.ready = 'true';
}

void main();
