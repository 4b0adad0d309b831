import { d1For } from './d1-session';
import { currentTrace, type StatementRecord, sqlShape, type Trace } from './telemetry';

type Target = D1Database | D1DatabaseSession;

/**
 * D1 as a request sees it. Each statement runs, when it runs, on the request's D1 session
 * (`d1For`: read replication, `core/d1-session.ts`) and is recorded on the request's trace:
 * its normalized shape, D1's `meta.duration`, `rows_read`, `rows_written` and which copy
 * served it, and the wall time. Both are looked up at run time, not when a statement is
 * prepared: a statement prepared once and kept (drizzle's `.prepare()`) runs on each request's
 * own session and records on its own trace. `first()` runs as `all()` (what D1 does
 * underneath) so its meta is kept; `raw()` returns no meta, so only its wall time is kept and
 * marked as such. Outside a request (jobs, objects, tests) it is plain D1 on the primary.
 */
export function requestD1(inner: D1Database, traceOf: Trace | (() => Trace | undefined)): D1Database {
  const resolve = typeof traceOf === 'function' ? traceOf : () => traceOf;
  const wrapped: Pick<D1Database, 'prepare' | 'batch' | 'exec' | 'dump' | 'withSession'> = {
    prepare: (sql: string) => new RequestStatement(inner, sql, [], resolve) as unknown as D1PreparedStatement,
    batch: async <T = unknown>(statements: D1PreparedStatement[]) => {
      const target = d1For(inner);
      const originals = statements.map((s) => (s instanceof RequestStatement ? s.on(target) : s));
      const trace = resolve();
      if (!trace) return target.batch<T>(originals);
      const started = performance.now();
      try {
        const results = await target.batch<T>(originals);
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
  return wrapped as D1Database;
}

const shared = new WeakMap<D1Database, D1Database>();

/**
 * One request D1 per binding for the isolate, running on the session and recording on the
 * trace of whichever request calls it. The binding then keeps one identity across requests,
 * so isolate caches keyed by `env.DB` (the market clock's replay state, prepared queries)
 * hit as they do on the bare binding; a wrapper made per request made every such cache miss.
 */
export function sharedRequestD1(inner: D1Database): D1Database {
  let wrapped = shared.get(inner);
  if (!wrapped) {
    wrapped = requestD1(inner, currentTrace);
    shared.set(inner, wrapped);
  }
  return wrapped;
}

const envs = new WeakMap<Env, Env>();

/**
 * The env with its D1 binding as requests see it (`sharedRequestD1`), one per isolate's env:
 * isolate caches keyed by the env or its bindings (the parsed config, the market clock) keep
 * hitting, where a copy per request re-parsed the config with zod on every request. An env
 * already made so is returned as it is.
 */
export function requestEnv(env: Env): Env {
  let made = envs.get(env);
  if (!made) {
    made = { ...env, DB: sharedRequestD1(env.DB) };
    envs.set(env, made);
    envs.set(made, made);
  }
  return made;
}

function sqlOf(s: D1PreparedStatement | undefined): string {
  return s instanceof RequestStatement ? s.sql : '(untraced statement)';
}

interface D1MetaLike {
  duration?: number;
  rows_read?: number;
  rows_written?: number;
  served_by_primary?: boolean;
  served_by_region?: string;
  served_by_colo?: string;
}

/** Which copy of the database answered: `primary`, a replica's region, or unknown (no meta). */
function servedBy(meta: D1MetaLike | undefined): string | undefined {
  if (meta?.served_by_primary === undefined) return undefined;
  return meta.served_by_primary ? 'primary' : (meta.served_by_region ?? meta.served_by_colo ?? 'replica');
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
  const served = servedBy(meta);
  if (served) entry.served_by = served;
  if (err !== undefined) entry.error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  trace.statements.push(entry);
}

/** A statement's SQL and values, made into D1's statement on the request's session when it runs. */
class RequestStatement {
  constructor(
    private readonly binding: D1Database,
    readonly sql: string,
    private readonly values: readonly unknown[],
    private readonly traceOf: () => Trace | undefined,
  ) {}

  bind(...values: unknown[]): RequestStatement {
    return new RequestStatement(this.binding, this.sql, values, this.traceOf);
  }

  /** D1's statement on `target`. */
  on(target: Target): D1PreparedStatement {
    const statement = target.prepare(this.sql);
    return this.values.length ? statement.bind(...this.values) : statement;
  }

  private get inner(): D1PreparedStatement {
    return this.on(d1For(this.binding));
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
