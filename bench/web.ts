import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../scripts/lib/chromium';
import { startServer } from './lib/server';

// The web app's market page in headless Chromium over loopback: time to first price (from
// navigation start to the first watchlist price in the DOM), to the first live tick and the
// JavaScript it loaded. Cold: a fresh browser context each run (empty cache); warm: reloads
// in one context. Recorded by a MutationObserver installed before the page's scripts run, so
// the figure is the page's own clock, not the test driver's polling.
//
// Baseline, in the same run against the same server: the one API call that carries the
// prices (`GET /api/v1/watchlists/default`), timed over loopback from the driver just before
// each page load, while nothing else runs. `first price / API call` is what the app adds on
// top of the data it must fetch anyway (HTML, scripts, rendering); it travels between machines.

const RUNS = 10;

interface Sample {
  firstPrice: number;
  /** The watchlist call alone, from the driver just before the page load (the baseline). */
  apiCall: number;
  domContentLoaded: number;
  jsBytes: number;
  requests: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

export async function runWebBench(): Promise<Record<string, string | number>[]> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}`);
  const server = await startServer({ persistTo: '.wrangler/bench-web' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox'],
  });
  try {
    const measure = async (page: Page, reload: boolean): Promise<Sample> => {
      // The baseline: the same data over the same loopback, without the app around it.
      const t0 = performance.now();
      await (await fetch(`${server.origin}/api/v1/watchlists/default`)).json();
      const apiCall = performance.now() - t0;
      if (reload) await page.reload();
      else await page.goto(`${server.origin}/`);
      await page.waitForFunction(
        () => (window as unknown as { __firstPrice?: number }).__firstPrice !== undefined,
        null,
        {
          timeout: 30_000,
        },
      );
      // The page's own resource timings: what it had loaded by the time the first price showed.
      const sample = await page.evaluate(() => {
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        return {
          firstPrice: (window as unknown as { __firstPrice: number }).__firstPrice,
          domContentLoaded: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
            .domContentLoadedEventEnd,
          jsBytes: resources
            .filter((r) => r.name.endsWith('.js'))
            .reduce((sum, r) => sum + r.decodedBodySize, 0),
          requests: resources.length + 1,
        };
      });
      return { ...sample, apiCall };
    };
    const init = () => {
      const w = window as unknown as { __firstPrice?: number };
      new MutationObserver((_, obs) => {
        const cell = document.querySelector('#assets tbody .price');
        if (cell?.textContent && /\d/.test(cell.textContent)) {
          w.__firstPrice = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    };
    const cold: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript(init);
      cold.push(await measure(await context.newPage(), false));
      await context.close();
    }
    const warm: Sample[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(init);
    const page = await context.newPage();
    await measure(page, false);
    for (let i = 0; i < RUNS; i++) warm.push(await measure(page, true));
    await context.close();
    const row = (name: string, xs: Sample[]) => ({
      load: name,
      runs: xs.length,
      'API call p50 ms (baseline)': quantile(
        xs.map((x) => x.apiCall),
        0.5,
      ).toFixed(0),
      'first price / API call': (
        quantile(
          xs.map((x) => x.firstPrice),
          0.5,
        ) /
        quantile(
          xs.map((x) => x.apiCall),
          0.5,
        )
      ).toFixed(1),
      'first price p50 ms': quantile(
        xs.map((x) => x.firstPrice),
        0.5,
      ).toFixed(0),
      'first price p90 ms': quantile(
        xs.map((x) => x.firstPrice),
        0.9,
      ).toFixed(0),
      'DOMContentLoaded p50 ms': quantile(
        xs.map((x) => x.domContentLoaded),
        0.5,
      ).toFixed(0),
      'JS KiB loaded': ((xs[0]?.jsBytes ?? 0) / 1024).toFixed(1),
      'requests by first price': xs[0]?.requests ?? 0,
    });
    return [row('cold (new context)', cold), row('warm (reload)', warm)];
  } finally {
    await browser.close();
    await server.stop();
  }
}
