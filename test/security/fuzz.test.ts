import { env } from 'cloudflare:workers';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors';
import { catalogAssetId } from '../../src/domains/assets/catalog';
import { call, callJson } from '../helpers/api';
import { seedMarket } from '../helpers/market';
import { signIn, signUp, signUpAdmin, type TestUser } from '../helpers/users';

/**
 * Property-based fuzzing of every operation in `/openapi.json` (issue 12, "Keep it closed").
 * Requests are generated from each operation's declared parameters and request body: valid
 * values, boundary values and malformed ones (wrong types, 1e308, "NaN", deep nesting, long
 * and unicode strings, missing and extra keys, broken JSON), sent as a guest, a user and an
 * admin. Every answer must be below 500 and have a status the operation declares; a success
 * must have a declared media type; every JSON body must match the schema declared for its
 * status; an error must be in the project's error shape; and a failed write must leave the
 * main tables as they were. `npm test` runs a few requests per operation and role with a
 * fixed seed; `npm run fuzz` (FUZZ_RUNS) runs more and prints how many were tried and what
 * failed.
 */

const FUZZ_RUNS = Number(env.FUZZ_RUNS || 0);
const RUNS = FUZZ_RUNS > 0 ? FUZZ_RUNS : 2;
/** Fixed, so a failure in CI is the same failure on a developer's machine. */
const SEED = Number(env.FUZZ_SEED || 20_240_101);

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  format?: string;
  pattern?: string;
  example?: unknown;
  default?: unknown;
};
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: Record<string, unknown>[];
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const doc = (await (await call('/openapi.json')).json()) as Doc;
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

function resolve(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) {
    const name = s.$ref.split('/').at(-1) ?? '';
    s = doc.components.schemas[name] ?? {};
  }
  return s;
}

// ---- Declared responses ------------------------------------------------------------------

