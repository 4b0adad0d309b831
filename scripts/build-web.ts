import { buildWeb, WEB_OUT } from './lib/web-build';

// wrangler.toml's [build] command: the web app's bundle into public/ before `wrangler dev`
// and `wrangler deploy` (and so before `npm start`, `npm run dev`, `npm run deploy`).
const { ms, bytes } = await buildWeb();
console.log(`web: built ${WEB_OUT} (${Math.round(bytes / 1024)} KiB of JS) in ${ms} ms`);
