import type { TelemetrySink } from '../../../../durable/telemetry';
import { timeOf } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { shardDays, TELEMETRY_RETENTION_DAYS } from '../../../core/telemetry';
import { drainTelemetry } from '../../../middleware/telemetry';

/**
 * Reading the telemetry sink: one object per UTC day, so a time range asks each day's shard
 * and merges. Telemetry is operational, so its clock is wall time (when our system did
 * something), not the market clock.
 */

export interface TimeRange {
  start: number;
  end: number;
}

/**
 * The range [start, end] from optional ISO inputs: `end` defaults to now, `start` to `end`
 * minus `defaultHours`. Refuses start after end; clamps start to the retention horizon and end
 * to now (telemetry holds nothing outside them).
 */
export function resolveRange(
  input: { start?: string | undefined; end?: string | undefined },
  defaultHours = 24,
  fields: [string, string] = ['start_time', 'end_time'],
): TimeRange {
  const now = Date.now();
  const end = input.end ? timeOf(input.end, true) : now;
  const start = input.start ? timeOf(input.start) : end - defaultHours * 3_600_000;
  if (start > end) {
    throw new ApiError('VALIDATION_ERROR', `${fields[0]} must be on or before ${fields[1]}`, {
      details: [
        { loc: ['query', fields[0]], msg: `${fields[0]} is after ${fields[1]}`, type: 'invalid_range' },
      ],
    });
  }
  const horizon = now - TELEMETRY_RETENTION_DAYS * 86_400_000;
  return { start: Math.max(start, horizon), end: Math.min(end, now) };
}

/** The day shards covering a range, newest first; none when the range is empty. */
export async function shardsFor(env: Env, range: TimeRange) {
  await drainTelemetry();
  if (range.start > range.end) return [];
  return shardDays(range.start, range.end)
    .reverse()
    .map((day) => env.TELEMETRY.getByName(`telemetry:${day}`));
}

/** Runs `fn` on each shard of the range, in parallel, and returns the results newest shard first. */
export async function acrossShards<T>(
  env: Env,
  range: TimeRange,
  fn: (shard: DurableObjectStub<TelemetrySink>) => Promise<T>,
): Promise<T[]> {
  const shards = await shardsFor(env, range);
  return Promise.all(shards.map(fn));
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The last `minutes` minutes up to now. */
export function windowRange(minutes: number): TimeRange {
  const now = Date.now();
  return { start: now - minutes * 60_000, end: now };
}