/** An operation's path template as an anchored pattern over a request's path. */
const templates = operations.map((o) => ({
  o,
  pattern: new RegExp(`^${o.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/**
 * The operation a request really reached. URL parsing resolves dot segments (`..`, `%2e%2e`)
 * in a generated path value, so `/portfolios/../assets` is a request for `/assets` and is
 * judged by that operation's declarations; null when no documented operation has that path
 * and method (the app answers 404, or 405 when the path has other methods).
 */
function reached(o: (typeof operations)[number], path: string): (typeof operations)[number] | null {
  // The router ignores one trailing slash (src/app.ts): `/watchlists/wl_1/assets/..` is `/watchlists/wl_1`.
  const pathname = new URL(path, 'https://meridian.test').pathname.replace(/(.)\/$/, '$1');
  const own = templates.find((t) => t.o === o);
  if (own?.pattern.test(pathname)) return o;
  // The most literal path first: `/assets/search` before `/assets/{asset_id}`.
  const params = (p: string) => p.split('{').length;
  const candidates = templates.filter((t) => t.o.method === o.method && t.pattern.test(pathname));
  return candidates.sort((a, b) => params(a.o.path) - params(b.o.path))[0]?.o ?? null;
}

/**
 * The response an operation declares for `status`: its own code, else a range (`4XX`), else
 * `default`, as OpenAPI reads them. Undefined when the document does not admit the status.
 */
function declaredResponse(op: Operation, status: number) {
  return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
}

/**
 * Response bodies are checked with Ajv against the document's own JSON Schemas (OpenAPI 3.1
 * schemas are JSON Schema 2020-12), formats included, and closed: an object field no schema
 * declares fails. Responses are built through their schemas (STYLE.md), so an undeclared
 * field is an internal one leaking or a document that lies. Every object without its own
 * `additionalProperties` gets `unevaluatedProperties: false`, except the members of an
 * `allOf` (a sibling may declare the field): the object holding them is closed instead. The
 * component schemas are added once, as `$defs` of one schema named for the document, each
 * twice: closed under its name for plain references, open as `Open__X` for `allOf` members.
 */
const DOC_ID = 'https://meridian.test/openapi.json';
const DEFS = `${DOC_ID}#/$defs/`;
/** A schema as JSON whose `#/components/schemas/X` references point at the shared `$defs/X`. */
const shared = (schema: unknown): string =>
  JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${DEFS}`);

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `schema` with every object in it closed to undeclared fields, its root too unless `open`. */
function closed(schema: unknown, open = false): unknown {
  if (!isObject(schema)) return schema;
  const s = schema;
  const out: Json = { ...s };
  if (open && typeof s.$ref === 'string') out.$ref = s.$ref.replace(DEFS, `${DEFS}Open__`);
  if (isObject(s.properties)) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, closed(v)]));
  }
  if (isObject(s.items)) out.items = closed(s.items);
  if (isObject(s.additionalProperties)) out.additionalProperties = closed(s.additionalProperties);
  if (Array.isArray(s.allOf)) out.allOf = s.allOf.map((m) => closed(m, true));
  // Union members close themselves, unless the object holding them adds fields beside them.
  const membersOpen = open || Boolean(s.properties || s.allOf);
  if (Array.isArray(s.anyOf)) out.anyOf = s.anyOf.map((m) => closed(m, membersOpen));
  if (Array.isArray(s.oneOf)) out.oneOf = s.oneOf.map((m) => closed(m, membersOpen));
  if (!open && (s.properties || s.allOf) && !('additionalProperties' in s)) {
    out.unevaluatedProperties = false;
  }
  return out;
}

// OpenAPI's annotations beside JSON Schema's: allowed, not checked.
const ajv = new Ajv2020({ allErrors: true, strictTypes: false, strictTuples: false });
ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
addFormats(ajv);
const components = Object.entries(JSON.parse(shared(doc.components.schemas)) as Json);
ajv.addSchema({
  $id: DOC_ID,
  $defs: Object.fromEntries(
    components.flatMap(([name, schema]) => [
      [name, closed(schema)],
      [`Open__${name}`, closed(schema, true)],
    ]),
  ),
});

/** Compiled once per distinct schema: the error responses all share one. */
const validators = new Map<string, ValidateFunction>();

/** Why `body` does not match the JSON schema declared for this status, or null when it does. */
function schemaMismatch(o: (typeof operations)[number], status: number, body: unknown): string | null {
  const schema = declaredResponse(o.op, status)?.content?.['application/json']?.schema;
  if (!schema) return null;
  const key = shared(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(closed(JSON.parse(key)) as Json);
    validators.set(key, validate);
  }
  if (validate(body)) return null;
  return ajv.errorsText(validate.errors?.slice(0, 5), { dataVar: 'body' });
}

// ---- Generators -------------------------------------------------------------------------

const isoDate = fc
  .date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2023-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const decimalString = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((n) => n.toFixed(8)),
);

function pattern(source: string): fc.Arbitrary<string> | null {
  try {
    return fc.stringMatching(new RegExp(source));
  } catch {
    return null;
  }
}

/** One object schema from the parts of an `allOf`: their properties and required keys together. */
function merged(parts: Schema[]): Schema {
  const out: Schema = { type: 'object', properties: {}, required: [] };
  for (const part of parts.map(resolve)) {
    Object.assign(out.properties ?? {}, part.properties);
    out.required?.push(...(part.required ?? []));
  }
  return out;
}

/** Values that satisfy `schema` (as far as JSON Schema says; the server may still refuse them). */
function valid(raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(raw);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const variants = s.anyOf ?? s.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => valid(v, depth)));
  if (s.allOf?.length) return valid(merged(s.allOf), depth);
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => valid({ ...s, type }, depth)));
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
      const bounds = fc.constantFrom(min, max);
      const inside =
        s.type === 'integer'
          ? fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) })
          : fc.double({ min, max: Math.max(min, max), noNaN: true, noDefaultInfinity: true });
      return fc.oneof(inside, bounds);
    }
    case 'string': {
      if (s.format === 'date') return isoDate;
      if (s.format === 'date-time') return isoDate.map((d) => `${d}T12:00:00Z`);
      if (s.format === 'email') return fc.emailAddress();
      if (s.format === 'uri' || s.format === 'url') return fc.webUrl({ withQueryParameters: true });
      const fromPattern = s.pattern ? pattern(s.pattern) : null;
      if (fromPattern) return fromPattern;
      const options: fc.Arbitrary<unknown>[] = [
        fc.string({
          minLength: s.minLength ?? 0,
          maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 40, 40)),
        }),
      ];
      if (typeof s.example === 'string') options.push(fc.constant(s.example));
      if (s.example === '0.25') options.push(decimalString);
      return fc.oneof(...options);
    }
    case 'array':
      return fc.array(valid(s.items ?? {}, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)),
      });
    default:
      if (s.properties) {
        const required = s.required ?? [];
        const model = Object.fromEntries(
          Object.entries(s.properties).map(([k, v]) => [k, valid(v, depth + 1)]),
        );
        return fc.record(model, { requiredKeys: required.filter((k) => k in model) });
      }
      return depth > 2 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Values no field should accept as they are, or should accept without trouble. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    -1,
    0,
    2 ** 31,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e308',
    '-1E308',
    '0x10',
    '',
    ' ',
    '\u0000',
    '%25_%25',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    "=cmd|' /C calc'!A0",
    '9999-12-31',
    '2023-02-30',
    '+010000-01-01',
    '../../etc/passwd',
    '__proto__',
    null,
    true,
    false,
    [],
    {},
    { __proto__: { admin: true } },
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 50, max: 2000 }).map((n) => nested(n)),
  fc.integer({ min: 100, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.double(),
);

/** A body that is not JSON, or is JSON no schema expects. */
const rawBodies = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    'null',
    '[]',
    '"x"',
    'NaN',
    '{"a":1e309}',
    '{"a":}',
    '\uFEFF{}',
    '{"__proto__":{"x":1}}',
  ),
  fc.integer({ min: 500, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 500, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** A valid body with one field broken: replaced, dropped, or joined by unknown keys. */
function mutated(schema: Schema): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid(schema), fc.nat(), nasty, fc.constantFrom('replace', 'drop', 'extra'))
    .map(([value, pick, bad, how]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(resolve(schema).properties ?? copy);
      const key = keys.length ? keys[pick % keys.length] : undefined;
      if (how === 'extra' || !key) {
        copy.unexpected_field = bad;
        Object.defineProperty(copy, '__proto__', { value: { role: 'admin' }, enumerable: true });
      } else if (how === 'drop') delete copy[key];
      else copy[key] = bad;
      return copy;
    });
}

// ---- Fixtures: the objects valid path parameters point at --------------------------------

let user: TestUser;
let admin: TestUser;
let victim: TestUser;
const ids: Record<string, string[]> = {};

/** Path values per parameter name: the caller's real objects, another user's, and catalog ids. */
function known(name: string): string[] {
  const key = name.toLowerCase();
  if (key.includes('portfolio') || key === 'id') return ids.portfolio ?? [];
  if (key.includes('trade')) return ids.trade ?? [];
  if (key.includes('position')) return [...(ids.position ?? []), 'BTC'];
  if (key.includes('watchlist')) return ids.watchlist ?? [];
  if (key.includes('alert')) return ids.alert ?? [];
  if (key.includes('user')) return [victim.id];
  if (key.includes('session')) return [victim.sessionId];
  if (key === 'pair') return ['BTC-USD', 'BTC%2FUSD', 'ETHUSDT'];
  if (key === 'mode') return ['paper', 'live'];
  if (key.includes('asset') || key.includes('symbol')) return ['BTC', 'ETH', catalogAssetId('BTC')];
  return [];
}

function pathValue(p: Parameter): fc.Arbitrary<string> {
  const real = known(p.name);
  return fc.oneof(
    { weight: 3, arbitrary: real.length ? fc.constantFrom(...real) : fc.constant('x') },
    { weight: 1, arbitrary: valid(p.schema ?? { type: 'string' }).map((v) => encodeURIComponent(String(v))) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        nasty.map((v) => encodeURIComponent(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
        fc.constantFrom('%25_%25', '%2e%2e', '%00', '%F0%9F%92%A9', 'usr_00000000000000000000000000', '..'),
      ),
    },
  );
}

function queryValue(p: Parameter): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: valid(p.schema ?? { type: 'string' }).map((v) => String(v)) },
    { weight: 2, arbitrary: nasty.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))) },
  );
}

type Generated = { path: string; body?: unknown; raw?: string; contentType?: string };

function requestFor(o: (typeof operations)[number]): fc.Arbitrary<Generated> {
  const params = o.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const content = o.op.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const csv = 'text/csv' in content;
  const body: fc.Arbitrary<Pick<Generated, 'body' | 'raw' | 'contentType'>> = jsonSchema
    ? fc.oneof(
        { weight: 3, arbitrary: valid(jsonSchema).map((b) => ({ body: b })) },
        { weight: 4, arbitrary: mutated(jsonSchema).map((b) => ({ body: b })) },
        { weight: 1, arbitrary: nasty.map((b) => ({ body: b })) },
        { weight: 1, arbitrary: rawBodies.map((raw) => ({ raw })) },
        {
          weight: 1,
          arbitrary: fc.constant({ raw: 'a=1', contentType: 'application/x-www-form-urlencoded' }),
        },
      )
    : csv
      ? fc.oneof(
          fc.constant({
            raw: 'date,symbol,side,quantity,price\n2023-12-01,BTC,buy,1,40000\n',
            contentType: 'text/csv',
          }),
          fc.string({ unit: 'binary', maxLength: 500 }).map((raw) => ({ raw, contentType: 'text/csv' })),
          fc
            .constantFrom('=1+1,@SUM(A1),+1,-1\n', `${'a,'.repeat(5000)}\n`)
            .map((raw) => ({ raw, contentType: 'text/csv' })),
        )
      : fc.constant({});
  return fc
    .tuple(
      fc.tuple(...pathParams.map(pathValue)),
      fc.tuple(...queryParams.map(queryValue)),
      fc.option(fc.tuple(fc.constantFrom('unknown_param', 'limit', 'offset'), nasty), { nil: undefined }),
      body,
    )
    .map(([pathValues, queryValues, extra, b]) => {
      let path = o.path;
      pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, pathValues[i] || 'x');
      });
      const query = new URLSearchParams();
      queryParams.forEach((p, i) => {
        const v = queryValues[i];
        if (v !== undefined) query.append(p.name, v);
      });
      if (extra)
        query.append(extra[0], typeof extra[1] === 'string' ? extra[1] : (JSON.stringify(extra[1]) ?? ''));
      const qs = query.toString();
      return { path: qs ? `${path}?${qs}` : path, ...b };
    });
}

// ---- The invariant a failed write must keep ---------------------------------------------

const TABLES = [
  'users',
  'api_keys',
  'assets',
  'portfolios',
  'positions',
  'trades',
  'ledger_commits',
  'watchlists',
  'watchlist_assets',
  'alerts',
  'feedback',
  'notifications',
  'push_subscriptions',
  'jobs',
];

async function fingerprint(): Promise<string> {
  const counts = TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ');
  const row = await env.DB.prepare(
    `SELECT ${counts}, (SELECT coalesce(sum(ledger_version), 0) || ':' || coalesce(group_concat(cash), '') FROM portfolios) AS ledger`,
  ).first();
  return JSON.stringify(row);
}

// ---- The run -----------------------------------------------------------------------------

type Role = 'guest' | 'user' | 'admin';
const ROLES: Role[] = ['guest', 'user', 'admin'];
const CODES = new Set(Object.keys(ERROR_CODES));
const stats = {
  requests: 0,
  failures: [] as string[],
  statuses: new Map<number, number>(),
  validated: 0,
};

/** Operations that can end the caller's own session or account: each gets a caller of its own. */
const ACCOUNT_CHANGING =
  /auth\/(logout|2fa)|sessions|change-password|users\/(me|profile)$|api-keys|admin\/users|terminate-session/;

const requiresAuth = (op: Operation) =>
  Boolean(op.security?.length) && !op.security?.some((r) => Object.keys(r).length === 0);

async function callerFor(role: Role, path: string): Promise<{ token: string } | 'guest'> {
  if (role === 'guest') return 'guest';
  if (!ACCOUNT_CHANGING.test(path)) return role === 'user' ? user.as : admin.as;
  return role === 'user' ? (await signUp()).as : (await signUpAdmin()).as;
}

async function check(
  o: (typeof operations)[number],
  role: Role,
  as: { token: string } | 'guest',
  req: Generated,
) {
  const write = o.method !== 'GET';
  const before = write ? await fingerprint() : '';
  const headers: Record<string, string> = req.contentType ? { 'Content-Type': req.contentType } : {};
  const res = await call(req.path, { method: o.method, as, headers, body: req.raw ?? req.body });
  const text = await res.text();
  stats.requests++;
  stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
  const where = `${role} ${o.method} ${req.path.slice(0, 200)}`;
  expect(res.status, `${where}: ${text.slice(0, 300)}`).toBeLessThan(500);
  const target = reached(o, req.path);
  if (!target) {
    expect([404, 405], `${where}: reached no documented operation`).toContain(res.status);
  }
  const response = target ? declaredResponse(target.op, res.status) : undefined;
  if (target) {
    const op = `${target.method} ${target.path}`;
    expect(
      response,
      `${where}: ${res.status} is not a status ${op} declares: ${text.slice(0, 300)}`,
    ).toBeDefined();
  }
  const declared = response?.content ?? {};
  const mediaType = (res.headers.get('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
  const isJson = mediaType === 'application/json';
  if (res.status >= 400) {
    expect(isJson, `${where}: error not JSON`).toBe(true);
    const body = JSON.parse(text) as {
      success: boolean;
      error: Record<string, unknown>;
      status_code: number;
    };
    expect(body.success, where).toBe(false);
    expect(CODES.has(String(body.error.code)), `${where}: code ${String(body.error.code)}`).toBe(true);
    expect(body.error.status_code, where).toBe(res.status);
    expect(body.status_code, where).toBe(res.status);
    expect(typeof body.error.message, where).toBe('string');
    expect(text, where).not.toMatch(/\bat .+\.(ts|js):\d+/);
    if (write) expect(await fingerprint(), `${where}: a failed write changed data`).toBe(before);
  } else if (res.status !== 204 && res.status !== 304 && Object.keys(declared).length) {
    expect(
      Object.keys(declared),
      `${where}: sent ${mediaType || 'no Content-Type'}, declared ${Object.keys(declared).join(', ')}`,
    ).toContain(mediaType);
  }
  if (target && isJson && res.status !== 204 && text) {
    const mismatch = schemaMismatch(target, res.status, JSON.parse(text));
    stats.validated++;
    expect(
      mismatch,
      `${where}: ${res.status} body breaks its declared schema: ${text.slice(0, 300)}`,
    ).toBeNull();
  }
}

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  victim = await signUp();
  const fresh = await signUp();
  // The highest tier, so the per-user hourly limit leaves room for a long `npm run fuzz`.
  await env.DB.prepare("UPDATE users SET tier = 'mega' WHERE id = ?").bind(fresh.id).run();
  const session = await signIn(fresh);
  user = { ...fresh, ...session };
  admin = await signUpAdmin();
  for (const [owner, key] of [
    [user, 'portfolio'],
    [victim, 'portfolio'],
  ] as const) {
    const { body } = await callJson<{ data: { id: string } }>('/api/v1/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Fuzz', is_public: owner === victim },
    });
    ids[key] = [...(ids[key] ?? []), body.data.id];
  }
  const trade = await callJson<{ data: { id: string; position_id: string } }>(
    `/api/v1/portfolios/${ids.portfolio?.[0]}/trades`,
    {
      method: 'POST',
      as: user.as,
      body: { trade_type: 'buy', symbol: 'BTC', quantity: 1, price: 40000, trade_date: '2023-12-01' },
    },
  );
  ids.trade = [trade.body.data.id];
  ids.position = [trade.body.data.position_id];
  const watchlist = await callJson<{ data: { id: string } }>('/api/v1/watchlists', {
    method: 'POST',
    as: user.as,
    body: { name: 'Fuzz', assets: ['BTC'] },
  });
  ids.watchlist = [watchlist.body.data.id];
  const alert = await callJson<{ data: { id: string } }>('/api/v1/alerts', {
    method: 'POST',
    as: user.as,
    body: { asset_id: 'BTC', alert_type: 'price_above', target_value: 100000 },
  });
  ids.alert = alert.body.data?.id ? [alert.body.data.id] : [];
}, 120_000);

afterAll(() => {
  const statuses = [...stats.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
  console.log(
    `fuzz: ${operations.length} operations x ${ROLES.length} roles, ${RUNS} runs each (guests on protected ` +
      `operations ${Math.ceil(RUNS / 4)}), seed ${SEED}: ` +
      `${stats.requests} requests, ${stats.failures.length} failures; statuses ${statuses.join(' ')}; ` +
      `${stats.validated} JSON bodies valid against their declared schemas`,
  );
  for (const f of stats.failures) console.log(`fuzz failure: ${f}`);
});

describe('every operation in /openapi.json under generated input', () => {
  it('is found in the document', () => {
    expect(operations.length).toBeGreaterThan(150);
  });

  it('has its bodies checked: a real answer matches its schema; missing, retyped or extra fields do not', async () => {
    // The first public GET without required parameters whose 200 schema requires fields.
    const o = operations.find(
      (x) =>
        x.method === 'GET' &&
        !requiresAuth(x.op) &&
        !(x.op.parameters ?? []).some((p) => p.required) &&
        (resolve(x.op.responses['200']?.content?.['application/json']?.schema ?? {}).required?.length ?? 0) >
          0,
    );
    if (!o) throw new Error('no public GET operation with a required field in its 200 schema');
    const { res, body } = await callJson<Record<string, unknown>>(o.path);
    expect(res.status).toBe(200);
    expect(schemaMismatch(o, 200, body)).toBeNull();
    const schema = resolve(o.op.responses['200']?.content?.['application/json']?.schema ?? {});
    const [field = ''] = schema.required ?? [];
    const { [field]: _dropped, ...missing } = body;
    expect(schemaMismatch(o, 200, missing)).toContain(`must have required property '${field}'`);
    const retyped = typeof body[field] === 'string' ? 1 : 'a string';
    expect(schemaMismatch(o, 200, { ...body, [field]: retyped })).toContain(`body/${field} must be`);
    expect(schemaMismatch(o, 200, { ...body, internal_note: 'x' })).toContain(
      'must NOT have unevaluated properties',
    );
    // An undeclared status has no response to match.
    expect(declaredResponse(o.op, 418)).toBeUndefined();
  });

  for (const [index, o] of operations.entries()) {
    for (const role of ROLES) {
      // A guest never gets past authentication on a protected operation: one request proves it.
      const runs = role === 'guest' && requiresAuth(o.op) ? Math.ceil(RUNS / 4) : RUNS;
      it(`${role}: ${o.method} ${o.path}`, { timeout: 60_000 + runs * 5_000 }, async () => {
        const as = await callerFor(role, o.path);
        try {
          await fc.assert(
            fc.asyncProperty(requestFor(o), (req) => check(o, role, as, req)),
            { numRuns: runs, seed: SEED + index * 3 + ROLES.indexOf(role), endOnFailure: true },
          );
        } catch (err) {
          stats.failures.push(
            `${role} ${o.method} ${o.path}: ${String(err).split('\n').slice(0, 6).join(' | ')}`,
          );
          throw err;
        }
      });
    }
  }
});
