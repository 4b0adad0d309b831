import { asc, eq } from 'drizzle-orm';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { db } from '../../db/client';
import { sectors } from '../../db/schema';
import { bumpDataVersion } from '../../ingestion/state';
import { CRYPTO_SECTORS, type CryptoSectorId } from '../assets/sectors';
import { audit } from '../audit/service';

export type SectorRow = typeof sectors.$inferSelect;

const DESCRIPTIONS: Record<CryptoSectorId, string> = {
  payments: 'Coins used as money or a store of value: Bitcoin and its forks, payment networks.',
  'smart-contract-platforms': 'Layer-1 chains that run general smart contracts.',
  'exchange-tokens': 'Tokens issued by centralized exchanges.',
  'layer-2': 'Scaling networks settling on a layer-1 chain.',
  oracles: 'Networks that bring off-chain data on chain.',
  meme: 'Community and meme coins.',
  stablecoins: 'Tokens pegged to the US dollar.',
  defi: 'Decentralized lending, exchanges and derivatives protocols.',
  'gaming-metaverse': 'Blockchain games and virtual worlds.',
  'ai-compute': 'Decentralized AI, compute and data networks.',
  'storage-infrastructure': 'Decentralized storage and infrastructure networks.',
};

/** The curated sectors as stored (created from the classification on first use), in curated order. */
export async function listSectorRows(env: Env): Promise<SectorRow[]> {
  const d = db(env);
  let rows = await d.select().from(sectors).orderBy(asc(sectors.id));
  if (rows.length < CRYPTO_SECTORS.length) {
    const now = Date.now();
    await d
      .insert(sectors)
      .values(
        CRYPTO_SECTORS.map((s) => ({
          id: s.id,
          name: s.name,
          description: DESCRIPTIONS[s.id],
          category: s.category,
          isActive: true,
          updatedAt: now,
          updatedBy: null,
        })),
      )
      .onConflictDoNothing();
    rows = await d.select().from(sectors).orderBy(asc(sectors.id));
  }
  const order = new Map<string, number>(CRYPTO_SECTORS.map((s, i) => [s.id, i]));
  return rows.sort((a, b) => (order.get(a.id) ?? 99) - (order.get(b.id) ?? 99));
}

/** One sector or 404 (unknown id, or inactive for non-admins). */
export async function getSectorRow(env: Env, id: string, includeInactive = false): Promise<SectorRow> {
  const row = (await listSectorRows(env)).find((s) => s.id === id);
  if (!row || (!row.isActive && !includeInactive))
    throw new ApiError('NOT_FOUND', `No sector ${id}; GET /api/v1/sectors lists them`);
  return row;
}

export interface SectorUpdate {
  name?: string | undefined;
  description?: string | undefined;
  is_active?: boolean | undefined;
}

/** Admin edit of name, description, is_active, with its audit_logs row in the same D1 batch. */
export async function updateSector(
  env: Env,
  actor: { userId: string },
  id: string,
  input: SectorUpdate,
  facts: Partial<RequestFacts>,
  requestId: string | null,
): Promise<SectorRow> {
  const before = await getSectorRow(env, id, true);
  const d = db(env);
  const set = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
    updatedAt: Date.now(),
    updatedBy: actor.userId,
  };
  await d.batch([
    d.update(sectors).set(set).where(eq(sectors.id, id)),
    audit(d, {
      actorUserId: actor.userId,
      action: 'sector.update',
      targetType: 'sector',
      targetId: id,
      details: {
        before: { name: before.name, description: before.description, is_active: before.isActive },
        changes: input,
      },
      facts,
      requestId,
    }),
  ]);
  // Cached sector responses key on the data version: an edit must not hide behind them.
  await bumpDataVersion(env);
  return getSectorRow(env, id, true);
}
