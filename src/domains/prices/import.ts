import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../core/errors';
import type { Timeframe } from '../../db/schema/market';
import type { Candle } from '../../providers/types';
import { upsertCandles } from './service';
import { bucketStart } from './timeframes';

export interface ImportReport {
  received: number;
  accepted: number;
  rejected: { row: number; reason: string }[];
  written: number;
  dry_run: boolean;
}

type RawRow = Record<string, unknown>;

function parseCsv(text: string): RawRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  return lines.map((line) =>
    Object.fromEntries(line.split(',').map((v, i) => [header[i] ?? `col${i}`, v.trim()])),
  );
}

function timeOf(row: RawRow): number | null {
  const v = row.timestamp ?? row.time ?? row.date ?? row.open_time;
  if (typeof v === 'number') return v < 1e12 ? v * 1000 : v;
  if (typeof v !== 'string' || !v) return null;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n < 1e12 ? n * 1000 : n;
  }
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isNaN(t) ? null : t;
}

/** Validates one row; returns the candle or why it was refused. */
export function validateRow(row: RawRow, timeframe: Timeframe): Candle | string {
  const time = timeOf(row);
  if (time === null) return 'missing or unreadable timestamp';
  if (bucketStart(timeframe, time) !== time) return `timestamp is not on a ${timeframe} boundary`;
  const n = (k: string) => (row[k] === undefined || row[k] === '' ? Number.NaN : Number(row[k]));
  const [open, high, low, close] = [n('open'), n('high'), n('low'), n('close')];
  const volume = row.volume === undefined || row.volume === '' ? 0 : Number(row.volume);
  if (![open, high, low, close, volume].every(Number.isFinite))
    return 'open, high, low, close and volume must be numbers';
  if (low <= 0) return 'prices must be positive';
  if (volume < 0) return 'volume must not be negative';
  if (high < Math.max(open, close) || low > Math.min(open, close) || high < low) {
    return 'inconsistent OHLC: high must be >= open, close and low; low <= open, close';
  }
  return { openTime: time, open, high, low, close, volume };
}

/**
 * Bulk candle import (CSV with a header row, or a JSON array): every row validated, the
 * valid ones upserted in D1 batches, the rest reported with their row number and reason.
 */
export async function importCandles(
  env: Env,
  input: { assetId: string; timeframe: Timeframe; body: string | RawRow[]; dryRun: boolean; source: string },
): Promise<ImportReport> {
  const rows = typeof input.body === 'string' ? parseCsv(input.body) : input.body;
  const accepted: Candle[] = [];
  const rejected: ImportReport['rejected'] = [];
  const seen = new Set<number>();
  rows.forEach((row, i) => {
    const result = validateRow(row, input.timeframe);
    if (typeof result === 'string') rejected.push({ row: i + 1, reason: result });
    else if (seen.has(result.openTime))
      rejected.push({ row: i + 1, reason: 'duplicate timestamp in this import' });
    else {
      seen.add(result.openTime);
      accepted.push(result);
    }
  });
  const written = input.dryRun
    ? 0
    : await upsertCandles(env, input.assetId, input.timeframe, accepted, input.source);
  return { received: rows.length, accepted: accepted.length, rejected, written, dry_run: input.dryRun };
}

/** An import request's rows: CSV text (`text/csv` or any `text/*`) or JSON `{ candles: [...] }`. */
export async function readImportBody(c: Context): Promise<string | RawRow[]> {
  const type = c.req.header('Content-Type') ?? '';
  if (type.includes('csv') || type.startsWith('text/')) return c.req.text();
  const parsed = z
    .object({ candles: z.array(z.record(z.string(), z.unknown())).max(50_000) })
    .safeParse(await c.req.json());
  if (!parsed.success) throw new ApiError('VALIDATION_ERROR', 'Expected { candles: [...] } or a CSV body');
  return parsed.data.candles;
}
