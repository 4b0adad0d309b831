// Emits sdk/typescript/src/generated.ts: a type for every schema, and one class per
// namespace with a typed method per operation. The hand-written layer (client.ts,
// transport.ts, live.ts) gives them a transport.

import {
  byNamespace,
  deref,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  pascal,
  twoFactorField,
} from './model';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An API name in the SDK's camelCase: `trade_id` → `tradeId`; other names as they are. */
const camelKey = (name: string): string =>
  /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(name)
    ? name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    : name;

/**
 * Each declared property's API name and SDK name, in order. A camelCase name that another
 * property already has (an API that accepts `first_name` and `firstName`) keeps its API name.
 */
export function propertyNames(schema: JsonSchema): [string, string][] {
  const names = Object.keys(schema.properties ?? {});
  const taken = new Set<string>();
  return names.map((api) => {
    const sdk = camelKey(api);
    const chosen = sdk !== api && (names.includes(sdk) || taken.has(sdk)) ? api : sdk;
    taken.add(chosen);
    return [api, chosen];
  });
}
const key = (k: string) => (IDENT.test(k) ? k : JSON.stringify(k));

function doc(text: string | undefined, indent: string): string {
  if (!text) return '';
  const clean = text.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim();
  return `${indent}/** ${clean} */\n`;
}

/** The TypeScript type of a JSON schema. */
export function tsType(schema: JsonSchema | undefined, indent = ''): string {
  if (!schema || Object.keys(schema).length === 0) return 'unknown';
  if (schema.$ref) return pascal(schema.$ref.replace('#/components/schemas/', ''));
  const nullable = schema.nullable ? ' | null' : '';
  if (schema.allOf) return `(${schema.allOf.map((s) => tsType(s, indent)).join(' & ')})${nullable}`;
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return `(${union.map((s) => tsType(s, indent)).join(' | ')})${nullable}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return `(${schema.enum.map((v) => JSON.stringify(v)).join(' | ')})${nullable}`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return types.map((t) => tsType({ ...schema, type: t }, indent)).join(' | ');
  switch (types[0]) {
    case 'string':
      return `string${nullable}`;
    case 'integer':
    case 'number':
      return `number${nullable}`;
    case 'boolean':
      return `boolean${nullable}`;
    case 'null':
      return 'null';
    case 'array':
      return `Array<${tsType(schema.items, indent)}>${nullable}`;
    default:
      return `${objectType(schema, indent)}${nullable}`;
  }
}

function objectType(schema: JsonSchema, indent: string): string {
  const props = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (!props.length) {
    if (extra && typeof extra === 'object') return `Record<string, ${tsType(extra, indent)}>`;
    return 'Record<string, unknown>';
  }
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const sdkName = new Map(propertyNames(schema));
  const lines = props.map(
    ([name, prop]) =>
      `${doc(prop.description, inner)}${inner}${key(sdkName.get(name) ?? name)}${required.has(name) ? '' : '?'}: ${tsType(prop, inner)};`,
  );
  if (extra && typeof extra === 'object') lines.push(`${inner}[key: string]: unknown;`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** See sdk/typescript/src/shapes.ts: how a body is renamed between the API's names and the SDK's. */
interface Shape {
  k?: Record<string, [string] | [string, string]>;
  i?: string;
  v?: string;
}

/** Builds the renaming shapes of schemas; identical shapes share one id. */
class ShapeWriter {
  readonly table: Record<string, Shape> = {};
  private readonly byContent = new Map<string, string>();
  private readonly done = new Set<string>();

  constructor(private readonly document: OpenApiDocument) {}

  /** The id of a schema's shape, or null when the SDK and the API name everything alike. */
  of(schema: JsonSchema | undefined): string | null {
    if (!schema) return null;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const id = `#${name}`;
      if (!this.done.has(id)) {
        this.done.add(id);
        this.table[id] = {};
        this.table[id] = this.build(this.document.components?.schemas?.[name] ?? {});
      }
      return id;
    }
    const shape = this.build(schema);
    if (!shape.k && !shape.i && !shape.v) return null;
    const content = JSON.stringify(shape);
    let id = this.byContent.get(content);
    if (!id) {
      id = `s${this.byContent.size + 1}`;
      this.byContent.set(content, id);
      this.table[id] = shape;
    }
    return id;
  }

  private resolve(schema: JsonSchema): JsonSchema {
    return deref(this.document, schema);
  }

  private build(schema: JsonSchema): Shape {
    const parts = schema.allOf ?? schema.anyOf ?? schema.oneOf;
    if (parts) {
      const merged: Shape = {};
      for (const part of parts) {
        const r = this.resolve(part);
        const inner = r.allOf || r.anyOf || r.oneOf ? this.build(r) : this.build(r);
        if (inner.k) merged.k = { ...merged.k, ...inner.k };
        if (inner.i) merged.i ??= inner.i;
        if (inner.v) merged.v ??= inner.v;
      }
      return merged;
    }
    const shape: Shape = {};
    if (schema.items) {
      const i = this.of(schema.items);
      if (i) shape.i = i;
    }
    if (schema.properties) {
      const k: Record<string, [string] | [string, string]> = {};
      for (const [api, sdk] of propertyNames(schema)) {
        const child = this.of(schema.properties[api]);
        if (child) k[api] = [sdk, child];
        else if (sdk !== api) k[api] = [sdk];
      }
      if (Object.keys(k).length) shape.k = k;
    }
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      const v = this.of(schema.additionalProperties);
      if (v) shape.v = v;
    }
    return shape;
  }
}

