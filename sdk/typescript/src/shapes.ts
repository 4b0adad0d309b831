/**
 * How a body is renamed between the API's names and the SDK's camelCase, generated from the
 * schemas: per object the properties to rename or descend into (`trade_id` → `['tradeId']`,
 * `position` → `['position', 's12']`), per array its items, per record its values. Only
 * declared properties are renamed: keys that are data (symbols, dates, ids in a record)
 * are kept as they are.
 */
export interface Shape {
  k?: Record<string, [string] | [string, string]>;
  i?: string;
  v?: string;
}

export type ShapeTable = Record<string, Shape>;

const reversed = new WeakMap<Shape, Record<string, [string] | [string, string]>>();

function reverse(shape: Shape): Record<string, [string] | [string, string]> {
  let map = reversed.get(shape);
  if (!map) {
    map = {};
    for (const [api, [sdk, child]] of Object.entries(shape.k ?? {}))
      map[sdk] = child === undefined ? [api] : [api, child];
    reversed.set(shape, map);
  }
  return map;
}

function convert(value: unknown, id: string | undefined, table: ShapeTable, toApi: boolean): unknown {
  const shape = id === undefined ? undefined : table[id];
  if (!shape || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return shape.i ? value.map((v) => convert(v, shape.i, table, toApi)) : value;
  const names = toApi ? reverse(shape) : (shape.k ?? {});
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const rule = names[key];
    if (rule) out[rule[0]] = convert(v, rule[1], table, toApi);
    else out[key] = shape.v ? convert(v, shape.v, table, toApi) : v;
  }
  return out;
}

/** An API body in the SDK's names. */
export const fromApi = (value: unknown, id: string | undefined, table: ShapeTable): unknown =>
  convert(value, id, table, false);

/** An SDK value in the API's names. */
export const toApi = (value: unknown, id: string | undefined, table: ShapeTable): unknown =>
  convert(value, id, table, true);
