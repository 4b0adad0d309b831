// The SDKs' view of /openapi.json: every operation with a namespace and a method name, its
// path parameters in order, its query and body schemas, and the JSON it answers (with the
// 001 envelope unwrapped). Both emitters (typescript.ts, python.ts) read only this.

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  description?: string;
  format?: string;
  default?: unknown;
};

export interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface RawParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
  description?: string;
}

interface RawOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  security?: unknown[];
  parameters?: RawParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Operation {
  /** `bots`, `dex`, `portfolios`...: the first path segment after `/api/v1/` or `/api/`. */
  namespace: string;
  /** camelCase method name, unique in its namespace. */
  name: string;
  method: HttpMethod;
  path: string;
  summary: string;
  pathParams: string[];
  /** The query parameters as one object schema, or null when there are none. */
  query: (JsonSchema & { properties: Record<string, JsonSchema> }) | null;
  /** JSON body, or a text body (CSV) sent as a string. */
  body: { schema: JsonSchema; required: boolean; contentType: string } | null;
  /** The success body as the SDK returns it: JSON (envelope unwrapped), text, or nothing. */
  response: { kind: 'json'; schema: JsonSchema; unwrap: boolean } | { kind: 'text' } | { kind: 'none' };
  /** A list that takes limit/offset: the SDK can walk every page. */
  paginated: boolean;
  /** The item schema of a paginated list. */
  item: JsonSchema | null;
  /** Where a list's items are: the body itself (null) or one property (`assets` of `{assets: [...]}`). */
  listKey: string | null;
}

const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Names the seeds' SDK examples use, where the rules below would choose another. */
const SEED_NAMES: Record<string, string> = {
  'POST /api/dex/quote': 'getQuote',
  'GET /api/dex/trades/{}/status': 'getSwapStatus',
};

export const camel = (s: string): string =>
  s.replace(/[-_.\s]+([a-zA-Z0-9])/g, (_, ch: string) => ch.toUpperCase()).replace(/[^a-zA-Z0-9]/g, '');
export const pascal = (s: string): string => {
  const c = camel(s);
  return c.charAt(0).toUpperCase() + c.slice(1);
};
export const snake = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();

/** The path's segments after the API prefix: `/api/v1/bots/{id}` → ['bots', '{id}']. */
function segmentsOf(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api') parts.shift();
  if (parts[0] === 'v1') parts.shift();
  return parts;
}

const isParam = (segment: string) => segment.startsWith('{');

const singular = (word: string): string =>
  word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.endsWith('ss') ? word : word.replace(/s$/, '');

/** An identifier may not start with a digit: `2fa-disable` reads `disable2fa`. */
function identifier(words: string[], join: (w: string[]) => string): string {
  const rotated = [...words];
  while (rotated.length > 1 && /^\d/.test(rotated[0] ?? '')) rotated.push(rotated.shift() ?? '');
  return join(rotated);
}

/**
 * The method name the rules give: `list`/`get`/`create`/`update`/`delete` plus the path's
 * words (singular when one item is addressed), and the action's own words for a POST to a
 * path that is not a collection (`login`, `start`, `swap`).
 */
function methodName(method: HttpMethod, rest: string[], isCollection: boolean, returnsList: boolean): string {
  const words = rest.filter((s) => !isParam(s));
  const endsWithParam = rest.length > 0 && isParam(rest[rest.length - 1] ?? '');
  const one =
    endsWithParam && words.length ? [...words.slice(0, -1), singular(words[words.length - 1] ?? '')] : words;
  const tail = (w: string[]) => identifier(w, (x) => pascal(x.join('-')));
  switch (method) {
    case 'GET':
      if (endsWithParam) return `get${tail(one)}`;
      return `${returnsList ? 'list' : 'get'}${tail(words)}`;
    case 'POST':
      if (isCollection)
        return `create${tail(words.length ? [...words.slice(0, -1), singular(words[words.length - 1] ?? '')] : [])}`;
      return words.length ? identifier(words, (x) => camel(x.join('-'))) : 'create';
    case 'PUT':
    case 'PATCH':
      return `update${tail(one)}`;
    case 'DELETE':
      return `delete${tail(one)}`;
  }
}

function jsonContent(
  content: Record<string, { schema?: JsonSchema }> | undefined,
): { type: string; schema: JsonSchema } | null {
  if (!content) return null;
  const json = content['application/json'];
  if (json) return { type: 'application/json', schema: json.schema ?? {} };
  const [type, other] = Object.entries(content)[0] ?? [];
  return type ? { type, schema: other?.schema ?? {} } : null;
}

/** Resolves one level of `$ref`. */
export function deref(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (!ref) return schema;
  const name = ref.replace('#/components/schemas/', '');
  return doc.components?.schemas?.[name] ?? {};
}

/** An object schema with `success`, `data` and `meta` required: 001's (or 002's v2) envelope. */
function envelopeData(doc: OpenApiDocument, schema: JsonSchema): JsonSchema | null {
  const s = deref(doc, schema);
  const req = new Set(s.required ?? []);
  if (
    s.properties?.success &&
    s.properties.data &&
    req.has('success') &&
    req.has('data') &&
    req.has('meta')
  ) {
    const own = Object.keys(s.properties).filter((k) => !['success', 'data', 'meta'].includes(k));
    if (!own.length) return s.properties.data;
  }
  return null;
}

