import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('Durable Objects', () => {
  it.each([
    ['USER', 'user'],
    ['CLIENT_ADDRESS', 'client-address'],
    ['HUB', 'hub'],
  ] as const)('%s answers ping() over RPC with SQLite storage', async (binding, kind) => {
    const stub = env[binding].getByName('test-object');
    const result = await stub.ping();
    expect(result).toMatchObject({ kind, sqlite: true, id: stub.id.toString() });
  });

  it('gives each name its own object and storage', async () => {
    const a = env.USER.getByName('usr_a');
    const b = env.USER.getByName('usr_b');
    expect(a.id.toString()).not.toBe(b.id.toString());
    await runInDurableObject(a, async (_instance, state) => {
      state.storage.sql.exec('CREATE TABLE IF NOT EXISTS t (v TEXT)');
      state.storage.sql.exec("INSERT INTO t VALUES ('only in a')");
    });
    const rows = await runInDurableObject(b, async (_instance, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 't'").toArray(),
    );
    expect(rows).toEqual([]);
  });
});
