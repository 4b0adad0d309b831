import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { configDefaults, defineConfig } from 'vitest/config';
import { generateDevSecrets } from './scripts/lib/dev-secrets';

const migrations = await readD1Migrations('./migrations');

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Fresh keys per run: tests never depend on a developer's .dev.vars.
        bindings: {
          TEST_MIGRATIONS: migrations,
          ENVIRONMENT: 'test',
          ...generateDevSecrets(),
          // test/security/fuzz.test.ts: requests per operation and role (`npm run fuzz`), and its seed.
          FUZZ_RUNS: process.env.FUZZ_RUNS ?? '',
          FUZZ_SEED: process.env.FUZZ_SEED ?? '',
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // Headless-browser tests run in Node against wrangler dev: vitest.browser.config.ts.
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    setupFiles: ['./test/setup/apply-migrations.ts'],
    // Structured logs (src/core/logger.ts) are for Workers Logs; tests assert on behaviour.
    onConsoleLog: (line) => !line.startsWith('{"level":'),
  },
});
