import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      /** The SQL migrations, read by vitest.config.ts and applied by test/setup. */
      TEST_MIGRATIONS: D1Migration[];
      /** test/security/fuzz.test.ts: requests per operation and role; empty for the CI default. */
      FUZZ_RUNS: string;
      /** test/security/fuzz.test.ts: the generator's seed; empty for the fixed default. */
      FUZZ_SEED: string;
    }
  }
}