/** A 002 body documented as `plain | v2 envelope`: the plain branch (the SDK never asks for v2). */
function plainBranch(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches?.length === 2) {
    const plain = branches.filter((b) => !envelopeData(doc, b));
    if (plain.length === 1 && plain[0]) return plain[0];
  }
  return schema;
}

function responseOf(doc: OpenApiDocument, op: RawOperation): Operation['response'] {
  const success = Object.entries(op.responses)
    .filter(([status]) => /^2\d\d$/.test(status))
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [, res] of success) {
    const content = jsonContent(res.content);
    if (!content) continue;
    if (content.type !== 'application/json') return { kind: 'text' };
    const data = envelopeData(doc, content.schema);
    if (data) return { kind: 'json', schema: data, unwrap: true };
    return { kind: 'json', schema: plainBranch(doc, content.schema), unwrap: false };
  }
  return { kind: 'none' };
}

/** A list body: an array, or an object whose only array property holds the items. */
function listOf(doc: OpenApiDocument, schema: JsonSchema): { key: string | null; item: JsonSchema } | null {
  const s = deref(doc, schema);
  if (s.type === 'array') return { key: null, item: s.items ?? {} };
  const arrays = Object.entries(s.properties ?? {}).filter(([, p]) => deref(doc, p).type === 'array');
  if (s.type === 'object' && arrays.length === 1 && Object.keys(s.properties ?? {}).length <= 2) {
    const [key, prop] = arrays[0] ?? [];
    return key && prop ? { key, item: deref(doc, prop).items ?? {} } : null;
  }
  return null;
}

function queryOf(params: RawParameter[]): Operation['query'] {
  const query = params.filter((p) => p.in === 'query');
  if (!query.length) return null;
  return {
    type: 'object',
    properties: Object.fromEntries(
      query.map((p) => [
        p.name,
        { ...(p.schema ?? {}), description: p.description ?? p.schema?.description },
      ]),
    ),
    required: query.filter((p) => p.required).map((p) => p.name),
  };
}

/** Every operation of the document, named, in path order; aliases (same shapes) dropped. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  const taken = new Map<string, Operation>();
  const signature = (op: Operation) =>
    JSON.stringify([op.method, op.pathParams.length, op.query, op.body, op.response]);
  const paths = Object.keys(doc.paths).sort((a, b) => {
    // /api/v1/... first, so the 000/001 paths own the plain names and 002/003 aliases fold in.
    const rank = (p: string) => (p.startsWith('/api/v1/') ? 0 : p.startsWith('/api/') ? 1 : 2);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  for (const path of paths) {
    if (path.startsWith('/api/v2/')) continue;
    const item = doc.paths[path] ?? {};
    for (const method of METHODS) {
      const raw = item[method.toLowerCase()];
      if (!raw) continue;
      const segments = segmentsOf(path);
      const ns = camel(segments[0] ?? 'root') || 'root';
      const namespace = ns.charAt(0).toLowerCase() + ns.slice(1);
      const key = `${method} ${path.replace(/\{[^}]+\}/g, '{}')}`;
      const params = raw.parameters ?? [];
      const bodyContent = jsonContent(raw.requestBody?.content);
      const response = responseOf(doc, raw);
      const query = queryOf(params);
      const list = response.kind === 'json' ? listOf(doc, response.schema) : null;
      const returnsList = list !== null;
      const paginated =
        method === 'GET' && returnsList && Boolean(query?.properties.limit && query.properties.offset);
      const op: Operation = {
        namespace,
        name: SEED_NAMES[key] ?? methodName(method, segments.slice(1), Boolean(item.get), returnsList),
        method,
        path,
        summary: raw.summary ?? raw.description ?? '',
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query,
        body: bodyContent
          ? {
              schema: bodyContent.schema,
              required: raw.requestBody?.required ?? false,
              contentType: bodyContent.type,
            }
          : null,
        response,
        paginated,
        item: paginated ? (list?.item ?? {}) : null,
        listKey: paginated ? (list?.key ?? null) : null,
      };
      let id = `${namespace}.${op.name}`;
      const existing = taken.get(id);
      if (existing) {
        if (signature(existing) === signature(op)) continue; // the same operation on another surface
        // Another surface's operation under the same name: named after its prefix.
        const surface = path.startsWith('/api/v1/') ? 'V1' : path.startsWith('/api/') ? 'Api' : 'Root';
        let n = 1;
        do {
          op.name = `${methodName(method, segments.slice(1), Boolean(item.get), returnsList)}${surface}${n > 1 ? n : ''}`;
          id = `${namespace}.${op.name}`;
          n++;
        } while (taken.has(id));
      }
      taken.set(id, op);
      out.push(op);
    }
  }
  return out;
}

/** The namespaces in order, each with its operations. */
export function byNamespace(ops: Operation[]): Map<string, Operation[]> {
  const map = new Map<string, Operation[]>();
  for (const op of [...ops].sort((a, b) => a.namespace.localeCompare(b.namespace))) {
    const list = map.get(op.namespace) ?? [];
    list.push(op);
    map.set(op.namespace, list);
  }
  return map;
}

/** The body field that carries a two-factor code, when the operation takes one. */
export function twoFactorField(document: OpenApiDocument, op: Operation): string | null {
  if (op.body?.contentType !== 'application/json') return null;
  const props = deref(document, op.body.schema).properties ?? {};
  return TWO_FACTOR_FIELDS.find((f) => f in props) ?? null;
}

const TWO_FACTOR_FIELDS = ['totp_code', 'two_factor_token'];
