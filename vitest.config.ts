import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { configDefaults, defineConfig } from 'vitest/config';
import { generateDevSecrets } from './scripts/lib/dev-secrets';

const migrations = await readD1Migrations('./migrations');
// The local EVM node scripts/lib/evm-node.ts starts (wallet and DEX tests).
const evmRpcPort = process.env.EVM_RPC_PORT ?? '8807';

/**
 * Files that need storage of their own: they assert on global counts, the market clock,
 * cron and queue state or the telemetry sink, which other files also write. They run
 * isolated (a fresh runtime and storage per file); every other file shares its worker's
 * runtime with the files before it, which loads the app once per worker instead of once per
 * file (measured: the whole suite 664 s isolated, 179 s so; these files failed shared in some order).
 */
const NEEDS_ISOLATION = [
  'test/domains/assets/assets.test.ts',
  'test/domains/bots/bots.test.ts',
  'test/domains/dex/dex.test.ts',
  'test/domains/health/health.test.ts',
  'test/domains/macro/macro.test.ts',
  'test/domains/ops/*.test.ts',
  'test/domains/portfolios/benchmarks.test.ts',
  'test/domains/portfolios/v1.test.ts',
  'test/domains/prices/admin-market.test.ts',
  'test/domains/prices/freshness.test.ts',
  'test/domains/prices/prices.test.ts',
  'test/domains/signals/signals.test.ts',
  'test/domains/wallets/key-rotation.test.ts',
  'test/ingestion/*.test.ts',
  'test/live/*.test.ts',
  'test/domains/alerts/*.test.ts',
  'test/domains/risk/*.test.ts',
];

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
          CHAIN_RPC_URLS: JSON.stringify({ '1': `http://127.0.0.1:${evmRpcPort}` }),
        },
      },
    }),
  ],
  test: {
    // Four files at a time even on two cores: a file spends most of its time loading modules
    // over the runner's RPC, not on the CPU (measured: 82 s with 2 workers, 50 s with 4 on the
    // same eight files; 8 were no faster).
    maxWorkers: 4,
    // Headless-browser tests run in Node against wrangler dev: vitest.browser.config.ts.
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          isolate: false,
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/browser/**', ...NEEDS_ISOLATION],
        },
      },
      { extends: true, test: { name: 'isolated', include: NEEDS_ISOLATION } },
    ],
    setupFiles: ['./test/setup/apply-migrations.ts'],
    globalSetup: ['./scripts/lib/evm-node.ts'],
    // Structured logs (src/core/logger.ts) are for Workers Logs; tests assert on behaviour.
    onConsoleLog: (line) => !line.startsWith('{"level":'),
  },
});
