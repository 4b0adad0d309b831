import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` diffs src/db/schema against migrations/meta and writes the next
// SQL migration into migrations/, where `wrangler d1 migrations apply` finds it.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './migrations',
});
