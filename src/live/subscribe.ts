import { valueUpdatesFor } from '../domains/portfolios/services/live';
import { assetFreshness, type Freshness } from '../domains/prices/freshness';
import { type PricesUpdated, subscribe } from '../events/bus';
import { type LiveMessage, publishSafely, publishTopic, publishToUser } from './publisher';
import { signalChanges } from './signals';
import { assetTopic } from './topics';

// Imported once by src/index.ts: the event bus's events become live messages. Publishing
// never fails the publisher of the event (errors are logged) and never waits on clients:
// each hub call returns once the root has stored the messages and queued the sends.

/** The macro assets of the macro snapshot (001's /ws/macro): dollar, rates, FX, oil, gold. */
export const MACRO_SYMBOLS = ['DXY', 'TNX', 'FEDFUNDS', 'DEXUSEU', 'WTI', 'GOLD'] as const;

/** D1 allows 100 bound parameters per statement; IN lists stay well under. */
const IN_CHUNK = 90;

interface AssetFacts {
  id: string;
  symbol: string;
  asset_type: string;
  sector_id: string | null;
}

interface CandleRow {
  asset_id: string;
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

async function inChunks<T>(ids: string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) out.push(...(await query(ids.slice(i, i + IN_CHUNK))));
  return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The 1h candles this ingestion run wrote (updated in the last two minutes, within three
 * market hours of the event), newest per asset. A candle may be re-sent if two price
 * events fall inside that window; it is the same candle (same time and values), so clients
 * upsert it by `time`.
 */
async function freshCandles(env: Env, event: PricesUpdated, ids: string[]): Promise<Map<string, CandleRow>> {
  const since = Date.now() - 120_000;
  const rows = await inChunks(ids, async (chunk) => {
    const { results } = await env.DB.prepare(
      `SELECT asset_id, open_time, open, high, low, close, volume FROM price_data
       WHERE timeframe = '1h' AND asset_id IN (${marks(chunk.length)}) AND updated_at >= ? AND open_time >= ?
       ORDER BY open_time`,
    )
      .bind(...chunk, since, event.at - 3 * 3_600_000)
      .all<CandleRow>();
    return results;
  });
  return new Map(rows.map((r) => [r.asset_id, r]));
}

const pickFreshness = (f: Freshness) => ({ as_of: f.as_of, stale: f.stale, stale_reason: f.stale_reason });

/** Fear & greed at the event's market time and the latest quotes of the macro assets, each with its freshness. */
async function macroSnapshot(env: Env, at: number): Promise<Record<string, unknown>> {
  const [fearGreed, quotes] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare(
      `SELECT value, label, time FROM market_indicators WHERE series = 'fear_greed' AND time <= ?
       ORDER BY time DESC LIMIT 1`,
    ).bind(at),
    env.DB.prepare(
      `SELECT a.id, a.symbol, a.name, a.asset_type, q.price, q.change_pct_24h, q.as_of FROM assets a
       JOIN quotes q ON q.asset_id = a.id
       WHERE a.owner_id = '' AND a.symbol IN (${marks(MACRO_SYMBOLS.length)})`,
    ).bind(...MACRO_SYMBOLS),
  ]);
  const fg = fearGreed?.results[0] as { value: number; label: string | null; time: number } | undefined;
  const assets = (quotes?.results ?? []) as {
    id: string;
    symbol: string;
    name: string;
    asset_type: string;
    price: number;
    change_pct_24h: number | null;
    as_of: number;
  }[];
  return {
    fear_greed: fg
      ? { value: fg.value, classification: fg.label, time: new Date(fg.time).toISOString() }
      : null,
    assets: Object.fromEntries(
      assets.map((a) => [
        a.symbol,
        {
          asset_id: a.id,
          name: a.name,
          price: a.price,
          change_pct_24h: a.change_pct_24h,
          // Series whose history ended years before the clock must not read as live.
          ...pickFreshness(assetFreshness({ symbol: a.symbol, assetType: a.asset_type }, a.as_of, at)),
        },
      ]),
    ),
    as_of: new Date(at).toISOString(),
  };
}

/** Average 24h change of the updated assets, per key (sector id, or asset class). */
function averages(
  points: { key: string; change: number }[],
): { id: string; avg_change_pct_24h: number; assets: number }[] {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const p of points) {
    const s = sums.get(p.key) ?? { sum: 0, n: 0 };
    s.sum += p.change;
    s.n++;
    sums.set(p.key, s);
  }
  return [...sums].map(([id, s]) => ({ id, avg_change_pct_24h: s.sum / s.n, assets: s.n }));
}

