import { ensureDevVars } from './lib/dev-secrets';
import { wrangler, wranglerForeground } from './lib/wrangler';
import { seed } from './seed';

// `npm start`: a working API with data on http://127.0.0.1:8787 from a fresh clone.
// Every step is idempotent, so a second start reuses what the first one built.
const started = performance.now();
const generated = ensureDevVars();
if (generated.length)
  console.log(`start: generated development secrets in .dev.vars: ${generated.join(', ')}`);
console.log('start: applying migrations to the local D1');
wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true });
console.log('start: seeding');
seed('--local');
console.log(`start: ready in ${Math.round(performance.now() - started)} ms; starting wrangler dev`);
const port = process.env.PORT ?? '8787';
process.exitCode = await wranglerForeground([
  'dev',
  '--ip',
  '127.0.0.1',
  '--port',
  port,
  ...process.argv.slice(2),
]);
