import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      /** The SQL migrations, read by vitest.config.ts and applied by test/setup. */
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
