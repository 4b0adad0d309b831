// The hash router: `#/asset/BTC` → the asset page with params ['BTC']. Each page is its own
// module, loaded on first visit (esbuild splits them into chunks), so the market page's first
// price never waits for the charting library. Adding a page is one line in ROUTES.
import { session } from './api';
import { h } from './ui';

export interface PageContext {
  /** The page's container, emptied before render. */
  root: HTMLElement;
  /** The route's path segments after its name: `#/asset/BTC` → ['BTC']. */
  params: string[];
  /** The query after `?` in the hash: `#/portfolio?id=pf_1`. */
  query: URLSearchParams;
  /** Aborted when the user leaves the page: stop sockets and timers on its 'abort' event. */
  signal: AbortSignal;
}

export interface PageModule {
  title: string;
  render(ctx: PageContext): Promise<void>;
}

interface Route {
  /** Who may open it: anyone, a signed-in user, or an admin. */
  access: 'guest' | 'user' | 'admin';
  load: () => Promise<PageModule>;
}

export const ROUTES: Record<string, Route> = {
  market: { access: 'guest', load: () => import('./pages/market').then((m) => m.page) },
  asset: { access: 'guest', load: () => import('./pages/asset').then((m) => m.page) },
  portfolio: { access: 'user', load: () => import('./pages/portfolio').then((m) => m.page) },
  alerts: { access: 'user', load: () => import('./pages/alerts').then((m) => m.page) },
  bots: { access: 'user', load: () => import('./pages/bots').then((m) => m.page) },
  backtests: { access: 'user', load: () => import('./pages/backtests').then((m) => m.page) },
  account: { access: 'user', load: () => import('./pages/account').then((m) => m.settingsPage) },
  login: { access: 'guest', load: () => import('./pages/account').then((m) => m.loginPage) },
  register: { access: 'guest', load: () => import('./pages/account').then((m) => m.registerPage) },
  admin: { access: 'admin', load: () => import('./pages/admin').then((m) => m.page) },
};

/** The current route from the hash (or `/register` as a path): name, params, query. */
export function current(): { name: string; params: string[]; query: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', q = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (!parts.length && location.pathname === '/register')
    return { name: 'register', params: [], query: new URLSearchParams() };
  const [name = 'market', ...params] = parts;
  return { name, params, query: new URLSearchParams(q) };
}

export function go(hash: string): void {
  if (location.pathname !== '/') location.assign(`/${hash}`);
  else if (location.hash === hash) void render();
  else location.hash = hash;
}

let leaving: AbortController | undefined;
let generation = 0;

/** Renders the current route into #view; a route the caller may not open says why. */
export async function render(): Promise<void> {
  const view = document.getElementById('view');
  if (!view) return;
  leaving?.abort();
  const controller = new AbortController();
  leaving = controller;
  const mine = ++generation;
  const { name, params, query } = current();
  document.body.dataset.ready = 'false';
  document.body.dataset.page = name;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-route]'))
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  const route = ROUTES[name];
  const s = session();
  view.replaceChildren();
  const heading = (title: string, ...rest: (Node | string)[]) =>
    view.append(h('h1', { id: 'page-title', tabindex: -1 }, title), ...rest);
  if (!route) {
    heading('Not found', h('p', {}, 'No such page. ', h('a', { href: '#/' }, 'Back to the market')));
  } else if (route.access !== 'guest' && !s) {
    heading(
      'Sign in required',
      h(
        'p',
        {},
        'This page shows your own data. ',
        h('a', { href: `#/login?next=${encodeURIComponent(name)}` }, 'Sign in'),
        ' or ',
        h('a', { href: '/register' }, 'register'),
        '.',
      ),
    );
  } else if (route.access === 'admin' && s?.role !== 'admin') {
    heading('Admins only', h('p', {}, 'This page is for administrators.'));
  } else {
    const page = await route.load();
    if (mine !== generation) return;
    document.title = `${page.title} · Meridian`;
    heading(page.title);
    try {
      await page.render({ root: view, params, query, signal: controller.signal });
    } catch (err) {
      if (mine !== generation) return;
      view.append(
        h('p', { class: 'failure', role: 'alert' }, err instanceof Error ? err.message : String(err)),
      );
    }
  }
  if (mine !== generation) return;
  // Moving focus to the new page's heading tells keyboard and screen-reader users the page changed.
  if (
    document.activeElement &&
    document.activeElement !== document.body &&
    view.contains(document.activeElement) === false
  )
    document.getElementById('page-title')?.focus();
  document.body.dataset.ready = 'true';
}
