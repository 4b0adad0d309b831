// Emits sdk/python/cryptoorchestrator/models.py (pydantic models of every schema, fields in
// snake_case with the API's names as aliases) and _namespaces.py (one sync and one async
// class per namespace, a method per operation, keyword arguments in snake_case).

import {
  byNamespace,
  deref,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  pascal,
  snake,
  twoFactorField,
} from './model';

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
/** Names a pydantic model may not use for a field (BaseModel's own, v1 and v2). */
const MODEL_RESERVED = new Set([
  'json',
  'dict',
  'copy',
  'schema',
  'schema_json',
  'fields',
  'construct',
  'validate',
  'parse_obj',
  'parse_raw',
  'parse_file',
  'from_orm',
  'update_forward_refs',
  'register',
  'model_config',
  'model_fields',
  'model_computed_fields',
]);

/** A snake_case Python identifier for an API name. */
export function pyName(name: string, reserved: ReadonlySet<string> = new Set()): string {
  let n = snake(name) || 'value';
  if (/^\d/.test(n)) n = `n${n}`;
  if (KEYWORDS.has(n) || reserved.has(n) || n.startsWith('model_')) n = `${n}_`;
  return n;
}

const docstring = (text: string, indent: string) =>
  `${indent}"""${text.replace(/\\/g, '\\\\').replace(/"""/g, "'''").replace(/\s+/g, ' ').trim()}"""\n`;

/** Builds model classes for schemas, sharing one class per distinct shape. */
class ModelWriter {
  private readonly classes: string[] = [];
  private readonly byShape = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly components = new Map<string, string>();

  constructor(private readonly doc: OpenApiDocument) {}

  /** A schema with its `$ref` followed. */
  resolve(schema: JsonSchema): JsonSchema {
    return deref(this.doc, schema);
  }

  private unique(name: string): string {
    let n = pascal(name) || 'Model';
    if (/^\d/.test(n)) n = `M${n}`;
    let candidate = n;
    for (let i = 2; this.used.has(candidate); i++) candidate = `${n}${i}`;
    this.used.add(candidate);
    return candidate;
  }

  /** Every component first, under its own name. */
  component(name: string): string {
    const existing = this.components.get(name);
    if (existing) return existing;
    const schema = this.doc.components?.schemas?.[name] ?? {};
    const className = pascal(name);
    this.components.set(name, className);
    this.used.add(className);
    const type = this.type(schema, className, className);
    if (type !== className) this.classes.push(`${className} = ${type}\n`);
    return className;
  }

  /** The Python type of a schema; object schemas become classes named from `hint`. */
  type(schema: JsonSchema | undefined, hint: string, ownName?: string): string {
    if (!schema || Object.keys(schema).length === 0) return 'Any';
    if (schema.$ref) return this.component(schema.$ref.replace('#/components/schemas/', ''));
    const optional = (t: string) => (schema.nullable ? `Optional[${t}]` : t);
    if (schema.allOf) return optional(this.object(this.merge(schema.allOf), hint, ownName));
    const union = schema.anyOf ?? schema.oneOf;
    if (union) {
      const nonNull = union.filter((s) => s.type !== 'null');
      const types = [...new Set(nonNull.map((s, i) => this.type(s, `${hint}${i ? `Option${i + 1}` : ''}`)))];
      const inner =
        types.includes('Any') || !types.length
          ? 'Any'
          : types.length === 1
            ? (types[0] ?? 'Any')
            : `Union[${types.join(', ')}]`;
      return nonNull.length < union.length && inner !== 'Any' ? `Optional[${inner}]` : inner;
    }
    if (schema.const !== undefined || schema.enum) {
      const values = schema.enum ?? [schema.const];
      const kinds = new Set(values.filter((v) => v !== null).map((v) => typeof v));
      const PY: Record<string, string> = { string: 'str', number: 'float', boolean: 'bool' };
      const base = kinds.size === 1 ? (PY[[...kinds][0] ?? ''] ?? 'Any') : 'Any';
      return values.includes(null) && base !== 'Any' ? `Optional[${base}]` : optional(base);
    }
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    const nonNull = types.filter((t) => t !== 'null');
    if (nonNull.length > 1) return 'Any';
    const nullable = types.includes('null') || schema.nullable;
    const wrap = (t: string) => (nullable && t !== 'Any' ? `Optional[${t}]` : t);
    switch (nonNull[0]) {
      case 'string':
        return wrap('str');
      case 'integer':
        return wrap('int');
      case 'number':
        return wrap('float');
      case 'boolean':
        return wrap('bool');
      case 'array':
        return wrap(`List[${this.type(schema.items, `${hint}Item`)}]`);
      case 'object':
      case undefined:
        if (!schema.properties && nonNull[0] === undefined && !schema.additionalProperties) return 'Any';
        return wrap(this.object(schema, hint, ownName));
      default:
        return 'Any';
    }
  }

