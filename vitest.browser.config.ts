import { defineConfig } from 'vitest/config';

// The browser suite: headless Chromium (playwright-core, Debian's /usr/bin/chromium) against
// a seeded `wrangler dev`. It runs in Node, not workerd, so it has its own config;
// `npm test` runs it after the workerd suite.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    // One dev server and one browser per file; files run one after another (2-core machines).
    // Set-up migrates and seeds a fresh database: seconds on an idle machine, minutes on a busy one.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
