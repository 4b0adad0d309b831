import { currentTrace, type StatementRecord, sqlShape, type Trace } from './telemetry';

/**
 * D1 with every statement recorded on a request's trace: its normalized shape, D1's
 * `meta.duration`, `rows_read` and `rows_written`, and the wall time. `first()` runs as
 * `all()` (what D1 does underneath) so its meta is kept; `raw()` returns no meta, so only its
 * wall time is kept and marked as such. Batches pass the original statements to D1.
 */
export function traceD1(inner: D1Database, traceOf: Trace | (() => Trace | undefined)): D1Database {
  const resolve = typeof traceOf === 'function' ? traceOf : () => traceOf;
  const traced: Pick<D1Database, 'prepare' | 'batch' | 'exec' | 'dump' | 'withSession'> = {
    // The trace is looked up when the statement runs, not when it is prepared: a statement
    // prepared once and kept (drizzle's `.prepare()`) records on each request that runs it.
    prepare: (sql: string) =>
      new TracedStatement(inner.prepare(sql), sql, resolve) as unknown as D1PreparedStatement,
    batch: async <T = unknown>(statements: D1PreparedStatement[]) => {
      const trace = resolve();
      const originals = statements.map(unwrap);
      if (!trace) return inner.batch<T>(originals);
      const started = performance.now();
      try {
        const results = await inner.batch<T>(originals);
        const wall = (performance.now() - started) / Math.max(1, results.length);
        results.forEach((r, i) => {
          record(trace, sqlOf(statements[i]), r.meta, wall);
        });
        return results;
      } catch (err) {
        for (const s of statements) record(trace, sqlOf(s), undefined, performance.now() - started, err);
        throw err;
      }
    },
    exec: (query: string) => inner.exec(query),
    dump: () => inner.dump(),
    withSession: (constraintOrBookmark?: string) => inner.withSession(constraintOrBookmark),
  };
  return traced as D1Database;
}

const shared = new WeakMap<D1Database, D1Database>();

/**
 * One traced D1 per binding for the isolate, recording on the trace of whichever request
 * calls it (`currentTrace()`). The binding then keeps one identity across requests, so
 * isolate caches keyed by `env.DB` (the market clock's replay state) hit as they do without
 * telemetry; a wrapper made per request made every such cache miss.
 */
export function sharedTracedD1(inner: D1Database): D1Database {
  let traced = shared.get(inner);
  if (!traced) {
    traced = traceD1(inner, currentTrace);
    shared.set(inner, traced);
  }
  return traced;
}

function unwrap(s: D1PreparedStatement): D1PreparedStatement {
  return s instanceof TracedStatement ? s.inner : s;
}

function sqlOf(s: D1PreparedStatement | undefined): string {
  return s instanceof TracedStatement ? s.sql : '(untraced statement)';
}

interface D1MetaLike {
  duration?: number;
  rows_read?: number;
  rows_written?: number;
}

function record(
  trace: Trace,
  sql: string,
  meta: D1MetaLike | undefined,
  wall: number,
  err?: unknown,
  rows?: number,
) {
  // A request that runs thousands of statements keeps the first 200: enough to see the shape.
  if (trace.statements.length >= 200) return;
  const entry: StatementRecord = {
    shape: sqlShape(sql),
    duration_ms: meta?.duration ?? wall,
    wall_ms: wall,
    rows_read: meta?.rows_read ?? rows ?? 0,
    rows_written: meta?.rows_written ?? 0,
    source: meta ? 'meta' : 'wall',
  };
  if (err !== undefined) entry.error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  trace.statements.push(entry);
}

class TracedStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    readonly sql: string,
    private readonly traceOf: () => Trace | undefined,
  ) {}

  bind(...values: unknown[]): TracedStatement {
    return new TracedStatement(this.inner.bind(...values), this.sql, this.traceOf);
  }

  private async timed<R>(
    fn: () => Promise<R>,
    metaOf: (r: R) => D1MetaLike | undefined,
    rowsOf?: (r: R) => number,
  ) {
    const trace = this.traceOf();
    if (!trace) return fn();
    const started = performance.now();
    try {
      const result = await fn();
      record(trace, this.sql, metaOf(result), performance.now() - started, undefined, rowsOf?.(result));
      return result;
    } catch (err) {
      record(trace, this.sql, undefined, performance.now() - started, err);
      throw err;
    }
  }

  all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return this.timed(
      () => this.inner.all<T>(),
      (r) => r.meta,
    );
  }

  run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return this.timed(
      () => this.inner.run<T>(),
      (r) => r.meta,
    );
  }

  async first<T = Record<string, unknown>>(column?: string): Promise<T | null> {
    const result = await this.all<Record<string, unknown>>();
    const row = result.results[0];
    if (row === undefined) return null;
    if (column === undefined) return row as T;
    if (!(column in row)) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`);
    return row[column] as T;
  }

  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    return this.timed(
      () =>
        options?.columnNames
          ? (this.inner.raw<T>({ columnNames: true }) as Promise<T[]>)
          : this.inner.raw<T>(),
      () => undefined,
      (r) => r.length,
    );
  }
}
