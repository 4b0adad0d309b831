import { ensureChromium } from './lib/chromium';

// `npm run test:browser` runs this first: the browser suite's one prerequisite outside npm.
if (!ensureChromium()) process.exit(1);
