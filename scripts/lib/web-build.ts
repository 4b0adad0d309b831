import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build, type OutputFile } from 'esbuild';

/** The web app's TypeScript sources (one module per page under web/src/pages). */
export const WEB_SOURCES = 'web/src';
/** Where the Worker's static assets serve the bundle: `/app/*.js` (git-ignored, built). */
export const WEB_OUT = 'public/app';

/**
 * Bundles the web app with esbuild: `web/src/main.ts` (the shell and router) plus one lazily
 * loaded chunk per page, and the service worker at `/sw.js` (a worker's scope is its own path,
 * so it sits at the root). Everything the pages import from npm (lightweight-charts) is bundled:
 * the app makes no request to another origin. Run by wrangler.toml's [build] before every
 * `wrangler dev` and `wrangler deploy`, so `npm start`, `npm run dev`, the browser suite's
 * server and the deploy all serve a fresh build. Type checking is `npm run typecheck`'s job.
 */
export async function buildWeb(): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const common = {
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    target: 'es2022',
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
    // Written below, file by file: only what changed, each through a rename, so a running
    // `wrangler dev` never serves a half-written bundle while another build runs.
    write: false,
  } as const;
  const [app, sw] = await Promise.all([
    build({
      ...common,
      entryPoints: { main: `${WEB_SOURCES}/main.ts` },
      outdir: WEB_OUT,
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
    }),
    build({ ...common, entryPoints: [`${WEB_SOURCES}/sw.ts`], outfile: 'public/sw.js', format: 'iife' }),
  ]);
  for (const file of [...app.outputFiles, ...sw.outputFiles]) writeAtomically(file);
  // Chunks of earlier builds (their names carry a content hash) would otherwise pile up and deploy.
  const current = new Set(app.outputFiles.map((f) => resolve(f.path)));
  for (const entry of readdirSync(WEB_OUT, { recursive: true, withFileTypes: true }))
    if (entry.isFile() && !current.has(resolve(join(entry.parentPath, entry.name))))
      rmSync(join(entry.parentPath, entry.name));
  const bytes = [app, sw]
    .flatMap((r) => Object.entries(r.metafile.outputs))
    .filter(([file]) => file.endsWith('.js'))
    .reduce((sum, [, out]) => sum + out.bytes, 0);
  return { ms: Math.round(performance.now() - started), bytes };
}

function writeAtomically(file: OutputFile): void {
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) return;
  mkdirSync(dirname(file.path), { recursive: true });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
