import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Server, startServer, stopServers } from '../../bench/lib/server';
import { CHROMIUM_PATH as CHROMIUM, CHROMIUM_INSTALL } from '../../scripts/lib/chromium';

// The market page of the web app (web/src/pages/market.ts) in headless Chromium against a seeded `wrangler dev`:
// it loads with prices, prices move under the replay, and an alert crossing shows up
// as a live notification. Runs in Node (vitest.browser.config.ts), not in workerd.

const ARTIFACTS = 'test-results';
const MINUTE_CRON = '* * * * *';

let server: Server;
let browser: Browser;
let page: Page;
/** Requests the page made to anything but the dev server (it must make none). */
const foreign: string[] = [];
/** Uncaught exceptions, console errors and warnings (protocol `error` messages are warned). */
const pageErrors: string[] = [];

/** One replay tick, as the minute cron would run it (wrangler dev's `--test-scheduled`). */
async function tick(): Promise<void> {
  const res = await fetch(`${server.origin}/__scheduled?cron=${encodeURIComponent(MINUTE_CRON)}`);
  expect(res.status, await res.text()).toBe(200);
}

async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const res = await fetch(`${server.origin}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'Content-Type': 'application/json',
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  expect(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

async function price(symbol: string): Promise<number> {
  const body = await api<{ data: { current_price: number } }>(`/api/v1/assets/${symbol}`);
  return body.data.current_price;
}

const shownPrices = (p: Page) =>
  p.$$eval('#assets tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        (r as HTMLElement).dataset.symbol ?? '',
        r.querySelector('.price')?.textContent ?? '',
      ]),
    ),
  );

interface Instrumented extends Window {
  __ws: { url: string; socket: WebSocket; received: string[] }[];
  __wsHold: boolean;
  WebSocket: typeof WebSocket;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it with \`${CHROMIUM_INSTALL}\` (npm test does, as root)`,
    );
  mkdirSync(ARTIFACTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer({ persistTo: '.wrangler/browser-test', testScheduled: true }),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-background-networking'],
    }),
  ]);
  // The first tick anchors the replay clock at its start: from here on every tick moves prices.
  await tick();
  page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  page.on('request', (r) => {
    const url = r.url();
    if (
      !url.startsWith(server.origin) &&
      !url.startsWith('data:') &&
      !url.startsWith(server.origin.replace('http', 'ws'))
    )
      foreign.push(url);
  });
  // Instruments WebSocket before the page's scripts run: every socket and the messages it
  // received are recorded, and while \`__wsHold\` is set new sockets are pointed at a path that
  // refuses the upgrade (same origin, so the page's CSP allows it), so the test can hold the dashboard offline while the server publishes.
  await page.addInitScript(() => {
    const w = window as unknown as Instrumented;
    const Native = WebSocket;
    w.__ws = [];
    w.__wsHold = false;
    w.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(w.__wsHold ? new URL('/__held', location.href).href.replace('http', 'ws') : url, protocols);
        const entry = { url: String(url), socket: this as WebSocket, received: [] as string[] };
        w.__ws.push(entry);
        this.addEventListener('message', (e) => entry.received.push(String(e.data)));
      }
    } as typeof WebSocket;
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // Chromium logs the held reconnects' failed handshakes; those are the test's doing.
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('/__held'))
      pageErrors.push(`console.${m.type()}: ${m.text()}`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  // stopServers, not server?.stop(): a set-up that timed out left `server` unset.
  await stopServers();
});

