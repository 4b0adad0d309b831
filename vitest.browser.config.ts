import { defineConfig } from 'vitest/config';

// The browser suite: headless Chromium (playwright-core, Debian's /usr/bin/chromium) against
// a seeded `wrangler dev`. It runs in Node, not workerd, so it has its own config;
// `npm test` runs it after the workerd suite.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    // One dev server and one browser per file; files run one after another (2-core machines).
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
