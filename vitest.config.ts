import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { configDefaults, defineConfig } from 'vitest/config';
import { generateDevSecrets } from './scripts/lib/dev-secrets';

const migrations = await readD1Migrations('./migrations');

// Every package the Worker and its tests import, found by reading their imports. Vite bundles
// these once per run into a few files (its dependency optimizer) instead of every test file's
// runtime loading each of their modules one by one (viem alone is over a thousand). All of them,
// not a chosen few: a package imported both bundled and unbundled would exist twice, and
// `hono/route` outside the bundle could not read what bundled `hono` stored on a context.
function importedPackages(dirs: string[]): string[] {
  const specifiers = new Set<string>();
  for (const dir of dirs) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.startsWith('browser/')) continue;
      const source = readFileSync(join(dir, file), 'utf8');
      const statements =
        /^(?:import|export)\s(?:[^;'"]*?\sfrom\s*)?['"]([^.'"/][^'"]*)['"]|\bimport\(\s*['"]([^.'"/][^'"]*)['"]\s*\)/gm;
      for (const [, fromStatement, fromCall] of source.matchAll(statements)) {
        const specifier = fromStatement ?? fromCall;
        if (specifier && !/^(node|cloudflare):|^vitest\b/.test(specifier)) specifiers.add(specifier);
      }
    }
  }
  return [...specifiers].sort();
}

// The local EVM node scripts/lib/evm-node.ts starts (wallet and DEX tests).
const evmRpcPort = process.env.EVM_RPC_PORT ?? '8807';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Fresh keys per run: tests never depend on a developer's .dev.vars.
        bindings: {
          TEST_MIGRATIONS: migrations,
          ENVIRONMENT: 'test',
          // The isolate's read memo (src/core/read-memo.ts) is off: tests write quotes and
          // assets in many ways and read them back at once; test/core/read-memo.test.ts turns it on.
          READ_MEMO_MS: '0',
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
    // Files share a runtime and its loaded modules instead of each starting its own: that start
    // and module loading were most of the suite's time (the whole suite: 607 s isolated, ~180 s
    // shared, same machine). Storage stays per file: test/setup/reset-storage.ts empties it.
    isolate: false,
    // Four files at a time even on two cores: files wait on the runtime's I/O (D1, objects)
    // between bursts of CPU.
    maxWorkers: 4,
    // Four files at a time on a two-core runner: a test doing a few seconds of CPU-bound work
    // (password hashing, model fits) gets room to finish instead of failing on the 5 s default.
    testTimeout: 15_000,
    deps: {
      optimizer: {
        ssr: {
          enabled: true,
          include: importedPackages(['src', 'durable', 'test']),
          // viem names Node's worker_threads in a branch that never runs inside a Worker.
          rolldownOptions: { external: ['node:worker_threads'] },
        },
      },
    },
    // Headless-browser tests run in Node against wrangler dev: vitest.browser.config.ts.
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    setupFiles: ['./test/setup/reset-storage.ts'],
    globalSetup: ['./scripts/lib/evm-node.ts'],
    // Structured logs (src/core/logger.ts) are for Workers Logs; tests assert on behaviour.
    onConsoleLog: (line) => !line.startsWith('{"level":'),
  },
});