/** Builds and publishes every live message one `prices.updated` event implies. */
export async function publishPrices(env: Env, event: PricesUpdated): Promise<void> {
  if (!event.assets.length) return;
  const ticks: LiveMessage[] = event.assets.map((a) => ({
    type: 'price_update',
    symbol: a.symbol,
    asset_id: a.assetId,
    price: a.price,
    change_pct_24h: a.changePct24h,
    source: event.source,
    market_time: new Date(event.at).toISOString(),
  }));
  const ids = event.assets.map((a) => a.assetId);
  // The market-data ticks need nothing but the event: they go to their hub first, while the
  // reads the other topics need (asset facts, fresh candles) are in flight.
  const marketData = publishTopic(env, 'market-data', ticks);
  // Its failure is logged by publishSafely below; handled now, so it is never an unhandled
  // rejection while the reads are awaited.
  marketData.catch(() => undefined);
  let facts: AssetFacts[];
  let candles: Map<string, CandleRow>;
  try {
    [facts, candles] = await Promise.all([
      inChunks(ids, async (chunk) => {
        const { results } = await env.DB.prepare(
          `SELECT id, symbol, asset_type, sector_id FROM assets WHERE id IN (${marks(chunk.length)})`,
        )
          .bind(...chunk)
          .all<AssetFacts>();
        return results;
      }),
      freshCandles(env, event, ids),
    ]);
  } catch (err) {
    await publishSafely('prices.updated', [marketData]);
    throw err;
  }
  const byId = new Map(facts.map((f) => [f.id, f]));

  const tasks: Promise<unknown>[] = [marketData];
  for (const [i, a] of event.assets.entries()) {
    const perAsset: LiveMessage[] = [ticks[i] as LiveMessage];
    const c = candles.get(a.assetId);
    if (c) {
      perAsset.push({
        type: 'candle',
        symbol: a.symbol,
        asset_id: a.assetId,
        timeframe: '1h',
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
        time: new Date(c.open_time).toISOString(),
      });
    }
    tasks.push(publishTopic(env, assetTopic(a.assetId), perAsset));
  }

  const macroMoved = event.assets.some((a) => (MACRO_SYMBOLS as readonly string[]).includes(a.symbol));
  if (macroMoved) {
    tasks.push(
      macroSnapshot(env, event.at).then((data) => publishTopic(env, 'macro', { type: 'macro_update', data })),
    );
  }

  if (candles.size) {
    const fresh = new Map([...candles].map(([id, c]) => [id, c.open_time]));
    const symbols = new Map(event.assets.map((a) => [a.assetId, a.symbol]));
    tasks.push(
      signalChanges(env, fresh, symbols).then((signals) =>
        signals.length ? publishTopic(env, 'signals', signals) : null,
      ),
    );
  }

  const changes = event.assets.flatMap((a) => {
    const f = byId.get(a.assetId);
    return f && a.changePct24h !== null ? [{ f, change: a.changePct24h }] : [];
  });
  const sectors = averages(
    changes.flatMap(({ f, change }) => (f.sector_id ? [{ key: f.sector_id, change }] : [])),
  );
  const classes = averages(changes.map(({ f, change }) => ({ key: f.asset_type, change })));
  if (changes.length) {
    tasks.push(
      publishTopic(env, 'sectors', {
        type: 'sector_update',
        // Sectors of the updated assets that have one; asset classes (crypto, etf, fx...)
        // always, so the feed says something before every asset has a sector.
        sectors: sectors.map((s) => ({
          sector_id: s.id,
          avg_change_pct_24h: s.avg_change_pct_24h,
          assets: s.assets,
        })),
        asset_classes: classes.map((s) => ({
          asset_class: s.id,
          avg_change_pct_24h: s.avg_change_pct_24h,
          assets: s.assets,
        })),
        market_time: new Date(event.at).toISOString(),
      }),
    );
  }
  await publishSafely('prices.updated', tasks);
}

subscribe('prices.updated', async (env, event) => {
  // Never let a live failure reach ingestion: the bus logs, but be explicit here too.
  await publishPrices(env, event).catch((err: unknown) =>
    publishSafely('prices.updated', [Promise.reject(err)]),
  );
});

subscribe('notification.created', async (env, event) => {
  await publishSafely('notification.created', [
    publishToUser(env, event.userId, 'notifications', {
      type: 'notification',
      notification: event.notification,
    }),
  ]);
});

subscribe('portfolio.changed', async (env, event) => {
  await publishSafely('portfolio.changed', [
    publishToUser(env, event.userId, 'portfolio', {
      type: 'portfolio_update',
      reason: 'ledger',
      portfolio_id: event.portfolioId,
      ledger_version: event.version,
      action: event.action,
      cash: Number(event.cash),
      positions: event.positions.map((p) => ({
        id: p.id,
        symbol: p.symbol,
        quantity: Number(p.quantity),
        cost_basis: Number(p.costBasis),
        realized_pnl: Number(p.realizedPnl),
      })),
      changed_at: event.at,
    }),
  ]);
});

// Holders of the assets that moved see their portfolios' new values.
subscribe('prices.updated', async (env, event) => {
  const updates = await valueUpdatesFor(
    env,
    event.assets.map((a) => a.assetId),
  );
  await publishSafely(
    'prices.updated.portfolios',
    updates.map((u) => publishToUser(env, u.userId, 'portfolio', u.message)),
  );
});
