import { z } from '@hono/zod-openapi';
import { ApiError } from './errors';
import { marketNow } from './market-clock';
import { surfaceOf } from './surfaces';

/**
 * Dates and date ranges of the API, in one place: every date the API reads is a real calendar
 * day in a sane span of years, every range is ordered, clamped to the market clock and no
 * longer than its endpoint allows, and every walk over days counts integer day numbers up
 * to a bound fixed before it starts (never compares date strings, which stop ordering after
 * 9999-12-31: the day after it is "+010000-01-01").
 */

export const DAY_MS = 86_400_000;
/** The years a date may name: market data starts well after 1970, and nothing plans past 2100. */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2100;
const MIN_MS = Date.UTC(MIN_YEAR, 0, 1);
const MAX_MS = Date.UTC(MAX_YEAR + 1, 0, 1) - 1;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Day number (days since 1970-01-01 UTC) of a YYYY-MM-DD string that `isCalendarDay` accepts. */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

/** The YYYY-MM-DD of a day number. */
export function dayString(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The day number of an epoch-ms time. */
export function dayOf(t: number): number {
  return Math.floor(t / DAY_MS);
}

/** True for a YYYY-MM-DD that names a real day (2023-02-30 does not) of years MIN_YEAR..MAX_YEAR. */
export function isCalendarDay(value: string): boolean {
  const m = DAY_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return false;
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d;
}

/** True for an ISO 8601 date-time (UTC without an offset) whose day is a calendar day in range. */
export function isCalendarDateTime(value: string): boolean {
  const m = DATETIME_RE.exec(value);
  if (!m || !isCalendarDay(`${m[1]}-${m[2]}-${m[3]}`)) return false;
  const t = timeOf(value);
  return Number.isFinite(t) && t >= MIN_MS - DAY_MS && t <= MAX_MS + DAY_MS;
}

const yearsNote = `years ${MIN_YEAR}..${MAX_YEAR}`;

/** A calendar day, `YYYY-MM-DD` (UTC): a real date (2023-02-30 is refused) in years 1970..2100. */
export const CalendarDate = z
  .string()
  .regex(DAY_RE, 'a date as YYYY-MM-DD')
  .refine(isCalendarDay, `not a calendar date (a real day, ${yearsNote})`)
  .openapi({ format: 'date', example: '2023-12-01' });

/** An ISO 8601 date-time (UTC unless it has an offset), or a calendar day (its UTC midnight). */
export const DateOrDateTime = z
  .string()
  .max(40)
  .refine(
    (v) => isCalendarDay(v) || isCalendarDateTime(v),
    `a calendar date (YYYY-MM-DD) or an ISO 8601 date-time, ${yearsNote}`,
  )
  .openapi({ example: '2023-12-01' });

/** Epoch ms of a value `DateOrDateTime` accepted; a bare day reads as its start, or with `endOfDay` its last ms. */
export function timeOf(value: string, endOfDay = false): number {
  if (DAY_RE.test(value)) return dayNumber(value) * DAY_MS + (endOfDay ? DAY_MS - 1 : 0);
  return Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
}

/** The description a range's fields carry, so /openapi.json states the rules. */
export function rangeNote(maxDays: number): string {
  return `Clamped to the market clock (a later date means "now"); from must be on or before to; at most ${maxDays} days apart.`;
}

export interface RangeSpec {
  /** The longest span the endpoint serves, in days (inclusive of both ends). */
  maxDays: number;
  /** Field names as the client sent them, for the messages. */
  fields?: [string, string];
  /** Request path, to answer 422 on 004's namespaces and 400 elsewhere. */
  path?: string;
}

export interface DayRange {
  /** Day numbers, from <= to, to <= the market day. */
  from: number;
  to: number;
  /** The same days as YYYY-MM-DD. */
  fromDay: string;
  toDay: string;
  /** True when `to` (and maybe `from`) was moved back to the market clock. */
  clamped: boolean;
}

/** A 400 (or 422 on 004's namespaces) naming the range fields, in the validation error shape. */
export function rangeError(message: string, field: string, path?: string): ApiError {
  const fastapi = path !== undefined && surfaceOf(path) === 'fastapi';
  return new ApiError('VALIDATION_ERROR', message, {
    details: [{ loc: ['query', field], msg: message, type: 'invalid_range' }],
    ...(fastapi ? { status: 422 } : {}),
  });
}

/**
 * Resolves a day range against the market clock at `now`: refuses from > to as sent, clamps
 * `to` (and a `from` after it) to the market day, and refuses a span longer than
 * `spec.maxDays`. A missing `to` is the market day; a missing `from` is `to - (defaultDays - 1)`.
 */
export function resolveDayRange(
  input: { from?: string | undefined; to?: string | undefined },
  now: number,
  spec: RangeSpec & { defaultDays?: number },
): DayRange {
  const [fromField, toField] = spec.fields ?? ['from', 'to'];
  const market = dayOf(now);
  const askedTo = input.to !== undefined ? dayNumber(input.to) : market;
  const askedFrom =
    input.from !== undefined ? dayNumber(input.from) : askedTo - Math.max(1, spec.defaultDays ?? 1) + 1;
  if (input.from !== undefined && input.to !== undefined && askedFrom > askedTo) {
    throw rangeError(
      `${fromField} (${input.from}) must be on or before ${toField} (${input.to})`,
      fromField,
      spec.path,
    );
  }
  const to = Math.min(askedTo, market);
  const from = Math.min(askedFrom, to);
  const span = to - from + 1;
  if (span > spec.maxDays) {
    throw rangeError(
      `${fromField}..${toField} spans ${span} days; this endpoint serves at most ${spec.maxDays}`,
      fromField,
      spec.path,
    );
  }
  return {
    from,
    to,
    fromDay: dayString(from),
    toDay: dayString(to),
    clamped: to !== askedTo || from !== askedFrom,
  };
}

/** `resolveDayRange` at the market clock's now. */
export async function marketDayRange(
  env: Env,
  input: { from?: string | undefined; to?: string | undefined },
  spec: RangeSpec & { defaultDays?: number },
): Promise<DayRange> {
  return resolveDayRange(input, await marketNow(env), spec);
}

/**
 * Day numbers from `from` to `to` inclusive. The count is fixed before the walk starts and
 * must be at most `maxDays` (a caller's bug otherwise, thrown, never a long loop).
 */
export function* eachDay(from: number, to: number, maxDays: number): Generator<number> {
  const count = to - from + 1;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || count > maxDays) {
    throw new RangeError(`eachDay: ${count} days exceeds the bound ${maxDays}`);
  }
  for (let i = 0; i < count; i++) yield from + i;
}

/**
 * Refines a query schema so `from` after `to` (both given) is a validation issue on `from`:
 * the router's hook then answers 400, or 422 on 004's namespaces. For filters over stored rows,
 * which need no clamping (the rows are bounded; the page is capped).
 */
export function ordered<T extends z.ZodObject>(schema: T, from = 'from', to = 'to'): T {
  return schema.superRefine((value, ctx) => {
    const v = value as Record<string, unknown>;
    const a = v[from];
    const b = v[to];
    if (typeof a === 'string' && typeof b === 'string' && timeOf(a) > timeOf(b, true)) {
      ctx.addIssue({
        code: 'custom',
        path: [from],
        message: `${from} (${a}) must be on or before ${to} (${b})`,
      });
    }
  }) as T;
}
