import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The API reference's browser bundle, as the installed @scalar/api-reference ships it. */
const SOURCE = 'node_modules/@scalar/api-reference/dist/browser/standalone.js';
/** Where the Worker's static assets serve it (`/vendor/scalar/standalone.js`, git-ignored). */
export const DOCS_BUNDLE = 'public/vendor/scalar/standalone.js';

/**
 * Copies the API reference's bundle into public/ so `/docs` loads it from this Worker, never
 * from a CDN: run by `npm start`, `npm run dev`, the deploy scripts and the browser suite's
 * server. A no-op when the copy is current.
 */
export function copyDocsAssets(): void {
  if (!existsSync(SOURCE)) throw new Error(`${SOURCE} is missing: run npm install`);
  const bundle = readFileSync(SOURCE);
  if (existsSync(DOCS_BUNDLE) && readFileSync(DOCS_BUNDLE).equals(bundle)) return;
  mkdirSync(dirname(DOCS_BUNDLE), { recursive: true });
  copyFileSync(SOURCE, DOCS_BUNDLE);
}