const typeBase = (op: Operation) => `${pascal(op.namespace)}${pascal(op.name)}`;

function pathArgs(op: Operation): string[] {
  return op.pathParams.map((p) => `${safeArg(p)}: string | number`);
}

const RESERVED = new Set(['delete', 'default', 'function', 'class', 'new', 'options', 'query', 'body']);
const safeArg = (name: string) => {
  const c = name.replace(/[^a-zA-Z0-9]+(.)/g, (_, ch: string) => ch.toUpperCase());
  return RESERVED.has(c) ? `${c}_` : c;
};

function responseType(op: Operation): string {
  if (op.response.kind === 'text') return 'string';
  if (op.response.kind === 'none') return 'void';
  return `${typeBase(op)}Response`;
}

function method(op: Operation): string {
  const base = typeBase(op);
  const args = pathArgs(op);
  const pathObj = op.pathParams.length
    ? `path: { ${op.pathParams.map((p) => `${JSON.stringify(p)}: ${safeArg(p)}`).join(', ')} }, `
    : '';
  const queryRequired = (op.query?.required ?? []).length > 0;
  let callArgs: string;
  if (op.body) {
    args.push(`body${op.body.required ? '' : '?'}: ${base}Body`);
    args.push(`options?: CallOptions${op.query ? ` & { query?: ${base}Query }` : ''}`);
    callArgs = `{ ${pathObj}body${op.query ? ', query: options?.query' : ''} }`;
  } else if (op.query) {
    args.push(`query${queryRequired ? '' : '?'}: ${base}Query`);
    args.push('options?: CallOptions');
    callArgs = `{ ${pathObj}query }`;
  } else {
    args.push('options?: CallOptions');
    callArgs = `{ ${pathObj.replace(/, $/, '')} }`;
  }
  const ret = responseType(op);
  const summary = `${op.method} ${op.path}${op.summary ? ` — ${op.summary}` : ''}`;
  let out = `${doc(summary, '  ')}  ${op.name}(${args.join(', ')}): Promise<${ret}> {\n    return this.t.call(OPERATIONS[${JSON.stringify(`${op.namespace}.${op.name}`)}], ${callArgs}, options) as Promise<${ret}>;\n  }\n`;
  if (op.paginated) {
    const itemArgs = args.filter((a) => !a.startsWith('options'));
    out += `${doc(`Every item of ${op.method} ${op.path}, page after page.`, '  ')}  ${op.name}All(${[...itemArgs, 'options?: CallOptions'].join(', ')}): AsyncIterable<${base}Item> {\n    return this.t.paginate(OPERATIONS[${JSON.stringify(`${op.namespace}.${op.name}`)}], ${callArgs}, options) as AsyncIterable<${base}Item>;\n  }\n`;
  }
  return out;
}

