import { DurableObject } from 'cloudflare:workers';

/** What `ping()` tells a caller: the object is reachable and its SQLite storage answers. */
export interface PingResult {
  kind: string;
  id: string;
  sqlite: boolean;
  time: string;
}

/**
 * Common ground of our Durable Objects: SQLite-backed storage and a `ping()` RPC the health
 * check uses to prove each namespace is bound and answering.
 */
export abstract class MeridianObject extends DurableObject<Env> {
  protected abstract readonly kind: string;

  /** Round-trips the object's SQLite storage. Safe to call any number of times. */
  async ping(): Promise<PingResult> {
    const row = this.ctx.storage.sql.exec<{ one: number }>('SELECT 1 AS one').one();
    return {
      kind: this.kind,
      id: this.ctx.id.toString(),
      sqlite: row.one === 1,
      time: new Date().toISOString(),
    };
  }
}
