import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  coverageMarkdown,
  readmeCoverage,
  seedEndpoints,
  servedEndpoints,
  withCoverage,
} from './lib/seed-coverage';

// `npm run docs:coverage`: rewrites the README's per-seed table from the app's OpenAPI
// document (the same routes /openapi.json lists) and the seed documents in ../shared/seeds.
// `-- --check` only reports whether the README is current. test/docs/seed-coverage.test.ts
// fails when the table drifts.
const SEEDS = '../shared/seeds';
const README = 'README.md';

const seeds = Object.fromEntries(
  readdirSync(SEEDS)
    .filter((f) => /^\d{3}_.*\.txt$/.test(f))
    .map((f) => [f.slice(0, 3), readFileSync(join(SEEDS, f), 'utf8')]),
);
// The Worker's modules are typed against workers-types, which this Node program does not
// load: import the app by a computed specifier, so tsc checks it in the Worker's program only.
const APP = '../src/app';
const { createApp } = (await import(APP)) as {
  createApp: () => {
    getOpenAPI31Document(base: { openapi: string; info: { title: string; version: string } }): {
      paths?: Record<string, Record<string, unknown>>;
    };
  };
};
const doc = createApp().getOpenAPI31Document({
  openapi: '3.1.0',
  info: { title: 'Meridian API', version: '' },
});
const table = coverageMarkdown(seedEndpoints(seeds), servedEndpoints(doc));
const readme = readFileSync(README, 'utf8');

if (process.argv.includes('--check')) {
  const current = readmeCoverage(readme) === table;
  console.log(
    current
      ? 'docs:coverage: README.md is current'
      : 'docs:coverage: README.md is stale: npm run docs:coverage',
  );
  process.exit(current ? 0 : 1);
}
writeFileSync(README, withCoverage(readme, table));
console.log(table.split('\n\n')[0]);
