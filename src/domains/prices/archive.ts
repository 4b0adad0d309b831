import { and, eq, gte, lte, max, sql } from 'drizzle-orm';
import { newId } from '../../core/ids';
import { db } from '../../db/client';
import { priceData, priceDataArchive, type Timeframe } from '../../db/schema';
import type { Candle } from '../../providers/types';
import { candleColumns } from './columns';
import { INTRADAY } from './timeframes';

/** How much intraday history D1 keeps, behind each series' newest candle; older goes to R2. */
export const RETENTION_MS: Partial<Record<Timeframe, number>> = {
  '1m': 7 * 86_400_000,
  '5m': 30 * 86_400_000,
  '15m': 30 * 86_400_000,
  '1h': 180 * 86_400_000,
  '4h': 365 * 86_400_000,
};

type Row = Candle & { source: string };

async function gzipJsonLines(rows: Row[]): Promise<ArrayBuffer> {
  const text = rows
    .map((r) => JSON.stringify([r.openTime, r.open, r.high, r.low, r.close, r.volume, r.source]))
    .join('\n');
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

async function gunzipJsonLines(body: ReadableStream): Promise<Row[]> {
  const text = await new Response(body.pipeThrough(new DecompressionStream('gzip'))).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [openTime, open, high, low, close, volume, source] = JSON.parse(line) as [
        number,
        number,
        number,
        number,
        number,
        number,
        string,
      ];
      return { openTime, open, high, low, close, volume, source };
    });
}

function monthStart(time: number): number {
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextMonth(time: number): number {
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function archiveKey(assetId: string, tf: Timeframe, month: number): string {
  return `price-data/${assetId}/${tf}/${new Date(month).toISOString().slice(0, 7)}.jsonl.gz`;
}

/** Archived candles of one series in [start, end], from the R2 files the index points to. */
export async function readArchived(
  env: Env,
  assetId: string,
  timeframe: Timeframe,
  start?: number,
  end?: number,
): Promise<Row[]> {
  if (!INTRADAY.includes(timeframe)) return [];
  const files = await db(env)
    .select({ r2Key: priceDataArchive.r2Key })
    .from(priceDataArchive)
    .where(
      and(
        eq(priceDataArchive.assetId, assetId),
        eq(priceDataArchive.timeframe, timeframe),
        end !== undefined ? lte(priceDataArchive.startTime, end) : undefined,
        start !== undefined ? gte(priceDataArchive.endTime, start) : undefined,
      ),
    );
  const out: Row[] = [];
  for (const file of files) {
    const object = await env.ARCHIVE.get(file.r2Key);
    if (!object) continue;
    for (const row of await gunzipJsonLines(object.body)) {
      if ((start === undefined || row.openTime >= start) && (end === undefined || row.openTime <= end))
        out.push(row);
    }
  }
  return out;
}

export interface ArchiveResult {
  files: number;
  candles: number;
  bytes: number;
}

/**
 * Moves intraday candles older than the retention to R2, one gzip file per series and
 * month, then deletes them from D1. Order makes it crash-safe: the file is written and
 * indexed before any row is deleted, and a rerun merges with what is already archived.
 */
export async function archiveOldIntraday(env: Env): Promise<ArchiveResult> {
  const d = db(env);
  const result: ArchiveResult = { files: 0, candles: 0, bytes: 0 };
  for (const timeframe of INTRADAY) {
    const retention = RETENTION_MS[timeframe];
    if (!retention) continue;
    const series = await d
      .select({
        assetId: priceData.assetId,
        newest: max(priceData.openTime),
        oldest: sql<number>`min(${priceData.openTime})`,
      })
      .from(priceData)
      .where(eq(priceData.timeframe, timeframe))
      .groupBy(priceData.assetId);
    for (const s of series) {
      if (s.newest === null) continue;
      // Whole months only: the month holding the cutoff stays in D1 until it is all old.
      const cutoff = monthStart(s.newest - retention);
      for (let month = monthStart(s.oldest); month < cutoff; month = nextMonth(month)) {
        const until = nextMonth(month) - 1;
        const rows = await d
          .select({ ...candleColumns, source: priceData.source })
          .from(priceData)
          .where(
            and(
              eq(priceData.assetId, s.assetId),
              eq(priceData.timeframe, timeframe),
              gte(priceData.openTime, month),
              lte(priceData.openTime, until),
            ),
          );
        if (!rows.length) continue;
        const key = archiveKey(s.assetId, timeframe, month);
        const existing = await env.ARCHIVE.get(key);
        const merged = new Map<number, Row>();
        if (existing) for (const r of await gunzipJsonLines(existing.body)) merged.set(r.openTime, r);
        for (const r of rows) merged.set(r.openTime, r);
        const all = [...merged.values()].sort((a, b) => a.openTime - b.openTime);
        const body = await gzipJsonLines(all);
        await env.ARCHIVE.put(key, body, {
          httpMetadata: { contentType: 'application/x-ndjson', contentEncoding: 'gzip' },
        });
        await d.batch([
          d
            .insert(priceDataArchive)
            .values({
              id: newId('archive'),
              assetId: s.assetId,
              timeframe,
              startTime: all[0]?.openTime ?? month,
              endTime: all.at(-1)?.openTime ?? until,
              rows: all.length,
              r2Key: key,
              bytes: body.byteLength,
            })
            .onConflictDoUpdate({
              target: priceDataArchive.r2Key,
              set: {
                startTime: sql`excluded.start_time`,
                endTime: sql`excluded.end_time`,
                rows: sql`excluded.rows`,
                bytes: sql`excluded.bytes`,
              },
            }),
          d
            .delete(priceData)
            .where(
              and(
                eq(priceData.assetId, s.assetId),
                eq(priceData.timeframe, timeframe),
                gte(priceData.openTime, month),
                lte(priceData.openTime, until),
              ),
            ),
        ]);
        result.files++;
        result.candles += rows.length;
        result.bytes += body.byteLength;
      }
    }
  }
  return result;
}
