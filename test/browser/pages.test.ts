import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Server, startServer, stopServers } from '../../bench/lib/server';
import { CHROMIUM_INSTALL, CHROMIUM_PATH } from '../../scripts/lib/chromium';

// The pages besides the dashboard, in headless Chromium against `wrangler dev` with every
// request to another origin aborted: the API reference at /docs and the register page.
// No market data is read, so the database is migrated but not seeded.

const ARTIFACTS = 'test-results';

let server: Server;
let browser: Browser;
let context: BrowserContext;
/** Requests to anything but the dev server: each was aborted, and there must be none. */
let foreign: string[] = [];
let pageErrors: string[] = [];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`${CHROMIUM_INSTALL}\``);
  mkdirSync(ARTIFACTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer({ persistTo: '.wrangler/browser-pages', seed: false }),
    chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-background-networking'],
    }),
  ]);
}, 300_000);

beforeEach(async () => {
  await context?.close();
  foreign = [];
  pageErrors = [];
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  // The network is the loopback only: any other origin is recorded and never reached.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK.has(url.hostname)) return route.continue();
    foreign.push(url.href);
    return route.abort('internetdisconnected');
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  // stopServers, not server?.stop(): a set-up that timed out left `server` unset.
  await stopServers();
});

describe('the API reference at /docs', () => {
  it('renders the operations of /openapi.json with no request to another origin', async () => {
    const doc = (await (await fetch(`${server.origin}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    };
    const register = doc.paths['/api/v1/auth/register']?.post;
    expect(register?.summary).toBeTruthy();
    const tags = new Set(
      Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((o) => o.tags ?? [])),
    );

    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.origin}/docs`);
    // The reference lists every tag of the document in its sidebar, and opens an operation.
    await page.getByRole('heading', { name: 'Meridian API' }).first().waitFor({ timeout: 30_000 });
    for (const tag of ['Auth', 'Health']) {
      expect(tags).toContain(tag);
      await expect(page.getByText(tag, { exact: true }).first().isVisible()).resolves.toBe(true);
    }
    await page.goto(`${server.origin}/docs#tag/auth/POST/api/v1/auth/register`);
    await page
      .getByText(register?.summary ?? '', { exact: true })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}/docs.png` });
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe('the register page', () => {
  it('is where the dashboard’s Register link leads, and signs the new account in', async () => {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.origin);
    await page.getByRole('link', { name: 'Register' }).click();
    await page.waitForSelector('body[data-ready="true"]');
    expect(new URL(page.url()).pathname).toBe('/register');

    const email = `browser-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('register-page-1');
    await page.getByLabel('First name').fill('Ada');
    await page.getByRole('button', { name: 'Register' }).click();
    // Signed in, the new account lands on its portfolio page.
    await page.waitForURL(`${server.origin}/#/portfolio`);
    await page.locator('#who', { hasText: email }).waitFor();

    // The account is real: its own credentials sign in over the API.
    const login = await fetch(`${server.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: 'register-page-1' }),
    });
    expect(login.status).toBe(200);

    // The same email again: the API's refusal is shown, and the page stays.
    await page.goto(`${server.origin}/register`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('another-pass-2');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.locator('#error-register', { hasText: /already/i }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/register');
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
