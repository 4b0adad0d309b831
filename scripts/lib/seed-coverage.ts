// Which endpoints the seed documents (../shared/seeds/) describe, and which of them the
// OpenAPI document serves: the README's per-seed table. The extraction is the one of
// ../shared/tools/seed_endpoints.py and seed_coverage.py, so the figures agree with them.
// Pure (no Node or Workers imports): `npm run docs:coverage` writes the table and a workerd
// test compares the README with the Worker's own /openapi.json.

/** Where each seed's relative paths live: 000/001/004 under /api/v1, 002/003 under /api. */
const BASE: Record<string, string> = {
  '000': '/api/v1',
  '001': '/api/v1',
  '002': '/api',
  '003': '/api',
  '004': '/api/v1',
};

const ENDPOINT = /(?:^|[\s`#[])(GET|POST|PUT|PATCH|DELETE)`?\s+(?:\|\s+)?`?(\/[A-Za-z0-9_\-/{}[\].]*)/g;

const count = (s: string, ch: string) => s.split(ch).length - 1;

/** A documented path as a client calls it, with every parameter written `{}`. */
function normalize(seed: string, raw: string): string {
  let path = raw.replace(/[.`]+$/, '');
  // A mermaid node's closing bracket.
  while (path.endsWith(']') && count(path, ']') > count(path, '[')) path = path.slice(0, -1);
  path = path.replace(/\[(\w+)\]/g, '{$1}');
  if (path === '/health') return path;
  const full = path.startsWith('/api/') ? path : `${BASE[seed] ?? ''}${path}`;
  return (full.replace(/\/+$/, '') || '/').replace(/\{[^}]+\}/g, '{}');
}

/** Every documented `METHOD path` and the seeds that document it; `seeds` maps a seed number to its text. */
export function seedEndpoints(seeds: Record<string, string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const seed of Object.keys(seeds).sort()) {
    for (const match of (seeds[seed] ?? '').matchAll(ENDPOINT)) {
      const [, method = '', path = ''] = match;
      if (!path.startsWith('/') || path.length < 2) continue;
      if (path.includes('localhost') || /\/[a-z]+_[0-9]+/.test(path)) continue;
      const full = normalize(seed, path);
      if (seed === '002' && full.startsWith('/api/v2')) continue;
      const key = `${method} ${full}`;
      const set = out.get(key) ?? new Set<string>();
      set.add(seed);
      out.set(key, set);
    }
  }
  return out;
}

/** The `METHOD path` pairs an OpenAPI document serves, parameters written `{}`. */
export function servedEndpoints(doc: { paths?: Record<string, Record<string, unknown>> }): Set<string> {
  const have = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    const p =
      path
        .replace(/:(\w+)/g, '{$1}')
        .replace(/\{[^}]+\}/g, '{}')
        .replace(/\/+$/, '') || '/';
    for (const method of Object.keys(ops)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method.toLowerCase()))
        have.add(`${method.toUpperCase()} ${p}`);
    }
  }
  return have;
}

const byPath = (a: string, b: string) => {
  const [am = '', ap = ''] = a.split(' ');
  const [bm = '', bp = ''] = b.split(' ');
  return ap === bp ? am.localeCompare(bm) : ap < bp ? -1 : 1;
};

/**
 * The README's section body: per seed, how many of its documented endpoints are served,
 * then the missing ones per seed (collapsed).
 */
export function coverageMarkdown(documented: Map<string, Set<string>>, served: Set<string>): string {
  const perSeed = new Map<string, { served: string[]; missing: string[] }>();
  for (const key of [...documented.keys()].sort(byPath)) {
    for (const seed of documented.get(key) ?? []) {
      const entry = perSeed.get(seed) ?? { served: [], missing: [] };
      (served.has(key) ? entry.served : entry.missing).push(key);
      perSeed.set(seed, entry);
    }
  }
  const seeds = [...perSeed.keys()].sort();
  const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)}%` : '-');
  const distinct = [...documented.keys()];
  const distinctServed = distinct.filter((k) => served.has(k)).length;
  const rows = seeds.map((seed) => {
    const e = perSeed.get(seed) ?? { served: [], missing: [] };
    const total = e.served.length + e.missing.length;
    return [seed, total, e.served.length, e.missing.length, pct(e.served.length, total)];
  });
  rows.push([
    'all (distinct)',
    distinct.length,
    distinctServed,
    distinct.length - distinctServed,
    pct(distinctServed, distinct.length),
  ]);
  const lines = [
    ...markdownTable(['seed', 'documented endpoints', 'served', 'missing', 'served share'], rows),
    '',
  ];
  for (const seed of seeds) {
    const missing = perSeed.get(seed)?.missing ?? [];
    if (!missing.length) continue;
    lines.push(
      `<details><summary>${seed}: ${missing.length} documented endpoints not served yet</summary>`,
      '',
      ...missing.map((k) => `- \`${k}\``),
      '',
      '</details>',
      '',
    );
  }
  return lines.join('\n').trimEnd();
}

/** A table with every column padded to its widest cell, as the formatter (Biome) writes it. */
function markdownTable(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${widths.map((w, i) => (r[i] ?? '').padEnd(w)).join(' | ')} |`;
  const [head = [], ...body] = cells;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

export const COVERAGE_START = '<!-- seed-coverage:start (npm run docs:coverage writes this table) -->';
export const COVERAGE_END = '<!-- seed-coverage:end -->';

/** The README's generated block, or undefined when its markers are missing. */
export function readmeCoverage(readme: string): string | undefined {
  const start = readme.indexOf(COVERAGE_START);
  const end = readme.indexOf(COVERAGE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + COVERAGE_START.length, end).trim();
}

/** The README with its generated block replaced. */
export function withCoverage(readme: string, table: string): string {
  const start = readme.indexOf(COVERAGE_START);
  const end = readme.indexOf(COVERAGE_END);
  if (start < 0 || end < start)
    throw new Error(`README.md lacks the markers ${COVERAGE_START} ... ${COVERAGE_END}`);
  return `${readme.slice(0, start + COVERAGE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