  private merge(parts: JsonSchema[]): JsonSchema {
    const out: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const part of parts) {
      const s = part.$ref
        ? (this.doc.components?.schemas?.[part.$ref.replace('#/components/schemas/', '')] ?? {})
        : part;
      const inner = s.allOf ? this.merge(s.allOf) : s;
      Object.assign(out.properties ?? {}, inner.properties ?? {});
      out.required = [...(out.required ?? []), ...(inner.required ?? [])];
    }
    return out;
  }

  private object(schema: JsonSchema, hint: string, ownName?: string): string {
    const props = Object.entries(schema.properties ?? {});
    if (!props.length) {
      const extra = schema.additionalProperties;
      return extra && typeof extra === 'object'
        ? `Dict[str, ${this.type(extra, `${hint}Value`)}]`
        : 'Dict[str, Any]';
    }
    const shape = JSON.stringify(schema);
    const known = this.byShape.get(shape);
    if (known && !ownName) return known;
    const name = ownName ?? this.unique(hint);
    if (!known) this.byShape.set(shape, name);
    const required = new Set(schema.required ?? []);
    const taken = new Set<string>();
    const lines: string[] = [];
    for (const [apiName, prop] of props) {
      let field = pyName(apiName, MODEL_RESERVED);
      while (taken.has(field)) field = `${field}_`;
      taken.add(field);
      const type = this.type(prop, `${name}${pascal(apiName)}`);
      // Every field may be absent when read: an answer missing one the schema requires
      // (an older server, a newer SDK) still parses, and reads as None.
      const annotation = type.startsWith('Optional[') || type === 'Any' ? type : `Optional[${type}]`;
      const note = required.has(apiName) ? '' : '  # optional';
      lines.push(`    ${field}: ${annotation} = Field(None, alias=${JSON.stringify(apiName)})${note}`);
    }
    const description = schema.description ? docstring(schema.description, '    ') : '';
    this.classes.push(`class ${name}(Model):\n${description}${lines.join('\n')}\n`);
    return name;
  }

  emit(header: string): string {
    return `${header}\n${this.classes.join('\n\n')}\n\nrebuild_all(globals())\n`;
  }
}

const argsOf = (
  op: Operation,
  resolve: (s: JsonSchema) => JsonSchema,
): { path: [string, string][]; fields: [string, string, string, boolean][] } => {
  const path = op.pathParams.map((p): [string, string] => [pyName(p), p]);
  const taken = new Set(['self', 'options', ...path.map(([n]) => n)]);
  const fields: [string, string, string, boolean][] = [];
  const raw = op.body?.contentType === 'application/json' ? op.body.schema : op.body ? null : op.query;
  const source = raw ? resolve(raw) : null;
  const props = source?.properties;
  return { path, fields: props ? collect(props, source?.required ?? [], taken, fields) : fields };
};

/** The annotation of a keyword argument: the primitive it takes, else Any (dicts, models, lists of them). */
function kwType(schema: JsonSchema): string {
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter(
    (t) => t !== 'null',
  );
  const PRIMITIVE: Record<string, string> = {
    string: 'str',
    integer: 'int',
    number: 'float',
    boolean: 'bool',
  };
  if (types.length === 1 && types[0] === 'array' && schema.items) {
    const inner = kwType(schema.items);
    return inner === 'Any' ? 'List[Any]' : `List[${inner}]`;
  }
  if (types.length === 1) return PRIMITIVE[types[0] ?? ''] ?? 'Any';
  if (schema.enum?.every((v) => typeof v === 'string')) return 'str';
  return 'Any';
}

function collect(
  props: Record<string, JsonSchema>,
  required: string[],
  taken: Set<string>,
  out: [string, string, string, boolean][],
): [string, string, string, boolean][] {
  for (const [apiName, schema] of Object.entries(props)) {
    let n = pyName(apiName);
    while (taken.has(n)) n = `${n}_`;
    taken.add(n);
    out.push([n, apiName, kwType(schema), required.includes(apiName)]);
  }
  return out;
}

