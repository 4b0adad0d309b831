import { bucketsFor } from '../src/core/rate-limits';
import { ensureDevVars } from './lib/dev-secrets';
import { copyDocsAssets } from './lib/docs-assets';
import { declaredCrons, driveCrons } from './lib/local-cron';
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
copyDocsAssets();
console.log(`start: ready in ${Math.round(performance.now() - started)} ms; starting wrangler dev`);
const port = process.env.PORT ?? '8787';
const origin = `http://127.0.0.1:${port}`;

// Locally no request carries CF-Connecting-IP, so every browser tab, socket and curl is one
// guest address sharing one set of buckets (a dashboard load alone costs ~17 of 100 an hour).
// `npm start` scales every limit for that; deployments keep wrangler.toml's RATE_LIMIT_SCALE
// of 1, where Cloudflare gives each client its own address. RATE_LIMIT_SCALE=1 npm start
// runs with production's limits.
const rateLimitScale = process.env.RATE_LIMIT_SCALE ?? '20';
const local = bucketsFor('POST', '/api/v1/auth/login', { kind: 'guest' }, Number(rateLimitScale));
console.log(
  `start: local rate limits x${rateLimitScale} (RATE_LIMIT_SCALE; production: 1): ${local.address
    .map((b) => `${b.rule} ${b.limit}/${b.windowSeconds === 60 ? 'minute' : 'hour'}`)
    .join(', ')}`,
);

// Fire the crons locally (wrangler dev does not), and one ingestion tick as soon as the
// server answers, so prices move from the first minute.
const crons = declaredCrons();
const stopCrons = driveCrons(origin, crons);
void (async () => {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${origin}/health`)).ok) {
        await fetch(`${origin}/__scheduled?cron=${encodeURIComponent('* * * * *')}`);
        console.log(`start: firing ${crons.join(', ')} locally on schedule (wrangler dev does not)`);
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
})();

process.exitCode = await wranglerForeground([
  'dev',
  '--ip',
  '127.0.0.1',
  '--port',
  port,
  '--test-scheduled',
  '--var',
  `RATE_LIMIT_SCALE:${rateLimitScale}`,
  ...process.argv.slice(2),
]);
stopCrons();
