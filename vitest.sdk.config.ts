import { defineConfig } from 'vitest/config';

// The TypeScript SDK's tests: in Node (as SDK users run it), against the `wrangler dev` that
// scripts/sdk-test.ts starts (SDK_ORIGIN). `npm run test:sdk` runs them, then the Python SDK's.
export default defineConfig({
  test: {
    include: ['sdk/typescript/test/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