function pythonMethod(op: Operation, models: ModelWriter, isAsync: boolean): string {
  const id = `${op.namespace}.${op.name}`;
  const name = pyName(op.name);
  const { path, fields } = argsOf(op, (schema) => models.resolve(schema));
  const responseType =
    op.response.kind === 'json'
      ? models.type(op.response.schema, `${pascal(op.namespace)}${pascal(op.name)}Response`)
      : op.response.kind === 'text'
        ? 'str'
        : 'None';
  const bodyIsObject =
    op.body?.contentType === 'application/json' && Boolean(op.body.schema.properties || op.body.schema.$ref);
  const params: string[] = ['self', ...path.map(([n]) => n)];
  // A body that is not an object (CSV text, an array) is passed whole.
  const rawBody = op.body && !bodyIsObject;
  if (rawBody) params.push('body: Any');
  const kw: string[] = [];
  for (const [n, , type, req] of fields) kw.push(req ? `${n}: ${type}` : `${n}: Optional[${type}] = None`);
  if (op.body?.schema.$ref) kw.push('body: Optional[Dict[str, Any]] = None');
  if (op.body && op.query) kw.push('query: Optional[Dict[str, Any]] = None');
  kw.push('options: Optional[CallOptions] = None');
  kw.push('**extra: Any');
  const signature = `${params.join(', ')}, *, ${kw.join(', ')}`;
  const names = `{${fields.map(([n, api]) => `${JSON.stringify(api)}: ${n}`).join(', ')}}`;
  const pathDict = `{${path.map(([n, api]) => `${JSON.stringify(api)}: ${n}`).join(', ')}}`;
  let payload: string;
  if (rawBody) payload = `path=${pathDict}, body=body`;
  else if (op.body)
    payload = `path=${pathDict}, body=_fields(${names}, extra, body if ${op.body.schema.$ref ? 'body is not None' : 'False'} else None), query=${op.query ? 'query' : 'None'}`;
  else payload = `path=${pathDict}, query=_fields(${names}, extra)`;
  const summary = `${op.method} ${op.path}${op.summary ? ` — ${op.summary}` : ''}`;
  const aw = isAsync ? 'await ' : '';
  let out = `    ${isAsync ? 'async ' : ''}def ${name}(${signature}) -> ${responseType}:\n${docstring(summary, '        ')}        return parse(${responseType}, ${aw}self._c._call(OPERATIONS[${JSON.stringify(id)}], ${payload}, options=options))\n`;
  if (op.paginated) {
    const itemType = models.type(op.item ?? {}, `${pascal(op.namespace)}${pascal(op.name)}Item`);
    const it = isAsync ? 'AsyncIterator' : 'Iterator';
    out += `\n    ${isAsync ? 'async ' : ''}def ${name}_all(${signature}) -> ${it}[${itemType}]:\n${docstring(`Every item of ${op.method} ${op.path}, page after page.`, '        ')}        ${isAsync ? 'async ' : ''}for item in self._c._paginate(OPERATIONS[${JSON.stringify(id)}], ${payload}, options=options):\n            yield parse(${itemType}, item)\n`;
  }
  return out;
}

export interface PythonFiles {
  models: string;
  namespaces: string;
}

/** The two generated Python modules. */
export function generatePython(document: OpenApiDocument, ops: Operation[]): PythonFiles {
  const models = new ModelWriter(document);
  for (const name of Object.keys(document.components?.schemas ?? {}).sort()) models.component(name);
  const namespaces = byNamespace(ops);
  const classes: string[] = [];
  for (const isAsync of [false, true]) {
    for (const [ns, list] of namespaces) {
      const cls = `${isAsync ? 'Async' : ''}${pascal(ns)}Api`;
      classes.push(
        `class ${cls}:\n${docstring(`\`${ns}\`: ${list.length} operation${list.length === 1 ? '' : 's'}.`, '    ')}\n    def __init__(self, client: Any) -> None:\n        self._c = client\n\n${list.map((op) => pythonMethod(op, models, isAsync)).join('\n')}`,
      );
    }
    classes.push(
      `class ${isAsync ? 'Async' : ''}Namespaces:\n    """Every namespace, on one client."""\n\n    def __init__(self, client: Any) -> None:\n${[...namespaces.keys()].map((ns) => `        self.${pyName(ns)} = ${isAsync ? 'Async' : ''}${pascal(ns)}Api(client)`).join('\n')}\n`,
    );
  }
  const specs = ops.map(
    (op) =>
      `    ${JSON.stringify(`${op.namespace}.${op.name}`)}: OperationSpec(${JSON.stringify(op.method)}, ${JSON.stringify(op.path)}, ${JSON.stringify(op.response.kind)}, ${op.response.kind === 'json' && op.response.unwrap ? 'True' : 'False'}, ${op.listKey ? JSON.stringify(op.listKey) : 'None'}, ${op.body ? JSON.stringify(op.body.contentType) : 'None'}${twoFactorField(document, op) ? `, ${JSON.stringify(twoFactorField(document, op))}` : ''}),`,
  );
  const banner = `# Generated by \`npm run sdk:generate\` from Meridian's /openapi.json (API ${document.info.version}).\n# Do not edit: change the API, then regenerate.\n`;
  const modelsHeader = `${banner}# ruff: noqa\nfrom __future__ import annotations\n\nfrom typing import Any, Dict, List, Optional, Union\n\nfrom ._compat import Field, Model, rebuild_all\n`;
  const namespacesText = `${banner}# ruff: noqa\nfrom __future__ import annotations\n\nfrom typing import Any, AsyncIterator, Dict, Iterator, List, Optional, Union\n\nfrom ._compat import parse\nfrom ._transport import CallOptions, OperationSpec, _fields\nfrom .models import *  # noqa: F403\n\nOPERATIONS: Dict[str, OperationSpec] = {\n${specs.join('\n')}\n}\n\n\n${classes.join('\n\n')}`;
  return { models: models.emit(modelsHeader), namespaces: namespacesText };
}
