/** A SQL literal for a value from our own seed data (numbers, strings, booleans, null). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} to SQL`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * `INSERT ... ON CONFLICT DO UPDATE` statements for `rows`, several rows per statement but
 * each statement well under D1's 100 KB limit.
 */
export function upsertStatements(
  table: string,
  rows: Record<string, unknown>[],
  conflict: string[],
  maxStatementBytes = 90_000,
): string[] {
  const first = rows[0];
  if (!first) return [];
  const columns = Object.keys(first);
  const updates = columns.filter((c) => !conflict.includes(c)).map((c) => `${c} = excluded.${c}`);
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  const tail = ` ON CONFLICT (${conflict.join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'};`;
  const statements: string[] = [];
  let values: string[] = [];
  let size = head.length + tail.length;
  for (const row of rows) {
    const tuple = `(${columns.map((c) => literal(row[c])).join(', ')})`;
    if (values.length && size + tuple.length + 2 > maxStatementBytes) {
      statements.push(head + values.join(', ') + tail);
      values = [];
      size = head.length + tail.length;
    }
    values.push(tuple);
    size += tuple.length + 2;
  }
  statements.push(head + values.join(', ') + tail);
  return statements;
}