function operationTypes(op: Operation): string {
  const base = typeBase(op);
  let out = '';
  if (op.query) out += `export type ${base}Query = ${tsType(op.query)};\n`;
  if (op.body)
    out += `export type ${base}Body = ${op.body.contentType === 'application/json' ? tsType(op.body.schema) : 'string'};\n`;
  if (op.response.kind === 'json') out += `export type ${base}Response = ${tsType(op.response.schema)};\n`;
  if (op.paginated) out += `export type ${base}Item = ${tsType(op.item ?? {})};\n`;
  return out;
}

/** The whole generated module. */
export function generateTypeScript(document: OpenApiDocument, ops: Operation[]): string {
  const parts: string[] = [
    `// Generated by \`npm run sdk:generate\` from Meridian's /openapi.json (API ${document.info.version}).\n// Do not edit: change the API, then regenerate. The hand-written layer is client.ts.\n\nimport type { Shape } from './shapes';\nimport type { CallOptions, OperationSpec, Transport } from './transport';\n`,
  ];
  parts.push('// --- schemas ---\n');
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    parts.push(`${doc(schema.description, '')}export type ${pascal(name)} = ${tsType(schema)};\n`);
  }
  parts.push('\n// --- operations ---\n');
  const shapes = new ShapeWriter(document);
  const specs = ops.map((op) => {
    const responseShape = op.response.kind === 'json' ? shapes.of(op.response.schema) : null;
    const bodyShape = op.body?.contentType === 'application/json' ? shapes.of(op.body.schema) : null;
    const queryNames = op.query ? propertyNames(op.query).filter(([api, sdk]) => api !== sdk) : [];
    const twoFactor = twoFactorField(document, op);
    const spec: OperationSpecLiteral = {
      method: op.method,
      path: op.path,
      response: op.response.kind,
      unwrap: op.response.kind === 'json' && op.response.unwrap,
      listKey: op.listKey === null ? null : camelKey(op.listKey),
      bodyType: op.body?.contentType ?? null,
      ...(responseShape ? { res: responseShape } : {}),
      ...(bodyShape ? { req: bodyShape } : {}),
      ...(queryNames.length ? { q: Object.fromEntries(queryNames.map(([api, sdk]) => [sdk, api])) } : {}),
      ...(twoFactor ? { tf: twoFactor } : {}),
    };
    return `  ${JSON.stringify(`${op.namespace}.${op.name}`)}: ${JSON.stringify(spec)},`;
  });
  parts.push(
    `/** How bodies are renamed between the API's names and the SDK's camelCase (see shapes.ts). */\nexport const SHAPES: Record<string, Shape> = ${JSON.stringify(shapes.table)};\n\n`,
  );
  parts.push(
    `/** Every operation: method, path, how its success body is read. */\nexport const OPERATIONS = {\n${specs.join('\n')}\n} satisfies Record<string, OperationSpec>;\n\n`,
  );
  const namespaces = byNamespace(ops);
  for (const [ns, list] of namespaces) {
    for (const op of list) parts.push(operationTypes(op));
    parts.push(
      `\n/** \`${ns}\`: ${list.length} operation${list.length === 1 ? '' : 's'}. */\nexport class ${pascal(ns)}Api {\n  constructor(private readonly t: Transport) {}\n\n${list.map(method).join('\n')}}\n\n`,
    );
  }
  parts.push(
    `/** Every namespace, built on one transport. */\nexport class Namespaces {\n${[...namespaces.keys()].map((ns) => `  readonly ${ns}: ${pascal(ns)}Api;`).join('\n')}\n\n  constructor(t: Transport) {\n${[...namespaces.keys()].map((ns) => `    this.${ns} = new ${pascal(ns)}Api(t);`).join('\n')}\n  }\n}\n`,
  );
  return parts.join('');
}

interface OperationSpecLiteral {
  method: string;
  path: string;
  response: 'json' | 'text' | 'none';
  unwrap: boolean;
  listKey: string | null;
  bodyType: string | null;
  res?: string;
  req?: string;
  q?: Record<string, string>;
  tf?: string;
}