describe('live dashboard', () => {
  it('loads the watchlist with prices, sparklines and the macro snapshot, from this origin only', async () => {
    await page.goto(server.origin);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const prices = await shownPrices(page);
    expect(Object.keys(prices).length).toBeGreaterThanOrEqual(10);
    expect(prices.BTC).toMatch(/^\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(Number((prices.BTC ?? '').replace(/,/g, ''))).toBeCloseTo(await price('BTC'), 1);
    expect(await page.locator('#assets tbody .spark svg polyline').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#macro .tile').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#macro [data-key="DXY"] .value').textContent()).toMatch(/\d/);
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('updates prices live over /ws/market-data when the replay ticks', async () => {
    await page.waitForFunction(
      () => /prices: live/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      {
        timeout: 15_000,
      },
    );
    const before = await shownPrices(page);
    // A few real seconds are a few virtual minutes (REPLAY_SPEED 60): enough to move every crypto price.
    await sleep(2000);
    await tick();
    await page.waitForFunction(
      (old) =>
        Array.from(document.querySelectorAll<HTMLElement>('#assets tbody tr')).filter(
          (r) => r.querySelector('.price')?.textContent !== old[r.dataset.symbol ?? ''],
        ).length >= 3,
      before,
      { timeout: 15_000 },
    );
    const after = await shownPrices(page);
    expect(after.BTC).not.toBe(before.BTC);
    expect(Number((after.BTC ?? '').replace(/,/g, ''))).toBeCloseTo(await price('BTC'), 1);
    expect(await page.locator('#assets .price.flash-up, #assets .price.flash-down').count()).toBeGreaterThan(
      0,
    );
  });

  it('reconnects after losing the socket and resumes from its last seq, replaying what it missed', async () => {
    const before = await shownPrices(page);
    // Offline: the market-data socket drops and reconnects fail while the replay ticks.
    const dropped = await page.evaluate(() => {
      const w = window as unknown as Instrumented;
      w.__wsHold = true;
      const live = w.__ws.filter((e) => e.url.includes('/ws/market-data')).at(-1);
      live?.socket.close(4000, 'test: connection lost');
      return w.__ws.length;
    });
    await page.waitForFunction(() =>
      /prices: offline/.test(document.getElementById('status')?.textContent ?? ''),
    );
    await sleep(1500);
    await tick();
    expect(await shownPrices(page)).toEqual(before);
    // Back online: the next attempt carries ?last_seq= and the server replays the missed ticks.
    await page.evaluate(() => {
      (window as unknown as Instrumented).__wsHold = false;
    });
    const resumed = await page.waitForFunction(
      (from) => {
        const w = window as unknown as Instrumented;
        const socket = w.__ws
          .slice(from)
          .find((e) => e.url.includes('/ws/market-data') && e.received.some((m) => m.includes('"resumed"')));
        return socket ? { url: socket.url, received: socket.received } : false;
      },
      dropped,
      { timeout: 20_000 },
    );
    const socket = await resumed.jsonValue();
    if (!socket) throw new Error('no resumed socket');
    const lastSeq = Number(new URL(socket.url).searchParams.get('last_seq') ?? Number.NaN);
    expect(lastSeq).toBeGreaterThan(0);
    const messages = socket.received.map(
      (m) => JSON.parse(m) as { type: string; seq?: number; from?: number },
    );
    expect(messages.find((m) => m.type === 'resumed')?.from).toBeGreaterThan(lastSeq);
    // Replayed ticks carry their original seqs, all after the one the page last saw.
    const replayed = messages.filter((m) => m.type === 'price_update');
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.every((m) => (m.seq ?? 0) > lastSeq)).toBe(true);
    await page.waitForFunction(() =>
      /prices: live/.test(document.getElementById('status')?.textContent ?? ''),
    );
    expect((await shownPrices(page)).BTC).not.toBe(before.BTC);
  });

  it('shows a triggered price alert as a live notification after signing in through the page', async () => {
    const email = `browser-${Date.now()}@example.com`;
    const password = 'browser-pass-1';
    const { access_token: token } = await api<{ access_token: string }>('/api/v1/auth/register', {
      method: 'POST',
      body: { email, password },
    });
    // The sign-in page (#/login) goes back to the market page once signed in.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForSelector('body[data-ready="true"][data-page="login"]');
    await page.fill('#login-form input[name="email"]', email);
    await page.fill('#login-form input[name="password"]', password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#signed-in:not([hidden])');
    await page.waitForSelector('body[data-ready="true"][data-page="market"]');
    await page.waitForFunction(
      () => /notifications: live/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      { timeout: 15_000 },
    );

    // Which way BTC is heading: within a virtual day the replay path is piecewise linear
    // over 8-hour thirds, so over the next virtual minutes it keeps going the same way.
    const p0 = await price('BTC');
    await sleep(1500);
    await tick();
    const p1 = await price('BTC');
    expect(p1).not.toBe(p0);
    const up = p1 > p0;
    // A threshold a twentieth of the last step ahead: the next tick (at least as far away) crosses it.
    const threshold = p1 + (p1 - p0) / 20;
    await api('/api/v1/alerts', {
      method: 'POST',
      token,
      body: {
        asset_id: 'BTC',
        alert_type: up ? 'price_above' : 'price_below',
        params: { threshold },
        name: `Browser test: BTC ${up ? 'above' : 'below'} ${threshold.toFixed(2)}`,
      },
    });
    await sleep(1500);
    await tick();
    const notice = page.locator('#notifications li', { hasText: 'Browser test: BTC' });
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain(threshold.toFixed(2));
    expect(await page.locator('#unread').textContent()).toBe('1 unread');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    expect(existsSync(`${ARTIFACTS}/dashboard.png`)).toBe(true);
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
